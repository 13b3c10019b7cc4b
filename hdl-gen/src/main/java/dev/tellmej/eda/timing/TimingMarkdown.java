package dev.tellmej.eda.timing;

import dev.tellmej.eda.timing.TimingReport.Clock;
import dev.tellmej.eda.timing.TimingReport.ModuleResult;
import dev.tellmej.eda.timing.TimingReport.PathPoint;
import dev.tellmej.eda.timing.TimingReport.PathStep;
import dev.tellmej.eda.timing.TimingReport.TimingPath;
import dev.tellmej.eda.timing.TimingReport.UnregisteredOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@link TimingReport} as Markdown: the budget and why, the verdict per clock, per module its worst path, the
 * worst paths of the design in source terms, and the DSP and RAM outputs without their output register.
 */
public final class TimingMarkdown {
    /** The fanout the budget's LUT-level equivalents assume for every net. */
    public static final int TYPICAL_FANOUT = 4;

    private TimingMarkdown() {}

    /**
     * How many LUT levels fit in {@code periodNs} between two flip-flops by {@code model}, every net of fanout
     * {@value #TYPICAL_FANOUT} but the last LUT's into its flip-flop.
     */
    public static int lutLevelsWithin(DelayModel model, double periodNs) {
        double fixed = model.clockToQ() + model.netLocal() + model.ffSetup() + model.clockMargin();
        return (int) Math.floor((periodNs - fixed) / (model.net(TYPICAL_FANOUT) + model.lut()) + 1e-9);
    }

