package dev.tellmej.cli;

import dev.tellmej.accel.attention.AttentionReport;
import dev.tellmej.accel.config.AcceleratorConfig;
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
 * {@code tellme report attention}: Yosys {@code synth_xilinx -family xcup} of a build's attention unit and
 * KV-cache writer ({@link AttentionReport}), written as Markdown beside the XCK26's capacity.
 */
@Command(name = "attention",
        description = "Synthesize the attention unit and the KV-cache writer with Yosys (synth_xilinx -family xcup)"
                + " and write a resource report.")
final class ReportAttentionCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--config", defaultValue = "kv260", description = "build (default: ${DEFAULT-VALUE})")
    String configName;

    @Option(names = "--out", paramLabel = "FILE",
            description = "report file, Markdown (default: target/reports/attention-CONFIG.md)")
    Path out;

    @Range(min = 1, max = 24 * 60)
    @Option(names = "--timeout-minutes", defaultValue = "120", description = "Yosys time limit per block (default"
            + " ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(AttentionReport.Result.class, AttentionReport.Block.class);
    }

    @Override
    public Integer call() throws IOException {
        AcceleratorConfig config = ConfigCommand.build(spec.commandLine(), configName);
        Path file = out != null ? out : Path.of("target", "reports", "attention-" + config.name() + ".md");
        EdaTool.YOSYS.require();
        PrintWriter progress = json.progress();
        Path work = Files.createTempDirectory("tellme-report-attention");
        AttentionReport.Result result = AttentionReport.measure(config, work, Duration.ofMinutes(timeoutMinutes),
                top -> {
                    progress.printf("synthesizing %s with Yosys synth_xilinx -family xcup (this takes minutes)...%n",
                            top);
                    progress.flush();
                });
        ReportOutput.deliver(file, AttentionReport.markdown(result), result, json, spec.commandLine().getOut());
        return 0;
    }
}
