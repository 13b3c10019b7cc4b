package dev.tellmej.accel.kernel;

import dev.tellmej.accel.PublishedFigures;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.eda.FpgaDevice;
import dev.tellmej.eda.ResourceReport;
import dev.tellmej.eda.SynthHierarchy;
import dev.tellmej.eda.YosysSynth;
import dev.tellmej.hdl.ClockDomainConfig;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.ElaborationOptions;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.ir.Instance;
import dev.tellmej.hdl.ir.ModuleNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Yosys {@code synth_xilinx -family xcup} resource estimate of a build's whole kernel {@code tellme}
 * ({@code tellme report accelerator}): URAM288, block RAM, DSP48E2, LUT and FF beside the XCK26's capacity,
 * issue 13's budget (PASS or OVER per line) and TeLLMe's published figures, with the split per top-level unit
 * when the hierarchy is kept.
 */
public final class KernelReport {
    /**
     * Issue 13's budget for the whole kv260 kernel: the XCK26's URAM, block RAM and DSP, and its LUTs with a
     * margin (LUT counts being rough). It sets no flip-flop budget.
     */
    public static final Budget BUDGET = new Budget(64, 144, 1_248, 110_000);

    /**
     * The most a kernel may use.
     *
     * @param uram      URAM288
     * @param bramTiles block RAM in RAMB36 units (RAMB36E2 + RAMB18E2 / 2)
     * @param dsp       DSP48E2
     * @param luts      LUTs, logic plus memory
     */
    public record Budget(int uram, int bramTiles, int dsp, int luts) {}

    /** How the kernel was synthesized. */
    public enum Synthesis {
        /** {@code -flatten}: the whole kernel optimized as one module, as the other reports do (slow). */
        FLATTENED,
        /**
         * The hierarchy kept: each module synthesized once, nothing optimized across module boundaries (LUT and
         * FF counts somewhat higher than flattened); much faster, and the split per unit is exact.
         */
        HIERARCHICAL
    }

    /** A resource against its budget. */
    public enum Verdict { PASS, OVER }

    /**
     * One resource of the report.
     *
     * @param resource its name
     * @param used     what the kernel uses (block RAM in RAMB36 units)
     * @param capacity the XCK26's
     * @param budget   issue 13's limit, or null where it sets none (flip-flops)
     * @param verdict  PASS when {@code used <= budget}, OVER above it; null without a budget
     * @param tellme   TeLLMe's published figure for its whole design
     */
    public record Line(String resource, double used, int capacity, Integer budget, Verdict verdict, double tellme) {}

    /**
     * One part of the kernel: an instance in the top module, or the top module's own logic (the sequencer, the
     * executors, the activation buffers, the quantized store, the record and tap writers).
     *
     * @param part   the instance's name in {@code tellme} ({@code tlmm}), or {@code (top)} for the top's own logic
     * @param module the Verilog module
     * @param counts its resources
     */
    public record Part(String part, String module, ResourceReport.Counts counts) {}

    /**
     * A measured kernel, or one unit of it.
     *
     * @param config           the build
     * @param unit             the instance of the kernel's top module synthesized alone, or null for the whole kernel
     * @param top              the synthesized top module
     * @param synthesis        flattened or with the hierarchy kept
     * @param counts           the whole kernel's resources
     * @param lines            URAM288, block RAM, DSP48E2, LUT and FF against the XCK26 and the budget
     * @param fits             true when no line is OVER
     * @param parts            the split per instance in the synthesized top and the top's own logic
     *                         (hierarchical synthesis only; empty when flattened)
     * @param cells            every cell type of the whole kernel and its count, as Yosys {@code stat} printed them
     * @param synthesisMinutes Yosys wall time, minutes
     */
    public record Result(String config, String unit, String top, Synthesis synthesis, ResourceReport.Counts counts,
            List<Line> lines, boolean fits, List<Part> parts, Map<String, Integer> cells, double synthesisMinutes) {}

