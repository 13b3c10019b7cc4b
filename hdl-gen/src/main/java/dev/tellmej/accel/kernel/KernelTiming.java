package dev.tellmej.accel.kernel;

import dev.tellmej.eda.YosysSynth;
import dev.tellmej.eda.timing.DelayModel;
import dev.tellmej.eda.timing.SourceLocator;
import dev.tellmej.eda.timing.TimingAnalysis;
import dev.tellmej.eda.timing.TimingMarkdown;
import dev.tellmej.eda.timing.TimingReport;
import dev.tellmej.eda.timing.YosysNetlist;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.ir.ModuleNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The timing risk of a build's kernel without Vivado ({@code tellme report timing}, issue 16): Yosys
 * {@code synth_xilinx -family xcup} with the hierarchy kept, its mapped netlist written as JSON, and the logic
 * depth of every register-to-register path added up by {@link TimingAnalysis} against 300 and 250 MHz, a proxy for
 * timing. The whole kernel or one of its units.
 */
public final class KernelTiming {
    /** The clocks the kernel is held against: the KV260 projection's (see {@code bench accelerator}). */
    public static final List<Double> CLOCKS_MHZ = List.of(300.0, 250.0);

    /**
     * A measured kernel, or one unit of it.
     *
     * @param config           the build
     * @param unit             the instance of the kernel's top module analysed alone, or null for the whole kernel
     * @param top              the synthesized top module
     * @param netlist          the Yosys JSON netlist analysed
     * @param synthesisMinutes Yosys wall time, minutes (0 when an earlier netlist was analysed again)
     * @param analysisSeconds  the analysis's wall time, seconds
     * @param timing           what the analysis found
     */
    public record Result(String config, String unit, String top, Path netlist, double synthesisMinutes,
            double analysisSeconds, TimingReport timing) {}

    private KernelTiming() {}

    /**
     * Writes the Verilog of the elaborated kernel {@code design} into {@code work}, synthesizes the whole kernel or
     * only its instance {@code unit} (when not null) with the hierarchy kept, and analyses the netlist, listing its
     * {@code worstPaths} worst paths; {@code progress} hears the synthesized module's name as synthesis starts.
     *
     * @throws IllegalArgumentException when the kernel's top module has no instance {@code unit}
     */
    public static Result measure(Design<TellmeKernel> design, String unit, Path work, Duration timeout,
                                 int worstPaths, Consumer<String> progress) {
        ModuleNode module = unit == null ? design.top().node()
                : design.top().node().instances().stream().filter(i -> i.name().equals(unit)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("the kernel " + design.topName()
                                + " has no unit '" + unit + "'; its units are "
                                + String.join(", ", KernelReport.units(design)))).child();
        List<Path> files = new ArrayList<>(design.writeVerilog(work));
        files.removeLast();   // the file list
        String top = module.definitionName();
        progress.accept(top);
        long start = System.nanoTime();
        YosysSynth.Netlist netlist = YosysSynth.runNetlist(work, files, top, timeout);
        double minutes = (System.nanoTime() - start) / 60e9;
        Result analysed = analyze(design.top().shape.config().name(), unit, top, netlist.json(), files, worstPaths);
        return new Result(analysed.config(), unit, top, netlist.json(), minutes, analysed.analysisSeconds(),
                analysed.timing());
    }

    /**
     * Analyses a netlist an earlier {@link #measure} wrote (its work folder's {@code yosys-TOP.json});
     * {@code verilog} are the Verilog files it was synthesized from, for the Java lines in their comments (with
     * none, the files the netlist names are read where they still are).
     *
     * @param top        the module to analyse, or null for the one Yosys marked the top
     * @param worstPaths how many of the design's worst paths to list (at least one; the command line's default is
     *                   {@link TimingAnalysis#DEFAULT_WORST_PATHS})
     * @throws IllegalArgumentException when the netlist has no such module
     */
    public static Result analyze(String config, String unit, String top, Path netlist, List<Path> verilog,
                                 int worstPaths) {
        long start = System.nanoTime();
        YosysNetlist parsed = YosysNetlist.read(netlist);
        String name = top != null ? top : parsed.top().map(YosysNetlist.Module::name).orElseThrow(
                () -> new IllegalArgumentException("the netlist " + netlist + " marks no top module; name it"));
        List<Path> files = new ArrayList<>(verilog);
        if (files.isEmpty()) {
            for (YosysNetlist.Module m : parsed.modules().values()) {
                String src = m.src().replaceAll(":\\d+\\.\\d+-\\d+\\.\\d+$", "");
                try {
                    if (!src.isEmpty() && Files.isRegularFile(Path.of(src))) {
                        files.add(Path.of(src));
                    }
                } catch (java.nio.file.InvalidPathException e) {
                    // not a file name: its Java lines stay unknown
                }
            }
        }
        TimingReport timing = TimingAnalysis.analyze(parsed, name, DelayModel.ULTRASCALE_PLUS, CLOCKS_MHZ,
                SourceLocator.reading(files), worstPaths);
        return new Result(config, unit, name, netlist, 0, (System.nanoTime() - start) / 1e9, timing);
    }

    /** The Markdown report: what was synthesized and how, then {@link TimingMarkdown}'s sections. */
    public static String markdown(Result r) {
        String what = r.unit() == null ? "the whole kernel `" + r.top() + "`"
                : "the kernel's unit `" + r.unit() + "` (`" + r.top() + "`) alone, as the kernel instantiates it";
        String synthesis = r.synthesisMinutes() > 0 ? String.format(Locale.ROOT, " (%.1f min)", r.synthesisMinutes())
                : " (an earlier run's, read again with `--netlist`)";
        String intro = String.format(Locale.ROOT, "Build %s, %s: Yosys 0.23 `synth_xilinx -family xcup` with the"
                + " hierarchy kept%s, its netlist (`%s`) analysed in %.1f s. Reproduce with `scripts/tellme report"
                + " timing --config %s%s`.", r.config(), what, synthesis, r.netlist().getFileName(), r.analysisSeconds(),
                r.config(), r.unit() == null ? "" : " --unit " + r.unit());
        return TimingMarkdown.markdown(r.timing(), "Timing risk: " + r.config()
                + (r.unit() == null ? "" : ", unit " + r.unit()), intro);
    }
}
