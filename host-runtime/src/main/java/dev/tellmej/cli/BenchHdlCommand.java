package dev.tellmej.cli;

import dev.tellmej.hdl.bench.CompilerBenchmark;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tellme bench hdl}: elaboration, all checks and Verilog emission of a large synthetic design. */
@Command(name = "hdl", description = "Time elaboration + checks + Verilog emission of a synthetic design"
        + " (default about 100,000 IR nodes).")
final class BenchHdlCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Range(min = 1, max = 1000)
    @Option(names = "--lanes", defaultValue = "25", description = "Independent datapaths (default ${DEFAULT-VALUE}).")
    int lanes;

    @Range(min = 1, max = 10_000)
    @Option(names = "--depth", defaultValue = "320", description = "Steps per datapath (default ${DEFAULT-VALUE}).")
    int depth;

    @Range(min = 0, max = 1000)
    @Option(names = "--warmups", defaultValue = "3", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
    int warmups;

    @Range(min = 1, max = 1000)
    @Option(names = "--runs", defaultValue = "7", description = "Timed runs (default ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(CompilerBenchmark.Result.class);
    }

    @Override
    public Integer call() {
        CompilerBenchmark.Result result = CompilerBenchmark.run(lanes, depth, warmups, runs);
        if (json.enabled()) {
            json.print(result);
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "design: SyntheticDesign lanes=%d depth=%d, %,d IR nodes, %,d bytes of Verilog%n",
                lanes, depth, result.nodes(), result.verilogBytes());
        out.printf(Locale.ROOT, "elaborate + check + emit: median %.0f ms over %d runs (after %d warm-up runs)%n",
                result.medianMillis(), runs, warmups);
        out.printf(Locale.ROOT, "runs (ms): %s%n", result.runsMillis().stream()
                .map(ms -> String.format(Locale.ROOT, "%.0f", ms)).toList());
        out.printf(Locale.ROOT, "throughput: %,.0f IR nodes/s%n", result.nodes() / (result.medianMillis() / 1000));
        return 0;
    }
}
