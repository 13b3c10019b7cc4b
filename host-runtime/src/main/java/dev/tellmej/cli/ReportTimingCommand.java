package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.KernelReport;
import dev.tellmej.accel.kernel.KernelTiming;
import dev.tellmej.accel.kernel.TellmeKernel;
import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.timing.TimingAnalysis;
import dev.tellmej.hdl.Design;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme report timing}: the timing risk of a build's kernel without Vivado ({@link KernelTiming}): Yosys
 * {@code synth_xilinx -family xcup} with the hierarchy kept, then the logic depth of every register-to-register
 * path against 300 and 250 MHz, per module and for the worst paths in source terms.
 */
@Command(name = "timing",
        description = {"Timing risk without Vivado (a proxy, not timing): synthesize the kernel 'tellme' with Yosys"
                + " (synth_xilinx -family xcup, hierarchy kept) and add up typical UltraScale+ delays along every"
                + " register-to-register path (LUT levels, carry bits, DSP and RAM stages without registers, nets by"
                + " fanout) against 300 and 250 MHz: per module its worst path (PASS or OVER), the worst paths"
                + " (ten, or --paths) named by register and Java line, and the DSP and RAM outputs without their"
                + " output register.",
                "The budget and why: docs/kernel.md#timing-risk. About 13 minutes for kv260's whole kernel."},
        footer = {"", "With --json it prints KernelTiming.Result: config, unit, top, netlist, synthesisMinutes,"
                + " analysisSeconds, timing (TimingReport: top, model, clocks, modules, worstPaths, unregistered,"
                + " dspRegistersAbsorbed, warnings). Every field, and those of the records inside (DelayModel,"
                + " TimingReport.Clock, .ModuleResult, .TimingPath, .PathPoint, .PathStep, .UnregisteredOutput), is"
                + " described in docs/cli.md."})
final class ReportTimingCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--config", defaultValue = "kv260", description = "build (default: ${DEFAULT-VALUE})")
    String configName;

    @Option(names = "--out", paramLabel = "FILE",
            description = "report file, Markdown (default: target/reports/timing-CONFIG[-UNIT].md)")
    Path out;

    @Option(names = "--work", paramLabel = "DIR", description = "Folder for the Verilog, the Yosys log and the"
            + " netlist yosys-TOP.json (default: a temporary folder).")
    Path work;

    @Option(names = "--unit", paramLabel = "NAME", description = "Analyse only this instance of the kernel's top"
            + " module (tlmm, attention, lm_head, ...), as the kernel instantiates it; the message of an unknown name"
            + " lists them.")
    String unit;

    @Option(names = "--netlist", paramLabel = "FILE", description = "Analyse this netlist, which an earlier run wrote"
            + " into its --work folder (yosys-TOP.json), instead of synthesizing again.")
    Path netlist;

    @Range(min = 1, max = 1000)
    @Option(names = "--paths", paramLabel = "N", defaultValue = "" + TimingAnalysis.DEFAULT_WORST_PATHS,
            description = "How many of the design's worst paths to list, no two sharing a start or an end register"
                    + " (default ${DEFAULT-VALUE}).")
    int paths;

    @Range(min = 1, max = 24 * 60)
    @Option(names = "--timeout-minutes", defaultValue = "120", description = "Yosys time limit (default"
            + " ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(KernelTiming.Result.class);
    }

    @Override
    public Integer call() throws IOException {
        AcceleratorConfig config = ConfigCommand.build(spec.commandLine(), configName);
        Path file = out != null ? out : Path.of("target", "reports", "timing-" + config.name()
                + (unit == null ? "" : "-" + unit) + ".md");
        PrintWriter progress = json.progress();
        KernelTiming.Result result;
        if (netlist != null) {
            if (!Files.isRegularFile(netlist)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--netlist " + netlist
                        + " is not a file; give the yosys-TOP.json an earlier run wrote into its --work folder");
            }
            progress.printf("analysing %s%n", netlist);
            progress.flush();
            result = KernelTiming.analyze(config.name(), unit, null, netlist, List.of(), paths);
        } else {
            EdaTool.YOSYS.require();
            Design<TellmeKernel> kernel = KernelReport.elaborate(config);
            List<String> units = KernelReport.units(kernel);
            if (unit != null && !units.contains(unit)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "the kernel has no unit '" + unit + "'"
                        + ClosestName.of(unit, units).map(n -> "; did you mean '" + n + "'?").orElse("")
                        + " (its units: " + String.join(", ", units) + ")");
            }
            Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("tellme-report-timing");
            result = KernelTiming.measure(kernel, unit, dir, Duration.ofMinutes(timeoutMinutes), paths, top -> {
                progress.printf("synthesizing %s (%s, hierarchical) with Yosys synth_xilinx -family xcup; this takes"
                        + " minutes%s; log: %s%n", top, config.name(), unit != null ? ""
                        : " (about 10 for kv260's whole kernel)", dir.resolve("yosys-" + top + ".log"));
                progress.flush();
            });
        }
        ReportOutput.deliver(file, KernelTiming.markdown(result), result, json, spec.commandLine().getOut());
        return 0;
    }
}
