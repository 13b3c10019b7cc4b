package dev.tellmej.cli;

import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.DecodeBenchmark;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.FloatModel;
import dev.tellmej.model.inference.ModelWeights;
import dev.tellmej.model.inference.NllEvaluation;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.synthetic.SyntheticModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench model}: decode tokens/s of the hardware-exact path on a synthetic model shaped like
 * bitnet_b1_58-large, or with {@code --nll} the held-out NLL of the ternary student on both paths.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = {"Decode speed of the hardware-exact path on a synthetic bitnet_b1_58-large-shaped model"
                + " (random ternary weights written by the GGUF writer), or with --nll the NLL per token of the"
                + " ternary student on the float and exact paths, on text sampled from the float teacher."})
final class BenchModelCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nll", description = "measure NLL per token instead of speed")
    boolean nll;

    @Option(names = "--threads", defaultValue = "2", description = "worker threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--runs", defaultValue = "5", description = "timed runs; the median is reported (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--tokens", defaultValue = "16", description = "decode steps per run (default: ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--warmup", defaultValue = "16", description = "untimed warm-up steps (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--layers", defaultValue = "24", description = "synthetic model layers (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--vocab", defaultValue = "32002", description = "synthetic model vocabulary (default: ${DEFAULT-VALUE})")
    int vocab;

    @Option(names = "--seed", defaultValue = "1", description = "weights seed, or the NLL text seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--sequences", defaultValue = "16", description = "--nll: sampled sequences (default: ${DEFAULT-VALUE})")
    int sequences;

    @Option(names = "--length", defaultValue = "256", description = "--nll: tokens per sequence (default: ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--lanes", defaultValue = "16", description = "exact path lanes (default: ${DEFAULT-VALUE})")
    int lanes;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "where the synthetic model is written (default: ~/.cache/tellme-j)")
    Path cacheDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ExactConfig exact;
        try {
            exact = new ExactConfig(lanes, StorageFormat.FP16, 28);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (runs < 1 || tokens < 1 || warmup < 0 || threads < 1 || sequences < 1 || length < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "counts must be positive");
        }
        return nll ? nll(out, exact) : speed(out, exact);
    }

    private int nll(PrintWriter out, ExactConfig exact) {
        Path dir = cacheDir != null ? cacheDir : ModelFiles.cacheDir();
        ModelWeights teacher;
        ModelWeights student;
        try (GgufFile t = GgufFile.open(EmbeddedModel.STORIES_260K.extractTo(dir));
             GgufFile s = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir))) {
            teacher = WeightLoader.fromGguf(t);
            student = WeightLoader.fromGguf(s);
        }
        out.printf(Locale.ROOT, "sampling %d sequences of up to %d tokens from the float teacher (stories260K,"
                + " temperature 1, seed %d)...%n", sequences, length, seed);
        out.flush();
        List<int[]> text = NllEvaluation.sample(new FloatModel(teacher, length), sequences, length, seed, 1, 2);
        long n = NllEvaluation.predictedTokens(text);
        double t = NllEvaluation.meanNll(new FloatModel(teacher, length), text);
        double f = NllEvaluation.meanNll(new FloatModel(student, length), text);
        ExactModel exactModel = new ExactModel(student, exact, length, 1);
        double e = NllEvaluation.meanNll(exactModel, text);
        exactModel.close();
        out.printf(Locale.ROOT, "NLL per token over %d predicted tokens (nats):%n", n);
        out.printf(Locale.ROOT, "  teacher, float                         %.4f%n", t);
        out.printf(Locale.ROOT, "  ternary student, float W1.58 A8 path   %.4f%n", f);
        out.printf(Locale.ROOT, "  ternary student, hardware-exact path   %.4f  (L = %d, fp16 storage)%n", e, lanes);
        out.printf(Locale.ROOT, "  exact - float                          %+.4f%n", e - f);
        return 0;
    }

    private int speed(PrintWriter out, ExactConfig exact) {
        SyntheticModel.Shape large = SyntheticModel.Shape.bitnetLarge();
        SyntheticModel.Shape shape = new SyntheticModel.Shape(large.architecture(), layers, large.dim(), large.heads(),
                large.kvHeads(), large.ffn(), vocab, Activation.SILU, true, large.contextLength());
        Path dir = cacheDir != null ? cacheDir : ModelFiles.cacheDir();
        Path file = dir.resolve(String.format(Locale.ROOT, "synthetic-bitnet-%dx%d-ffn%d-v%d-seed%d.gguf",
                shape.layers(), shape.dim(), shape.ffn(), shape.vocab(), seed));
        long t0 = System.nanoTime();
        if (!Files.isRegularFile(file)) {
            out.printf("writing %s (random ternary weights, seed %d)...%n", file, seed);
            out.flush();
            SyntheticModel.write(shape, seed, file);
        }
        ModelWeights weights;
        try (GgufFile gguf = GgufFile.open(file)) {
            weights = WeightLoader.fromGguf(gguf);
        }
        ExactModel model = new ExactModel(weights, exact, tokens + warmup + 2, threads);
        weights = null;
        out.printf(Locale.ROOT, "model: %s, %d layers, hidden %d, FFN %d, vocab %d, %.1f M ternary weights"
                + " (ready in %.1f s)%n", file.getFileName(), shape.layers(), shape.dim(), shape.ffn(), shape.vocab(),
                shape.ternaryWeights() / 1e6, (System.nanoTime() - t0) / 1e9);
        out.printf(Locale.ROOT, "exact path: L = %d, fp16 storage, %d threads, TLMM kernel: %s%n", lanes, threads,
                model.vectorized() ? "Vector API (512-bit table select)" : "scalar");
        out.flush();
        DecodeBenchmark.Result r;
        try {
            r = DecodeBenchmark.run(model, warmup, runs, tokens);
        } finally {
            model.close();
        }
        out.printf(Locale.ROOT, "decode: %.2f tokens/s (median of %d runs of %d tokens; runs: %s)%n",
                r.tokensPerSecond(), runs, tokens, Arrays.stream(r.runs())
                        .mapToObj(v -> String.format(Locale.ROOT, "%.2f", v)).toList());
        out.printf(Locale.ROOT, "        %.2f GMAC/s ternary (%.1f M MACs/token), %.2f GMAC/s with the int8 LM head%n",
                r.ternaryGmacPerSecond(), r.ternaryMacs() / 1e6, r.totalGmacPerSecond());
        return 0;
    }
}
