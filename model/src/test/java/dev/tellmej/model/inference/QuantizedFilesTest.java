package dev.tellmej.model.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.TestModels;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufTensorInfo;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.sample.Sampler;
import dev.tellmej.model.sample.SamplerConfig;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.tensor.Requantizer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files as llama.cpp's {@code llama-quantize} writes them: ternary linears with a block-quantized embedding.
 * They load, run on both paths, and give the same greedy tokens as the same model with an F16 embedding.
 */
class QuantizedFilesTest {
    private static final int STEPS = 48;

    /** Re-encodes {@code source} with the embedding (and output matrix, if any) as {@code type}, the rest unchanged. */
    static Path withEmbedding(Path source, GgmlType type, Path out) {
        try (GgufFile file = GgufFile.open(source)) {
            Requantizer.requantize(file, info -> info.name().equals("token_embd.weight")
                    || info.name().equals("output.weight") ? type : info.type()).write(out);
        }
        return out;
    }

    private static int[] greedy(Path file, boolean exact) {
        ModelWeights w;
        try (GgufFile gguf = GgufFile.open(file)) {
            w = WeightLoader.fromGguf(gguf);
        }
        int capacity = STEPS + 1;
        LanguageModel model = exact ? new ExactModel(w, ExactConfig.defaults(), capacity, 1) : new FloatModel(w, capacity);
        try {
            return Generator.generate(model, new int[] {1}, STEPS, new Sampler(SamplerConfig.greedy()), -1, -1,
                    t -> {});
        } finally {
            if (model instanceof ExactModel e) {
                e.close();
            }
        }
    }

    /** The argmax after each token of a fixed seeded sequence (teacher forcing), so every step sees a new context. */
    private static int[] argmaxAlong(Path file, boolean exact) {
        ModelWeights w;
        try (GgufFile gguf = GgufFile.open(file)) {
            w = WeightLoader.fromGguf(gguf);
        }
        LanguageModel model = exact ? new ExactModel(w, ExactConfig.defaults(), STEPS, 1)
                : new FloatModel(w, STEPS);
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        int[] out = new int[STEPS];
        try {
            for (int p = 0; p < STEPS; p++) {
                int token = p == 0 ? 1 : 3 + random.nextInt(w.config().vocabSize() - 3);
                out[p] = Sampler.argmax(model.forward(token, p));
            }
        } finally {
            if (model instanceof ExactModel e) {
                e.close();
            }
        }
        return out;
    }

    /**
     * The embedded student's hidden size (64) is not a multiple of 256, so its rows cannot be Q6_K, Q4_K or Q5_K
     * (llama-quantize itself falls back to Q8_0 there); Q8_0 and Q4_0 fit.
     */
    @Test
    void theStudentWithAQ8_0EmbeddingGivesTheGreedyTokensOfItsF16Embedding(@TempDir Path dir) {
        Path student = TestModels.file("stories260K-ternary-qat.gguf");
        Path f16 = withEmbedding(student, GgmlType.F16, dir.resolve("f16.gguf"));
        Path q8 = withEmbedding(student, GgmlType.Q8_0, dir.resolve("q8_0.gguf"));
        try (GgufFile file = GgufFile.open(q8)) {
            assertEquals(GgmlType.Q8_0, file.requireTensor("token_embd.weight").type());
        }
        for (boolean exact : new boolean[] {false, true}) {
            int[] reference = greedy(f16, exact);
            assertEquals(STEPS, reference.length);
            assertArrayEquals(reference, greedy(q8, exact), (exact ? "exact" : "float") + " path, Q8_0 embedding");
        }
    }

    /**
     * A BitNet model 256 wide, written with F16 embedding and I2_S linears, re-encoded with llama-quantize's TQ2_0
     * defaults: TQ2_0 linears and a Q6_K tied embedding. Its greedy tokens equal those of the same TQ2_0 linears
     * with the F16 embedding, on both paths.
     */
    @Test
    void aTq2ModelWithItsDefaultQ6_KEmbeddingRunsAndKeepsTheGreedyTokens(@TempDir Path dir) {
        Path source = dir.resolve("synthetic.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 256, 4, 4, 512, 384, Activation.SILU, true, 256), 7,
                source);
        Path tq2;
        Path tq2f16 = dir.resolve("tq2-f16.gguf");
        try (GgufFile file = GgufFile.open(source)) {
            Requantizer.Policy policy = Requantizer.llamaQuantize(file, GgmlType.TQ2_0);
            Requantizer.requantize(file, policy).write(tq2 = dir.resolve("tq2.gguf"));
            Requantizer.requantize(file, info -> info.name().equals("token_embd.weight") ? GgmlType.F16
                    : policy.apply(info)).write(tq2f16);
        }
        try (GgufFile file = GgufFile.open(tq2)) {
            assertEquals(GgmlType.Q6_K, file.requireTensor("token_embd.weight").type());
            for (GgufTensorInfo info : file.tensors().values()) {
                if (info.name().startsWith("blk.") && info.dims().length == 2) {
                    assertEquals(GgmlType.TQ2_0, info.type(), info.name());
                }
            }
        }
        for (boolean exact : new boolean[] {false, true}) {
            String path = (exact ? "exact" : "float") + " path, Q6_K embedding";
            int[] reference = greedy(tq2f16, exact);
            assertEquals(STEPS, reference.length);
            assertArrayEquals(reference, greedy(tq2, exact), path);
            // A random model soon repeats itself when it feeds on its own output; along a fixed random sequence
            // every position has a context of its own.
            int[] along = argmaxAlong(tq2f16, exact);
            assertTrue(Arrays.stream(along).distinct().count() > STEPS / 4, "the predictions vary along the sequence");
            assertArrayEquals(along, argmaxAlong(tq2, exact), path + ", along a fixed sequence");
        }
    }
}
