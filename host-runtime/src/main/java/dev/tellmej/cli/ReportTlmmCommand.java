package dev.tellmej.cli;

import dev.tellmej.accel.tlmm.TlmmConfig;
import dev.tellmej.accel.tlmm.TlmmReport;
import dev.tellmej.eda.EdaTool;
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
 * {@code tellme report tlmm}: Yosys {@code synth_xilinx -family xcup} of a TLMM engine configuration
 * ({@link TlmmReport}), written as Markdown beside the XCK26's capacity and TeLLMe's published figures.
 */
@Command(name = "tlmm",
        description = "Synthesize the TLMM engine with Yosys (synth_xilinx -family xcup) and write a resource report.")
final class ReportTlmmCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--config", defaultValue = "kv260", description = "engine configuration (default: ${DEFAULT-VALUE})")
    String configName;

    @Option(names = "--out", paramLabel = "FILE",
            description = "report file, Markdown (default: target/reports/tlmm-CONFIG.md)")
    Path out;

    @Range(min = 1, max = 24 * 60)
    @Option(names = "--timeout-minutes", defaultValue = "120", description = "Yosys time limit (default ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(TlmmReport.Result.class);
    }

    @Override
    public Integer call() throws IOException {
        TlmmConfig config = ConfigCommand.build(spec.commandLine(), configName).tlmmConfig();
        Path file = out != null ? out : Path.of("target", "reports", "tlmm-" + config.name() + ".md");
        EdaTool.YOSYS.require();
        PrintWriter progress = json.progress();
        Path work = Files.createTempDirectory("tellme-report-tlmm");
        TlmmReport.Result result = TlmmReport.measure(config, work, Duration.ofMinutes(timeoutMinutes), top -> {
            progress.printf("synthesizing %s with Yosys synth_xilinx -family xcup (this takes minutes)...%n", top);
            progress.flush();
        });
        ReportOutput.deliver(file, TlmmReport.markdown(result), result, json, spec.commandLine().getOut());
        return 0;
    }
}
