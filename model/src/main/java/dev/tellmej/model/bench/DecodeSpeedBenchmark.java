package dev.tellmej.model.bench;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.DecodeBenchmark;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.ternary.TlmmKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Prefill and decode speed and peak memory of the hardware-exact path, on a given GGUF file or on a synthetic model
 * shaped like bitnet_b1_58-large (random ternary weights written by the GGUF writer, kept in a cache folder for the
 * next run). Used by {@code tellme bench model}.
 */
public final class DecodeSpeedBenchmark {
    private DecodeSpeedBenchmark() {}

    /**
     * What to measure.
     *
     * @param layers  layers of the synthetic model (bitnet_b1_58-large has 24)
     * @param vocab   its vocabulary (bitnet_b1_58-large: 32,002; at least 259)
     * @param seed    seed of the random weights
     * @param exact   the exact path's configuration
     * @param threads worker threads of the ternary products
     * @param warmup  untimed decode steps first
     * @param runs    timed runs; the median is reported
     * @param tokens  decode steps per run (llama-bench's {@code -n})
     * @param promptTokens tokens per timed prefill (llama-bench's {@code -p}; 0: none)
     * @param depth   tokens in the cache before each timed decode run (llama-bench's {@code -d})
     * @param model   the GGUF to measure, or null for the synthetic model
     */
    public record Options(int layers, int vocab, long seed, ExactConfig exact, int threads, int warmup, int runs,
            int tokens, int promptTokens, int depth, Path model) {}

    /**
     * The model as measured.
     *
     * @param file           the GGUF measured (the synthetic one unless a file was given)
     * @param shape          its shape (architecture, sizes)
     * @param ternaryWeights ternary weights in its linears
     * @param readySeconds   writing (first run only), loading and preparing the model, seconds
     * @param exact          the exact path's configuration
     * @param threads        worker threads
     * @param vectorApi      the TLMM kernel uses the Vector API; false: the scalar loop
     * @param kernel         which kernel: the scalar loop, the 512-bit table select or the 256-bit code multiply
     */
    public record Setup(Path file, SyntheticModel.Shape shape, long ternaryWeights, double readySeconds,
            ExactConfig exact, int threads, boolean vectorApi, TlmmKernel.Kind kernel) {}

    /**
     * The figures.
     *
     * @param setup                the model as measured
     * @param warmupTokens         untimed decode steps
     * @param tokensPerRun         decode steps per timed run
     * @param tokensPerSecond      median decode speed over the runs, tokens per second
     * @param runTokensPerSecond   every run's speed, in order
     * @param promptTokens         tokens per timed prefill (0: not measured)
     * @param prefillTokensPerSecond median prefill speed, tokens per second (0 when not measured)
     * @param runPrefillTokensPerSecond every prefill run's speed, in order
     * @param depth                tokens in the cache before each timed decode run
     * @param peakRssBytes         the process's peak resident memory at the end ({@code VmHWM}), bytes; -1 where
     *                             the system does not say
     * @param ternaryMacsPerToken  ternary multiply-accumulates per token (the linears)
     * @param headMacsPerToken     int8 multiply-accumulates per token of the LM head
     * @param ternaryGmacPerSecond ternary GMAC/s at the median speed
     * @param totalGmacPerSecond   all GMAC/s (ternary and LM head) at the median speed
     */
    public record Result(Setup setup, int warmupTokens, int tokensPerRun, double tokensPerSecond,
            double[] runTokensPerSecond, int promptTokens, double prefillTokensPerSecond,
            double[] runPrefillTokensPerSecond, int depth, long peakRssBytes, long ternaryMacsPerToken, long headMacsPerToken, double ternaryGmacPerSecond,
            double totalGmacPerSecond) {}

    /** Hears the benchmark's progress. */
    public interface Listener {
        /** A step that takes a while starts (one line of text). */
        default void progress(String message) {}

        /** The model is loaded; the timed decoding starts. */
        default void ready(Setup setup) {}

        /** A step of the timed part ended (see {@link DecodeBenchmark.Steps}; called outside the timed code). */
        default void step(int done, int total, String what) {}
    }

    /** The synthetic model's shape: bitnet_b1_58-large's, with the given layers and vocabulary. */
    public static SyntheticModel.Shape shape(int layers, int vocab) {
        SyntheticModel.Shape large = SyntheticModel.Shape.bitnetLarge();
        return new SyntheticModel.Shape(large.architecture(), layers, large.dim(), large.heads(), large.kvHeads(),
                large.ffn(), vocab, Activation.SILU, true, large.contextLength());
    }

    /** The shape of a model file, as the benchmark reports it. */
    static SyntheticModel.Shape shapeOf(ModelConfig c) {
        return new SyntheticModel.Shape(c.architecture(), c.layers(), c.dim(), c.heads(), c.kvHeads(), c.ffnDim(),
                Math.max(259, c.vocabSize()), c.activation(), c.tiedEmbeddings(), c.contextLength());
    }

    /**
     * Loads {@code options.model()} (or writes the synthetic model into {@code cacheDir} unless it is there and
     * loads that), then times prefill and decoding.
     */
    public static Result run(Options options, Path cacheDir, Listener listener) {
        long t0 = System.nanoTime();
        Path file = options.model();
        if (file == null) {
            SyntheticModel.Shape synthetic = shape(options.layers(), options.vocab());
            file = cacheDir.resolve(String.format(Locale.ROOT, "synthetic-bitnet-%dx%d-ffn%d-v%d-seed%d.gguf",
                    synthetic.layers(), synthetic.dim(), synthetic.ffn(), synthetic.vocab(), options.seed()));
            if (!Files.isRegularFile(file)) {
                listener.progress(String.format(Locale.ROOT, "writing %s (random ternary weights, seed %d)...", file,
                        options.seed()));
                SyntheticModel.write(synthetic, options.seed(), file);
            }
        }
        int capacity = Math.max(options.promptTokens(), Math.max(options.depth(), 1) + Math.max(options.tokens(),
                options.warmup())) + 1;
        // Layer by layer from the mapped file, which the model keeps open: the ternary matrices are packed from the
        // file's encoding a few rows at a time, and the embedding is read in place.
        ExactModel model = ExactModel.open(GgufFile.open(file), options.exact(), capacity, options.threads());
        SyntheticModel.Shape shape = shapeOf(model.config());
        Setup setup = new Setup(file, shape, shape.ternaryWeights(), (System.nanoTime() - t0) / 1e9, options.exact(),
                options.threads(), model.vectorized(), model.kernelKind());
        listener.ready(setup);
        DecodeBenchmark.Result r;
        try {
            r = DecodeBenchmark.run(model, options.warmup(), options.runs(), options.tokens(), options.promptTokens(),
                    options.depth(), listener::step);
        } finally {
            model.close();
        }
        return new Result(setup, options.warmup(), options.tokens(), r.tokensPerSecond(), r.runs(),
                options.promptTokens(), r.prefillTokensPerSecond(), r.prefillRuns(), options.depth(), peakRss(),
                r.ternaryMacs(), r.headMacs(), r.ternaryGmacPerSecond(), r.totalGmacPerSecond());
    }

    /** The process's peak resident set ({@code VmHWM} of /proc/self/status), bytes, or -1. */
    public static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