    /** The name of the top's own logic among the parts. */
    public static final String TOP_PART = "(top)";

    private KernelReport() {}

    /** The kernel of {@code config}, elaborated as {@code tellme rtl accelerator} does. */
    public static Design<TellmeKernel> elaborate(AcceleratorConfig config) {
        return Hdl.elaborate(new ElaborationOptions(ClockDomainConfig.VITIS_KERNEL), () -> TellmeKernel.of(config));
    }

    /**
     * Writes the Verilog of the elaborated kernel {@code design} into {@code work} and synthesizes the whole
     * kernel, or only its instance {@code unit} (as the kernel instantiates it) when that is not null;
     * {@code progress} hears the synthesized module's name as synthesis starts.
     *
     * @throws IllegalArgumentException when the kernel's top module has no instance {@code unit}
     */
    public static Result measure(Design<TellmeKernel> design, String unit, Synthesis synthesis, Path work,
                                 Duration timeout, Consumer<String> progress) {
        ModuleNode module = unit == null ? design.top().node() : instance(design, unit).child();
        List<Path> files = new ArrayList<>(design.writeVerilog(work));
        files.removeLast();   // the file list
        String top = module.definitionName();
        progress.accept(top);
        long start = System.nanoTime();
        ResourceReport total;
        List<Part> parts = new ArrayList<>();
        if (synthesis == Synthesis.FLATTENED) {
            total = YosysSynth.run(work, files, top, timeout);
        } else {
            SynthHierarchy hierarchy = YosysSynth.runHierarchy(work, files, top, timeout);
            total = hierarchy.total();
            for (Instance instance : module.instances()) {
                String child = instance.child().definitionName();
                parts.add(new Part(instance.name(), child, hierarchy.total(child).counts()));
            }
            parts.add(new Part(TOP_PART, top, hierarchy.own(top).counts()));
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        return result(design.top().shape.config().name(), unit, top, synthesis, total, parts, minutes);
    }

    /** The names of the instances in the kernel's top module, the units {@link #measure} can synthesize alone. */
    public static List<String> units(Design<TellmeKernel> design) {
        return design.top().node().instances().stream().map(Instance::name).toList();
    }

    private static Instance instance(Design<TellmeKernel> design, String unit) {
        return design.top().node().instances().stream().filter(i -> i.name().equals(unit)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the kernel " + design.topName() + " has no unit '"
                        + unit + "'; its units are " + String.join(", ", units(design))));
    }

    /** The report of a synthesized kernel: its resources against the XCK26, the budget and TeLLMe. */
    static Result result(String config, String unit, String top, Synthesis synthesis, ResourceReport total,
                         List<Part> parts, double minutes) {
        ResourceReport.Counts c = total.counts();
        FpgaDevice d = FpgaDevice.XCK26;
        PublishedFigures t = PublishedFigures.TELLME;
        List<Line> lines = List.of(
                line("URAM288", c.uram(), d.uram(), BUDGET.uram(), t.uram()),
                line("RAMB36 (RAMB36E2 + RAMB18E2 / 2)", c.bramTiles(), d.bram36(), BUDGET.bramTiles(), t.bramTiles()),
                line("DSP48E2", c.dsp(), d.dsp(), BUDGET.dsp(), t.dsp()),
                line("LUT (rough)", c.luts(), d.luts(), BUDGET.luts(), t.luts()),
                line("FF", c.flipFlops(), d.flipFlops(), null, t.flipFlops()));
        boolean fits = lines.stream().noneMatch(l -> l.verdict() == Verdict.OVER);
        return new Result(config, unit, top, synthesis, c, lines, fits, List.copyOf(parts), total.cells(), minutes);
    }

    private static Line line(String resource, double used, int capacity, Integer budget, double tellme) {
        Verdict verdict = budget == null ? null : used <= budget ? Verdict.PASS : Verdict.OVER;
        return new Line(resource, used, capacity, budget, verdict, tellme);
    }

