package dev.tellmej.model.bench;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.DecodeBenchmark;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.ModelWeights;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.synthetic.SyntheticModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Decode speed of the hardware-exact path on a synthetic model shaped like bitnet_b1_58-large (random ternary
 * weights written by the GGUF writer, kept in a cache folder for the next run). Used by
 * {@code tellme bench model}.
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
     * @param tokens  decode steps per run
     */
    public record Options(int layers, int vocab, long seed, ExactConfig exact, int threads, int warmup, int runs,
            int tokens) {}

    /**
     * The model as measured.
     *
     * @param file           the synthetic GGUF
     * @param shape          its shape
     * @param ternaryWeights ternary weights in its linears
     * @param readySeconds   writing (first run only), loading and preparing the model, seconds
     * @param exact          the exact path's configuration
     * @param threads        worker threads
     * @param vectorApi      the TLMM kernel uses the Vector API (512-bit table select); false: the scalar loop
     */
    public record Setup(Path file, SyntheticModel.Shape shape, long ternaryWeights, double readySeconds,
            ExactConfig exact, int threads, boolean vectorApi) {}

    /**
     * The figures.
     *
     * @param setup                the model as measured
     * @param warmupTokens         untimed decode steps
     * @param tokensPerRun         decode steps per timed run
     * @param tokensPerSecond      median decode speed over the runs, tokens per second
     * @param runTokensPerSecond   every run's speed, in order
     * @param ternaryMacsPerToken  ternary multiply-accumulates per token (the linears)
     * @param headMacsPerToken     int8 multiply-accumulates per token of the LM head
     * @param ternaryGmacPerSecond ternary GMAC/s at the median speed
     * @param totalGmacPerSecond   all GMAC/s (ternary and LM head) at the median speed
     */
    public record Result(Setup setup, int warmupTokens, int tokensPerRun, double tokensPerSecond,
            double[] runTokensPerSecond, long ternaryMacsPerToken, long headMacsPerToken, double ternaryGmacPerSecond,
            double totalGmacPerSecond) {}

    /** Hears the benchmark's progress. */
    public interface Listener {
        /** A step that takes a while starts (one line of text). */
        default void progress(String message) {}

        /** The model is loaded; the timed decoding starts. */
        default void ready(Setup setup) {}
    }

    /** The synthetic model's shape: bitnet_b1_58-large's, with the given layers and vocabulary. */
    public static SyntheticModel.Shape shape(int layers, int vocab) {
        SyntheticModel.Shape large = SyntheticModel.Shape.bitnetLarge();
        return new SyntheticModel.Shape(large.architecture(), layers, large.dim(), large.heads(), large.kvHeads(),
                large.ffn(), vocab, Activation.SILU, true, large.contextLength());
    }

    /** Writes the model into {@code cacheDir} unless it is there, loads it and times decoding. */
    public static Result run(Options options, Path cacheDir, Listener listener) {
        SyntheticModel.Shape shape = shape(options.layers(), options.vocab());
        Path file = cacheDir.resolve(String.format(Locale.ROOT, "synthetic-bitnet-%dx%d-ffn%d-v%d-seed%d.gguf",
                shape.layers(), shape.dim(), shape.ffn(), shape.vocab(), options.seed()));
        long t0 = System.nanoTime();
        if (!Files.isRegularFile(file)) {
            listener.progress(String.format(Locale.ROOT, "writing %s (random ternary weights, seed %d)...", file,
                    options.seed()));
            SyntheticModel.write(shape, options.seed(), file);
        }
        ModelWeights weights;
        try (GgufFile gguf = GgufFile.open(file)) {
            weights = WeightLoader.fromGguf(gguf);
        }
        ExactModel model = new ExactModel(weights, options.exact(), options.tokens() + options.warmup() + 2,
                options.threads());
        weights = null;
        Setup setup = new Setup(file, shape, shape.ternaryWeights(), (System.nanoTime() - t0) / 1e9, options.exact(),
                options.threads(), model.vectorized());
        listener.ready(setup);
        DecodeBenchmark.Result r;
        try {
            r = DecodeBenchmark.run(model, options.warmup(), options.runs(), options.tokens());
        } finally {
            model.close();
        }
        return new Result(setup, options.warmup(), options.tokens(), r.tokensPerSecond(), r.runs(), r.ternaryMacs(),
                r.headMacs(), r.ternaryGmacPerSecond(), r.totalGmacPerSecond());
    }
}