    /**
     * The report.
     *
     * @param title its heading
     * @param intro a paragraph on what was synthesized, and how
     */
    public static String markdown(TimingReport r, String title, String intro) {
        StringBuilder s = new StringBuilder();
        DelayModel m = r.model();
        s.append("# ").append(title).append("\n\n").append(intro).append("\n\n");
        s.append("**A proxy, not timing.** No open-source static timing analyser models UltraScale+, so this adds up"
                + " typical -2 UltraScale+ delays along every register-to-register path of Yosys's mapped netlist: the"
                + " start's clock-to-out, each LUT, MUXF, carry bit and unregistered DSP or RAM stage, each net (by its"
                + " fanout: placement is unknown), the end's setup and a clock margin. Vivado maps, places and routes"
                + " differently; read a path over budget as a risk to fix before place and route, and a path under it"
                + " as no promise.\n\n");
        s.append("## Budget\n\n");
        s.append("A path fits a clock when the period it needs is at most the clock's. In LUT levels: a path from a"
                + " flip-flop through n LUTs to a flip-flop, every net of fanout ").append(TYPICAL_FANOUT)
                .append(String.format(Locale.ROOT, ", needs %.2f + n x %.2f ns", m.clockToQ() + m.netLocal()
                        + m.ffSetup() + m.clockMargin(), m.net(TYPICAL_FANOUT) + m.lut()))
                .append("; a carry chain costs ")
                .append(String.format(Locale.ROOT, "%.2f ns to enter and %.3f ns a bit (a 32-bit adder: %.2f ns)",
                        m.carryEntry(), m.carryPerBit(), m.carryEntry() + 31 * m.carryPerBit()))
                .append(String.format(Locale.ROOT, "; a block RAM read without its output register %.2f ns instead of"
                        + " %.2f; a DSP48E2's multiplier and ALU without registers %.2f ns.%n%n", m.bramClockToOut(),
                        m.bramClockToOutRegistered(), m.dspMultiplier() + m.dspAlu()));
        s.append("| clock | period | LUT levels that fit | verdict | modules over |\n");
        s.append("|---|---:|---:|---|---:|\n");
        for (Clock c : r.clocks()) {
            s.append(String.format(Locale.ROOT, "| %s MHz | %.2f ns | %d | **%s** | %d |%n", number(c.mhz()),
                    c.periodNs(), lutLevelsWithin(m, c.periodNs()), c.verdict(), c.modulesOver()));
        }
        s.append('\n');
        if (r.dspRegistersAbsorbed() > 0) {
            s.append(String.format(Locale.ROOT, "Yosys 0.23 packs no pipeline register into DSP48E2; the analysis"
                    + " counted the flip-flops around %d DSP48E2 (in the netlist, each module once) as their A, B, C,"
                    + " D, M and P registers, as Vivado packs them.%n%n", r.dspRegistersAbsorbed()));
        }

        s.append("## Per module\n\n");
        s.append("Each module once, however often it is instantiated; a path through instances counts in the lowest"
                + " module holding both its ends. Ordered by the period the worst path needs.\n\n");
        s.append("| module | instances | worst path | proxy Fmax | LUT levels | carry bits |");
        r.clocks().forEach(c -> s.append(' ').append(number(c.mhz())).append(" MHz |"));
        s.append(" from | to |\n|---|---:|---:|---:|---:|---:|");
        r.clocks().forEach(c -> s.append("---|"));
        s.append("---|---|\n");
        for (ModuleResult mr : r.modules()) {
            s.append(String.format(Locale.ROOT, "| `%s` | %d | %.2f ns | %.0f MHz | %d | %d |", mr.module(),
                    mr.instances(), mr.periodNs(), mr.fmaxMHz(), mr.lutLevels(), mr.carryBits()));
            mr.verdicts().forEach(v -> s.append(' ').append(v == TimingReport.Verdict.OVER ? "**OVER**" : "PASS")
                    .append(" |"));
            s.append(' ').append(point(mr.start())).append(" | ").append(point(mr.end())).append(" |\n");
        }
        s.append('\n');

        s.append("## The worst paths\n\n");
        s.append("The worst paths of the design, none sharing its module and its start or end signal with a worse"
                + " one (names that differ only in digits count as one: the bits of a register, one register in"
                + " several lanes). Instance paths are below the path's module; `>` separates the cells along the way,"
                + " `[instance]` marks where the path enters one, `CARRY4 xN` is a run of N carry cells.\n\n");
        int rank = 1;
        for (TimingPath p : r.worstPaths()) {
            s.append(String.format(Locale.ROOT, "%d. **%.2f ns** (%.0f MHz) in `%s`: %d LUT levels, %d MUXF, %d carry"
                    + " bits%s%n", rank++, p.periodNs(), p.fmaxMHz(), p.module(), p.lutLevels(), p.muxes(),
                    p.carryBits(), p.hardCells().isEmpty() ? "" : "; " + String.join("; ", p.hardCells())));
            s.append("   - from ").append(point(p.start())).append('\n');
            s.append("   - through ").append(steps(p.steps())).append('\n');
            s.append("   - to ").append(point(p.end())).append('\n');
            if (!p.javaSources().isEmpty()) {
                s.append("   - Java: ").append(String.join(", ", p.javaSources())).append('\n');
            }
        }
        if (r.worstPaths().isEmpty()) {
            s.append("No register-to-register path.\n");
        }
        s.append('\n');

        s.append("## DSP and RAM outputs without their output register\n\n");
        if (r.unregistered().isEmpty()) {
            s.append("None.\n\n");
        } else {
            s.append("Each read (or product) then reaches the fabric late: its logic has that much less of the"
                    + " period. `feeds logic`: an output goes to anything but a flip-flop's D.\n\n");
            s.append("| module | cell | registers off | cells | feeds | worst path through | example |\n");
            s.append("|---|---|---|---:|---|---:|---|\n");
            for (UnregisteredOutput u : r.unregistered()) {
                s.append(String.format(Locale.ROOT, "| `%s` | %s | %s | %d | %s | %s | `%s` |%n", u.module(),
                        u.cellType(), u.missing(), u.count(), u.feedsLogic() ? "logic" : "registers only",
                        Double.isNaN(u.worstPeriodNs()) ? "(in a parent)" : String.format(Locale.ROOT, "%.2f ns",
                                u.worstPeriodNs()), u.example()));
            }
            s.append('\n');
        }

        s.append("## Limits\n\n");
        s.append("- Nets are priced by fanout alone (").append(String.format(Locale.ROOT, "%.2f ns + %.2f ns per"
                + " doubling", m.netBase(), m.netPerFanoutDoubling())).append("); placement, congestion and"
                + " long routes between distant blocks are not seen.\n");
        s.append("- One clock: every flip-flop is taken to share it. The top's inputs count as settled at the clock"
                + " edge and its outputs as due at the next.\n");
        s.append("- Yosys maps logic differently from Vivado (adders as CARRY4 chains, wide products as DSP48E2"
                + " partial products summed in fabric); LUT levels and carry lengths follow Yosys's mapping.\n");
        s.append("- Paths cross module boundaries through per-port summaries: exact per output bit, but the delay"
                + " through an instance is its worst from each input port, whatever the bit.\n");
        if (!r.warnings().isEmpty()) {
            s.append("\n## Warnings\n\n");
            r.warnings().forEach(w -> s.append("- ").append(w).append('\n'));
        }
        return s.toString();
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    private static String point(PathPoint p) {
        String where = p.instance().isEmpty() ? "" : "`" + p.instance() + "` ";
        return where + "`" + p.signal() + "` (" + p.cell() + (p.source().isEmpty() ? "" : ", " + p.source()) + ")";
    }

    /** The cells along a path, a run of carry cells as one, the instance named where it changes. */
    private static String steps(List<PathStep> steps) {
        if (steps.isEmpty()) {
            return "nothing (register to register)";
        }
        List<String> parts = new ArrayList<>();
        String instance = "";
        for (int i = 0; i < steps.size(); i++) {
            PathStep step = steps.get(i);
            int run = 1;
            while (step.cell().startsWith("CARRY") && i + run < steps.size()
                    && steps.get(i + run).cell().equals(step.cell())
                    && steps.get(i + run).instance().equals(step.instance())) {
                run++;
            }
            PathStep last = steps.get(i + run - 1);
            StringBuilder part = new StringBuilder();
            if (!step.instance().equals(instance)) {
                part.append("[").append(step.instance().isEmpty() ? "(module)" : step.instance()).append("] ");
                instance = step.instance();
            }
            part.append(step.cell()).append(run > 1 ? " x" + run : "");
            String signal = last.signal().isEmpty() ? step.signal() : last.signal();
            String source = last.source().isEmpty() ? step.source() : last.source();
            if (!signal.isEmpty()) {
                part.append(" `").append(signal).append('`');
            }
            if (!source.isEmpty()) {
                part.append(" (").append(source).append(')');
            }
            parts.add(part.toString());
            i += run - 1;
        }
        return String.join(" > ", parts);
    }
}
