package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.KernelReport;
import dev.tellmej.accel.kernel.TellmeKernel;
import dev.tellmej.eda.EdaTool;
import dev.tellmej.hdl.Design;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme report accelerator}: Yosys {@code synth_xilinx -family xcup} of a build's whole kernel
 * ({@link KernelReport}), written as Markdown beside the XCK26's capacity, issue 13's budget (PASS or OVER per
 * line) and TeLLMe's published figures.
 */
@Command(name = "accelerator",
        description = {"Synthesize the whole kernel 'tellme' with Yosys (synth_xilinx -family xcup) and write a"
                + " resource report: URAM288, RAMB36, DSP48E2, LUT (rough) and FF against the XCK26, issue 13's"
                + " budget (PASS or OVER per line) and TeLLMe's figures.",
                "Flattened by default, as the other reports (hours on kv260); --hierarchical keeps the hierarchy"
                        + " (faster) and adds the split per top-level unit."})
final class ReportAcceleratorCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--config", defaultValue = "kv260", description = "build (default: ${DEFAULT-VALUE})")
    String configName;

    @Option(names = "--out", paramLabel = "FILE",
            description = "report file, Markdown (default: target/reports/accelerator-CONFIG[-UNIT].md)")
    Path out;

    @Option(names = "--work", paramLabel = "DIR", description = "Folder for the Verilog and the Yosys log and"
            + " statistics (default: a temporary folder).")
    Path work;

    @Option(names = "--unit", paramLabel = "NAME", description = "Synthesize only this instance of the kernel's top"
            + " module (tlmm, attention, lm_head, ...), as the kernel instantiates it; the message of an unknown name"
            + " lists them.")
    String unit;

    @Option(names = "--hierarchical", description = "Keep the hierarchy: each module synthesized once, nothing"
            + " optimized across module boundaries (LUT and FF counts somewhat higher); faster, and the report splits"
            + " the resources per top-level unit.")
    boolean hierarchical;

    @Range(min = 1, max = 24 * 60)
    @Option(names = "--timeout-minutes", defaultValue = "480", description = "Yosys time limit (default"
            + " ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(KernelReport.Result.class);
    }

    @Override
    public Integer call() throws IOException {
        AcceleratorConfig config = ConfigCommand.build(spec.commandLine(), configName);
        Path file = out != null ? out : Path.of("target", "reports", "accelerator-" + config.name()
                + (unit == null ? "" : "-" + unit) + ".md");
        EdaTool.YOSYS.require();
        Design<TellmeKernel> kernel = KernelReport.elaborate(config);
        List<String> units = KernelReport.units(kernel);
        if (unit != null && !units.contains(unit)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the kernel has no unit '" + unit + "'"
                    + ClosestName.of(unit, units).map(n -> "; did you mean '" + n + "'?").orElse("")
                    + " (its units: " + String.join(", ", units) + ")");
        }
        PrintWriter progress = json.progress();
        Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("tellme-report-accelerator");
        KernelReport.Synthesis synthesis = hierarchical ? KernelReport.Synthesis.HIERARCHICAL
                : KernelReport.Synthesis.FLATTENED;
        KernelReport.Result result = KernelReport.measure(kernel, unit, synthesis, dir, Duration.ofMinutes(timeoutMinutes),
                top -> {
                    progress.printf("synthesizing %s (%s, %s) with Yosys synth_xilinx -family xcup; this takes"
                            + " minutes%s; log: %s%n", top, config.name(), synthesis.name().toLowerCase(Locale.ROOT),
                            hierarchical || unit != null ? "" : " (hours for kv260's whole kernel)", dir.resolve("yosys-" + top + ".log"));
                    progress.flush();
                });
        ReportOutput.deliver(file, KernelReport.markdown(result), result, json, spec.commandLine().getOut());
        return 0;
    }
}
