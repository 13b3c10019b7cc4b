package dev.tellmej.cli;

import dev.tellmej.accel.attention.AttentionShape;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.sim.AttentionBenchmark;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme bench attention}: cycles of the build's attention unit in Verilator for decode at several contexts
 * and prefill of several prompt lengths ({@link AttentionBenchmark}), against the bound
 * {@code max(KV bytes / DDR bandwidth, MACs / MACs per cycle)}, with every output checked against N15.
 */
@Command(name = "attention",
        description = {"Attention unit cycles in Verilator for decode and prefill, per layer, against the DDR and"
                + " compute bounds, for bitnet_b1_58-large's heads and a GQA shape (every output checked bit for bit).",
                "  tellme bench attention [--config NAME] [--contexts N,...] [--prompts N,...] [--json]"})
final class BenchAttentionCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--config", defaultValue = "kv260", description = "build (default: ${DEFAULT-VALUE})")
    String configName;

    @Range(min = 1, max = 1 << 20)
    @Option(names = "--contexts", split = ",", paramLabel = "N",
            description = "decode contexts (default: 128,512,1024,2048,4096 within the build's context)")
    List<Integer> contexts;

    @Range(min = 1, max = 1 << 20)
    @Option(names = "--prompts", split = ",", paramLabel = "N",
            description = "prefill prompt lengths (default: 64,128,512 within the build's context)")
    List<Integer> prompts;

    @Option(names = "--shapes", split = ",", paramLabel = "NAME",
            description = "bitnet (16 heads of 96, MHA) and/or gqa (32 heads, 8 KV heads, 128) (default: both)")
    List<String> shapes;

    @Range(min = 1, max = 100_000)
    @Option(names = "--latency", defaultValue = "100", description = "DDR read latency in cycles (default:"
            + " ${DEFAULT-VALUE})")
    int latency;

    @Range(min = 1, max = 2000)
    @Option(names = "--clock", paramLabel = "MHZ", description = "the clock (default: the build's target); the DDR"
            + " bandwidth is the build's peak at it")
    Double clockMhz;

    @Range(min = Long.MIN_VALUE, max = Long.MAX_VALUE)
    @Option(names = "--seed", defaultValue = "1", description = "seed of the random data (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(AttentionBenchmark.Result.class, AttentionBenchmark.Case.class);
    }

    @Override
    public Integer call() {
        AcceleratorConfig build = ConfigCommand.build(spec.commandLine(), configName);
        double clock = clockMhz != null ? clockMhz : build.clock().targetMhz();
        AttentionBenchmark.Options defaults = AttentionBenchmark.Options.of(build, latency, clock, seed);
        List<AttentionBenchmark.HeadShape> heads = shapes == null ? defaults.shapes() : shapes.stream()
                .map(this::shape).toList();
        AttentionBenchmark.Options options;
        try {
            options = new AttentionBenchmark.Options(build, heads, contexts != null ? contexts : defaults.contexts(),
                    prompts != null ? prompts : defaults.prompts(), latency, defaults.bytesPerCycle(), clock, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean text = !json.enabled();
        if (text) {
            AttentionShape unit = AttentionShape.of(build);
            out.printf(Locale.ROOT, "attention unit %s: %d K and %d V ports of %d bits, %d MACs/cycle (two passes"
                    + " of %d), %d slots; DDR bound at %.1f bytes/cycle (%.1f GB/s at %.0f MHz), read latency %d"
                    + " cycles%n", build.name(), unit.ports(), unit.ports(), 16 * unit.width(), 2 * unit.passWidth(),
                    unit.passWidth(), unit.slots(),
                    options.bytesPerCycle(),
                    options.bytesPerCycle() * clock / 1000, clock, latency);
            out.flush();
        }
        // A bar per head shape, from its model being ready to its last case, so that it never shares the line
        // with the bar of the next shape's model build.
        int casesPerShape = options.contexts().size() + options.prompts().size();
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar[] bar = {new ProgressBar(err, "bench attention")};
        AttentionBenchmark.Result result;
        try {
            result = AttentionBenchmark.run(options, new AttentionBenchmark.Listener() {
                private int left;

                @Override
                public void modelReady(String shape, double seconds) {
                    if (text) {
                        out.printf(Locale.ROOT, "%n%s: model ready in %.1f s%n%n", shape, seconds);
                        out.printf("| kind | tokens | commands/head | cycles/layer | us/layer | ms/model | KV bytes/layer |"
                                + " KV bound | compute bound | of bound | of DDR roofline | exact |%n"
                                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|%n");
                        out.flush();
                    }
                    bar[0].close();
                    bar[0] = new ProgressBar(err, "bench attention " + shape).steps(casesPerShape);
                    left = casesPerShape;
                }

                @Override
                public void measured(AttentionBenchmark.Case c) {
                    if (text) {
                        bar[0].clearLine();
                        out.printf(Locale.ROOT,
                                "| %s | %d | %d | %,d | %,.1f | %,.2f | %,d | %,.0f | %,.0f | %.1f %% | %.1f %%"
                                + " | %s |%n", c.kind(), c.tokens(), c.commands(), c.layerCycles(), c.layerMicros(),
                                c.modelMillis(), c.kvBytes(), c.kvBoundCycles(), c.computeBoundCycles(),
                                100 * c.efficiency(), 100 * c.kvEfficiency(), c.exact() ? "yes" : "NO");
                        out.flush();
                    }
                    bar[0].step(c.kind() + " " + c.tokens());
                    if (--left == 0) {
                        bar[0].close();
                    }
                }
            });
        } finally {
            bar[0].close();
        }
        if (json.enabled()) {
            json.print(result);
        } else {
            out.printf("%n%d KV heads simulated back to back per decode case, %d per prefill case; a layer is the"
                    + " first head plus kv_heads - 1 times what each further head added. of bound = max(KV bound,"
                    + " compute bound) / cycles; of DDR roofline = KV bound / cycles.%n",
                    AttentionBenchmark.DECODE_HEADS, AttentionBenchmark.PREFILL_HEADS);
            out.flush();
        }
        if (result.inexact() > 0) {
            throw new CommandFailedException(result.inexact() + " of " + result.cases().size() + " cases differ from"
                    + " N15", "This is a bug in the attention unit or its driver; AttentionUnitTest narrows it down.");
        }
        return 0;
    }

    private AttentionBenchmark.HeadShape shape(String name) {
        return switch (name) {
            case "bitnet" -> AttentionBenchmark.HeadShape.BITNET_LARGE;
            case "gqa" -> AttentionBenchmark.HeadShape.GQA;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown shape '" + name
                    + "' (bitnet or gqa)");
        };
    }
}
