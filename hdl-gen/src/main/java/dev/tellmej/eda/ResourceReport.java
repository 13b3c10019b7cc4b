package dev.tellmej.eda;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cell counts of a Yosys {@code synth_xilinx -family xcup} run. URAM, block RAM, DSP and flip-flop counts
 * are reliable; LUT counts are rough (Yosys maps LUTs less well than Vivado), and there is no timing.
 *
 * @param top   the synthesized top module
 * @param cells cell type -> count, as printed by {@code stat}
 */
public record ResourceReport(String top, Map<String, Integer> cells) {
    public ResourceReport {
        cells = Collections.unmodifiableMap(new TreeMap<>(cells));
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
        for (Map.Entry<String, Integer> cell : cells.entrySet()) {
            String type = cell.getKey();
            int luts = switch (type) {
                case "RAM32M", "RAM64M" -> 4;
                case "RAM32M16", "RAM64M8" -> 8;
                case "RAM32X1D", "RAM64X1D" -> 2;
                case "RAM128X1D" -> 4;
                case "RAM256X1D" -> 8;
                case "RAM32X1S", "RAM64X1S", "SRL16E", "SRLC32E", "SRLC16E" -> 1;
                case "RAM128X1S" -> 2;
                case "RAM256X1S" -> 4;
                case "RAM512X1S" -> 8;
                default -> 0;
            };
            sum += luts * cell.getValue();
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
