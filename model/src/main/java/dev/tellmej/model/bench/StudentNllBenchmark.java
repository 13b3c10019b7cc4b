package dev.tellmej.model.bench;

import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.FloatModel;
import dev.tellmej.model.inference.ModelWeights;
import dev.tellmej.model.inference.NllEvaluation;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.numerics.ExactConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What the hardware arithmetic costs in accuracy: the embedded ternary student's NLL per token on the float
 * W1.58 A8 path and on the hardware-exact path, on text sampled from its float teacher (both embedded
 * stories260K models). Used by {@code tellme bench model --nll}.
 */
public final class StudentNllBenchmark {
    private StudentNllBenchmark() {}

    /**
     * What to measure.
     *
     * @param sequences sequences sampled from the teacher
     * @param length    tokens per sequence at most (BOS included; at least 2)
     * @param seed      seed of the first sequence (the others use the next seeds)
     * @param exact     the exact path's configuration
     */
    public record Options(int sequences, int length, long seed, ExactConfig exact) {}

    /**
     * The figures, in nats per predicted token.
     *
     * @param options         what was measured
     * @param predictedTokens tokens scored (every token after the first of each sequence)
     * @param teacherFloat    the float teacher
     * @param studentFloat    the ternary student on the float W1.58 A8 path
     * @param studentExact    the ternary student on the hardware-exact path
     * @param exactMinusFloat {@code studentExact - studentFloat}
     */
    public record Result(Options options, long predictedTokens, double teacherFloat, double studentFloat,
            double studentExact, double exactMinusFloat) {}

    /** Extracts the embedded models into {@code cacheDir}, samples the text and scores it three times. */
    public static Result run(Options options, Path cacheDir, Consumer<String> progress) {
        ModelWeights teacher;
        ModelWeights student;
        try (GgufFile t = GgufFile.open(EmbeddedModel.STORIES_260K.extractTo(cacheDir));
             GgufFile s = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(cacheDir))) {
            teacher = WeightLoader.fromGguf(t);
            student = WeightLoader.fromGguf(s);
        }
        int length = options.length();
        progress.accept(String.format(Locale.ROOT, "sampling %d sequences of up to %d tokens from the float teacher"
                + " (stories260K, temperature 1, seed %d)...", options.sequences(), length, options.seed()));
        List<int[]> text = NllEvaluation.sample(new FloatModel(teacher, length), options.sequences(), length,
                options.seed(), 1, 2);
        long n = NllEvaluation.predictedTokens(text);
        double t = NllEvaluation.meanNll(new FloatModel(teacher, length), text);
        double f = NllEvaluation.meanNll(new FloatModel(student, length), text);
        ExactModel exactModel = new ExactModel(student, options.exact(), length, 1);
        double e;
        try {
            e = NllEvaluation.meanNll(exactModel, text);
        } finally {
            exactModel.close();
        }
        return new Result(options, n, t, f, e, e - f);
    }
}
