package dev.tellmej.eda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Cell counts of a Yosys {@code synth_xilinx -family xcup} run. URAM, block RAM, DSP and flip-flop counts
 * are reliable; LUT counts are rough (Yosys maps LUTs less well than Vivado), and there is no timing.
 *
 * @param top   the synthesized top module
 * @param cells cell type -> count, as printed by {@code stat}
 */
public record ResourceReport(String top, Map<String, Integer> cells) {
    /** The distributed RAM and shift-register primitives, each with the LUT6s it takes. */
    private static final Map<String, Integer> LUT_MEMORY = Map.ofEntries(
            Map.entry("RAM32M", 4), Map.entry("RAM64M", 4), Map.entry("RAM32M16", 8), Map.entry("RAM64M8", 8),
            Map.entry("RAM32X1D", 2), Map.entry("RAM64X1D", 2), Map.entry("RAM128X1D", 4), Map.entry("RAM256X1D", 8),
            Map.entry("RAM32X1S", 1), Map.entry("RAM64X1S", 1), Map.entry("RAM128X1S", 2), Map.entry("RAM256X1S", 4),
            Map.entry("RAM512X1S", 8), Map.entry("SRL16E", 1), Map.entry("SRLC16E", 1), Map.entry("SRLC32E", 1));

    /** Every cell type a count of {@link Counts} depends on (the others, such as CARRY8 or MUXF7, count nowhere). */
    public static final List<String> COUNTED_TYPES = countedTypes();

    public ResourceReport {
        cells = Collections.unmodifiableMap(new TreeMap<>(cells));
    }

    private static List<String> countedTypes() {
        List<String> types = new ArrayList<>(List.of("URAM288", "RAMB36E2", "RAMB18E2", "DSP48E2", "FDRE", "FDSE",
                "FDCE", "FDPE", "LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6"));
        types.addAll(new TreeSet<>(LUT_MEMORY.keySet()));
        return List.copyOf(types);
    }

    public int count(String cellType) {
        return cells.getOrDefault(cellType, 0);
    }

    /** URAM288 primitives. */
    public int uram() {
        return count("URAM288");
    }

    /** RAMB36E2 primitives. */
    public int ramb36() {
        return count("RAMB36E2");
    }

    /** RAMB18E2 primitives. */
    public int ramb18() {
        return count("RAMB18E2");
    }

    /** Block RAM in RAMB36 units (a RAMB18 counts half), as Vivado reports BRAM tiles. */
    public double bramTiles() {
        return ramb36() + ramb18() / 2.0;
    }

    /** DSP48E2 slices. */
    public int dsp() {
        return count("DSP48E2");
    }

    /** Flip-flops (FDRE, FDSE, FDCE, FDPE). */
    public int flipFlops() {
        return count("FDRE") + count("FDSE") + count("FDCE") + count("FDPE");
    }

    /** LUTs used as logic (LUT1..LUT6). */
    public int lutLogic() {
        int sum = 0;
        for (int i = 1; i <= 6; i++) {
            sum += count("LUT" + i);
        }
        return sum;
    }

    /** LUTs used as memory: distributed RAM and shift registers, in LUT6 units (estimated per primitive). */
    public int lutMemory() {
        int sum = 0;
        for (Map.Entry<String, Integer> memory : LUT_MEMORY.entrySet()) {
            sum += memory.getValue() * count(memory.getKey());
        }
        return sum;
    }

    /** All LUTs: logic plus memory. */
    public int luts() {
        return lutLogic() + lutMemory();
    }

    /**
     * The counts the reports print, as plain numbers (primitives; {@code bramTiles} in RAMB36 units).
     *
     * @param uram      URAM288
     * @param ramb36    RAMB36E2
     * @param ramb18    RAMB18E2
     * @param bramTiles RAMB36E2 + RAMB18E2 / 2
     * @param dsp       DSP48E2
     * @param luts      LUTs, logic plus memory
     * @param lutLogic  LUTs as logic
     * @param lutMemory LUTs as memory (LUT6 units)
     * @param flipFlops flip-flops
     */
    public record Counts(int uram, int ramb36, int ramb18, double bramTiles, int dsp, int luts, int lutLogic,
            int lutMemory, int flipFlops) {}

    /** This report's {@link Counts}. */
    public Counts counts() {
        return new Counts(uram(), ramb36(), ramb18(), bramTiles(), dsp(), luts(), lutLogic(), lutMemory(), flipFlops());
    }

    @Override
    public String toString() {
        return String.format("%s: URAM288 %d, RAMB36E2 %d, RAMB18E2 %d, DSP48E2 %d, LUT %d (logic %d, memory %d), FF %d",
                top, uram(), ramb36(), ramb18(), dsp(), luts(), lutLogic(), lutMemory(), flipFlops());
    }
}
