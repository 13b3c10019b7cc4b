package dev.tellmej.cli;

import dev.tellmej.model.bench.DecodeSpeedBenchmark;
import dev.tellmej.model.bench.StudentNllBenchmark;
import dev.tellmej.model.numerics.ExactConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench model}: prefill and decode tokens/s and peak memory of the hardware-exact path on a GGUF file or a
 * synthetic model shaped like bitnet_b1_58-large ({@link DecodeSpeedBenchmark}), or with {@code --nll} the
 * held-out NLL of the ternary student on both paths ({@link StudentNllBenchmark}).
 */
@Command(name = "model",
        description = {"Prefill (-p) and decode (-n) speed and peak memory of the hardware-exact path, as llama-bench's"
                + " pp and tg, on --model FILE or on a synthetic bitnet_b1_58-large-shaped model (random ternary weights"
                + " written by the GGUF writer); or with --nll the NLL per token of the ternary student on the float"
                + " and exact paths, on text sampled from the float teacher."})
final class BenchModelCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--nll", description = "measure NLL per token instead of speed")
    boolean nll;

    @Range(min = 1, max = 256)
    @Option(names = "--threads", defaultValue = "2", description = "worker threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Range(min = 1, max = 1000)
    @Option(names = "--runs", defaultValue = "5", description = "timed runs; the median is reported (default: ${DEFAULT-VALUE})")
    int runs;

    @Range(min = 1, max = 1 << 16)
    @Option(names = {"-n", "--tokens"}, defaultValue = "16", description = "decode steps per run (default: ${DEFAULT-VALUE})")
    int tokens;

    @Range(min = 0, max = 1 << 16)
    @Option(names = {"-p", "--prompt-tokens"}, defaultValue = "0", description = "tokens per timed prefill, 0 for none"
            + " (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Range(min = 0, max = 1 << 16)
    @Option(names = {"-d", "--depth"}, defaultValue = "0", description = "tokens in the cache before each timed decode"
            + " run (default: ${DEFAULT-VALUE})")
    int depth;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "a GGUF model to measure (default: the"
            + " synthetic model)")
    Path model;

    @Range(min = 0, max = 1000)
    @Option(names = "--warmup", defaultValue = "16", description = "untimed warm-up steps (default: ${DEFAULT-VALUE})")
    int warmup;

    @Range(min = 1, max = 64)
    @Option(names = "--layers", defaultValue = "24", description = "synthetic model layers (default: ${DEFAULT-VALUE})")
    int layers;

    @Range(min = 259, max = 262_144)
    @Option(names = "--vocab", defaultValue = "32002", description = "synthetic model vocabulary (default: ${DEFAULT-VALUE})")
    int vocab;

    @Range(min = Long.MIN_VALUE, max = Long.MAX_VALUE)
    @Option(names = "--seed", defaultValue = "1", description = "weights seed, or the NLL text seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Range(min = 1, max = 10_000)
    @Option(names = "--sequences", defaultValue = "16", description = "--nll: sampled sequences (default: ${DEFAULT-VALUE})")
    int sequences;

    @Range(min = 2, max = 512)
    @Option(names = "--length", defaultValue = "256", description = "--nll: tokens per sequence, at most the"
            + " model's context of 512 (default: ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--config", paramLabel = "NAME", defaultValue = "kv260", description = "the accelerator build"
            + " whose arithmetic the exact path reproduces (default: ${DEFAULT-VALUE})")
    String configName;

    @Range(min = 1, max = 1024)
    @Option(names = "--lanes", description = "exact path lanes, a power of two (default: the build's)")
    Integer lanes;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "where the synthetic model is written (default: ~/.cache/tellme-j)")
    Path cacheDir;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(DecodeSpeedBenchmark.Result.class, StudentNllBenchmark.Result.class);
    }

    @Override
    public Integer call() {
        ExactConfig exact;
        try {
            exact = RunCommand.exactConfig(ConfigCommand.build(spec.commandLine(), configName), lanes, null);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lanes: " + e.getMessage());
        }
        Path dir = cacheDir != null ? cacheDir : ModelFiles.cacheDir();
        return nll ? nll(exact, dir) : speed(exact, dir);
    }

    private int nll(ExactConfig exact, Path dir) {
        PrintWriter progress = json.progress();
        StudentNllBenchmark.Result r = StudentNllBenchmark.run(new StudentNllBenchmark.Options(sequences, length, seed,
                exact), dir, line -> {
                    progress.println(line);
                    progress.flush();
                });
        if (json.enabled()) {
            json.print(r);
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "NLL per token over %d predicted tokens (nats):%n", r.predictedTokens());
        out.printf(Locale.ROOT, "  teacher, float                         %.4f%n", r.teacherFloat());
        out.printf(Locale.ROOT, "  ternary student, float W1.58 A8 path   %.4f%n", r.studentFloat());
        out.printf(Locale.ROOT, "  ternary student, hardware-exact path   %.4f  (L = %d, %s storage)%n",
                r.studentExact(), exact.lanes(), exact.storage().name().toLowerCase(Locale.ROOT));
        out.printf(Locale.ROOT, "  exact - float                          %+.4f%n", r.exactMinusFloat());
        return 0;
    }

    private int speed(ExactConfig exact, Path dir) {
        PrintWriter progress = json.progress();
        boolean text = !json.enabled();
        DecodeSpeedBenchmark.Result r;
        try (ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), "bench model")) {
            r = DecodeSpeedBenchmark.run(new DecodeSpeedBenchmark.Options(layers, vocab, seed, exact, threads, warmup,
                    runs, tokens, promptTokens, depth, model), dir, new DecodeSpeedBenchmark.Listener() {
                        @Override
                        public void progress(String message) {
                            progress.println(message);
                            progress.flush();
                        }

                        @Override
                        public void ready(DecodeSpeedBenchmark.Setup setup) {
                            if (text) {
                                printSetup(progress, setup);
                            }
                        }

                        @Override
                        public void step(int done, int total, String what) {
                            bar.steps(total).step(what);
                        }
                    });
        }
        if (json.enabled()) {
            json.print(r);
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (r.promptTokens() > 0) {
            out.printf(Locale.ROOT, "prefill: %.2f tokens/s (pp%d, median of %d runs; runs: %s)%n",
                    r.prefillTokensPerSecond(), r.promptTokens(), runs, Arrays.stream(r.runPrefillTokensPerSecond())
                            .mapToObj(v -> String.format(Locale.ROOT, "%.2f", v)).toList());
        }
        out.printf(Locale.ROOT, "decode: %.2f tokens/s (tg%d%s, median of %d runs; runs: %s)%n",
                r.tokensPerSecond(), r.tokensPerRun(), r.depth() > 0 ? " at a depth of " + r.depth() : "", runs,
                Arrays.stream(r.runTokensPerSecond()).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v)).toList());
        out.printf(Locale.ROOT, "        %.2f GMAC/s ternary (%.1f M MACs/token), %.2f GMAC/s with the int8 LM head%n",
                r.ternaryGmacPerSecond(), r.ternaryMacsPerToken() / 1e6, r.totalGmacPerSecond());
        if (r.peakRssBytes() >= 0) {
            out.printf(Locale.ROOT, "peak memory: %.0f MB resident (VmHWM)%n", r.peakRssBytes() / 1e6);
        }
        return 0;
    }

    private static void printSetup(PrintWriter out, DecodeSpeedBenchmark.Setup s) {
        out.printf(Locale.ROOT, "model: %s, %d layers, hidden %d, FFN %d, vocab %d, %.1f M ternary weights"
                + " (ready in %.1f s)%n", s.file().getFileName(), s.shape().layers(), s.shape().dim(), s.shape().ffn(),
                s.shape().vocab(), s.ternaryWeights() / 1e6, s.readySeconds());
        out.printf(Locale.ROOT, "exact path: L = %d, %s storage, %d threads, TLMM kernel: %s%n", s.exact().lanes(),
                s.exact().storage().name().toLowerCase(Locale.ROOT), s.threads(), switch (s.kernel()) {
                    case TABLE_512 -> "Vector API (512-bit table select)";
                    case CODES_256 -> "Vector API (256-bit 2-bit codes x int16)";
                    case SCALAR -> "scalar";
                });
        out.flush();
    }
}