    /** The Markdown report: the budget table, then the split per unit when there is one. */
    public static String markdown(Result r) {
        StringBuilder s = new StringBuilder();
        s.append("# Kernel resources: ").append(r.config()).append(r.unit() == null ? "" : ", unit " + r.unit())
                .append("\n\n");
        s.append(String.format(Locale.ROOT, "%s `%s`, build %s: Yosys 0.23 `synth_xilinx -family xcup%s` (%.1f min)."
                + " URAM, block RAM, DSP and FF counts are reliable; LUT counts are rough (Yosys maps LUTs less well"
                + " than Vivado). Budget: issue 13's for the whole kernel (the XCK26 with a margin on LUTs).%n%n",
                r.unit() == null ? "The whole kernel" : "The kernel's unit `" + r.unit() + "` alone, as the kernel"
                        + " instantiates it:", r.top(), r.config(), r.synthesis() == Synthesis.FLATTENED ? " -flatten" : "",
                r.synthesisMinutes()));
        if (r.synthesis() == Synthesis.HIERARCHICAL) {
            s.append("Synthesized with the hierarchy kept (`--hierarchical`): nothing is optimized across module"
                    + " boundaries, so LUT and FF counts come out somewhat higher than flattened.\n\n");
        }
        FpgaDevice d = FpgaDevice.XCK26;
        s.append("| resource | kernel | ").append(d.name())
                .append(" | share | budget | verdict | ").append(PublishedFigures.TELLME.source()).append(" |\n");
        s.append("|---|---:|---:|---:|---:|---|---:|\n");
        for (Line l : r.lines()) {
            boolean thousands = l.resource().startsWith("LUT") || l.resource().equals("FF");
            s.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.1f %% | %s | %s | %s |%n", l.resource(),
                    figure(l.used()), l.capacity(), 100 * l.used() / l.capacity(),
                    l.budget() == null ? "none" : String.format(Locale.ROOT, "<= %,d", l.budget()),
                    l.verdict() == null ? "" : "**" + l.verdict() + "**",
                    thousands ? PublishedFigures.thousands((int) l.tellme()) : PublishedFigures.plain(l.tellme())));
        }
        s.append(String.format(Locale.ROOT, "%nVerdict: %s.%n", r.fits() ? "fits the budget on every line"
                : "OVER the budget on " + String.join(", ", r.lines().stream()
                        .filter(l -> l.verdict() == Verdict.OVER).map(Line::resource).toList())));
        s.append(String.format(Locale.ROOT, "LUTs: %,d as logic, %,d as memory (distributed RAM and shift registers, in"
                + " LUT6 units).%n", r.counts().lutLogic(), r.counts().lutMemory()));
        if (!r.parts().isEmpty()) {
            s.append("\n## Per unit\n\nEach instance in `").append(r.top()).append("` with everything under it; `")
                    .append(TOP_PART).append("` is its own logic").append(r.unit() == null ? ": the sequencer, the"
                            + " executors, the activation buffers, the quantized store and the record and tap writers"
                            : "").append(".\n\n");
            s.append("| unit | module | URAM288 | RAMB36 | DSP48E2 | LUT | of which memory | FF |\n");
            s.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (Part p : r.parts()) {
                ResourceReport.Counts c = p.counts();
                s.append(String.format(Locale.ROOT, "| %s | `%s` | %d | %s | %d | %,d | %,d | %,d |%n", p.part(),
                        p.module(), c.uram(), figure(c.bramTiles()), c.dsp(), c.luts(), c.lutMemory(),
                        c.flipFlops()));
            }
        }
        s.append("\nCells: ").append(r.cells()).append('\n');
        return s.toString();
    }

    private static String figure(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%,d", (long) value)
                : String.format(Locale.ROOT, "%,.1f", value);
    }
}
