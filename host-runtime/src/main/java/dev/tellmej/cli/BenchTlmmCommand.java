package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.sim.TlmmBenchmark;
import dev.tellmej.accel.tlmm.TlmmConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme bench tlmm}: cycle counts of the TLMM engine in Verilator for the linear shapes of
 * bitnet_b1_58-large against the DDR/compute bound ({@link TlmmBenchmark}), with the DDR model at the
 * KV260's 76.8 bytes per cycle. Every product is also checked bit for bit against the model.
 */
@Command(name = "tlmm",
        description = "TLMM engine cycles in Verilator against the DDR/compute bound, for the linear shapes of the"
                + " build's largest model, with the build's DDR bandwidth at a clock.")
final class BenchTlmmCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--config", defaultValue = "kv260", description = "engine configuration (default: ${DEFAULT-VALUE})")
    String configName;

    @Range(min = 1, max = 1024)
    @Option(names = "--tokens", split = ",", defaultValue = "1,8",
            description = "activation vectors per product, comma-separated (default: ${DEFAULT-VALUE})")
    List<Integer> tokens;

    @Range(min = 1, max = 100_000)
    @Option(names = "--latency", defaultValue = "100", description = "DDR read latency in cycles (default: ${DEFAULT-VALUE})")
    int latency;

    @Range(min = 1, max = 2000)
    @Option(names = "--clock", paramLabel = "MHZ", description = "the clock (default: the build's target); the DDR"
            + " model gets the weight ports' bytes per cycle at it, or the DDR's peak when that is smaller")
    Double clockMhz;

    @Range(min = 0, max = 4096, minExclusive = true)
    @Option(names = "--bandwidth", description = "DDR bytes per cycle, overriding the build's at the clock")
    Double bandwidth;

    @Range(min = Long.MIN_VALUE, max = Long.MAX_VALUE)
    @Option(names = "--seed", defaultValue = "1", description = "seed of the random matrices (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(TlmmBenchmark.Result.class);
    }

    @Override
    public Integer call() {
        AcceleratorConfig build = ConfigCommand.build(spec.commandLine(), configName);
        double clock = clockMhz != null ? clockMhz : build.clock().targetMhz();
        TlmmBenchmark.Options base = TlmmBenchmark.Options.of(build, tokens, latency, clock, seed);
        TlmmBenchmark.Options options = bandwidth == null ? base : new TlmmBenchmark.Options(base.config(),
                base.shapes(), tokens, latency, bandwidth, clock, seed);
        TlmmConfig config = options.config();
        PrintWriter out = spec.commandLine().getOut();
        boolean text = !json.enabled();
        if (text) {
            out.printf(Locale.ROOT, "TLMM engine %s: T = %d, Q = %d, %d x %d-bit AXI ports, %d MACs/cycle, %.3f"
                    + " bits/weight packing%n", config.name(), config.tables(), config.columns(), config.ports(),
                    config.portDataBits(), config.macsPerCycle(), config.bitsPerWeight());
            out.printf(Locale.ROOT, "DDR model: %.1f bytes/cycle (%.1f GB/s at %.0f MHz), read latency %d cycles%n",
                    options.bytesPerCycle(), options.bytesPerCycle() * clock / 1000, clock, latency);
            out.flush();
        }
        // Started when the model is ready, so that it never shares the line with the model build's bar.
        ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), "bench tlmm");
        TlmmBenchmark.Result result;
        try (bar) {
            result = TlmmBenchmark.run(options, new TlmmBenchmark.Listener() {
                    @Override
                    public void modelReady(double seconds) {
                        if (text) {
                            out.printf(Locale.ROOT, "model ready in %.1f s (built once, then cached)%n%n", seconds);
                            out.printf("| shape (out x in) | tokens | cycles | time (us) | DDR bytes | bits/weight read |"
                                    + " DDR bound | compute bound | efficiency | exact |%n"
                                    + "|---|---|---|---|---|---|---|---|---|---|%n");
                            out.flush();
                        }
                        bar.steps((long) options.shapes().size() * tokens.size());
                    }

                    @Override
                    public void measured(TlmmBenchmark.Product p) {
                        if (text) {
                            bar.clearLine();
                            out.printf(Locale.ROOT, "| %d x %d | %d | %,d | %,.1f | %,d | %.3f | %,.0f | %,.0f | %.1f %% | %s |%n",
                                    p.rows(), p.cols(), p.tokens(), p.cycles(), p.micros(), p.ddrBytes(), p.bitsPerWeight(),
                                    p.ddrBoundCycles(), p.computeBoundCycles(), 100 * p.efficiency(),
                                    p.exact() ? "yes" : "NO");
                            out.flush();
                        }
                        bar.step(p.rows() + " x " + p.cols() + ", " + p.tokens() + " tokens");
                    }
                });
        }
        if (json.enabled()) {
            json.print(result);
        } else {
            TlmmBenchmark.Shape last = options.shapes().getLast();
            out.printf(Locale.ROOT, "%nefficiency = max(DDR bound, compute bound) / cycles; a %d x %d matrix is %d"
                    + " tile(s) of %d row groups.%n", last.rows(), last.cols(), result.largestTiles(), result.tileGroups());
            out.flush();
        }
        if (result.inexact() > 0) {
            throw new CommandFailedException(result.inexact() + " of " + result.products().size() + " products differ"
                    + " from the model's TLMM reference", "This is a bug in the TLMM engine or its driver; the"
                    + " engine's tests (TlmmEngineTest) narrow it down.");
        }
        return 0;
    }
}
