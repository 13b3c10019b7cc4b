package dev.tellmej.model.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.model.TestModels;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufReader;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.ternary.TlmmKernel;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Batched prefill (blocks of tokens through each linear, the LM head for the last token only) against the
 * definition, token-by-token decoding (NUMERICS.md N17, last paragraph): the logits and the whole KV cache are
 * equal bit for bit, and so is everything decoded after.
 */
class BatchedPrefillTest {
    private static final long SEED = 1818;

    private static ModelWeights student() {
        try (GgufFile s = GgufFile.open(TestModels.file("stories260K-ternary-qat.gguf"))) {
            return WeightLoader.fromGguf(s);
        }
    }

    /** A BitNet model with sub-norms, grouped-query attention (4 heads, 2 KV heads) and an FFN of 384. */
    private static ModelWeights syntheticBitnet() {
        byte[] bytes = SyntheticModel.build(new SyntheticModel.Shape("bitnet", 2, 128, 4, 2, 384, 300, Activation.SILU,
                false, 256), SEED).toBytes();
        try (GgufFile file = GgufReader.read(Path.of("synthetic.gguf"), MemorySegment.ofArray(bytes))) {
            return WeightLoader.fromGguf(file);
        }
    }

    private static int[] prompt(int length, int vocab) {
        SplittableRandom random = new SplittableRandom(SEED);
        int[] p = new int[length];
        p[0] = 1;
        for (int i = 1; i < length; i++) {
            p[i] = 3 + random.nextInt(vocab - 3);
        }
        return p;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToIntBits(v[i]);
        }
        return b;
    }

    /**
     * Prefills {@code split} tokens, then the rest, batched; compares with one token at a time. The batched model runs
     * the best kernels this machine has (the Vector API's, where present) and the stepwise one those its width
     * chooses (the scalar ones for these narrow models), so the check covers both and their agreement.
     */
    private static void check(ModelWeights w, ExactConfig config, int threads, int length, int split) {
        int[] prompt = prompt(length, w.config().vocabSize());
        ExactModel stepwise = new ExactModel(w, config, length + 8, 1);
        ExactModel batched = new ExactModel(w, config, length + 8, threads, TlmmKernel.Kind.best());
        try {
            float[] expected = null;
            for (int i = 0; i < length; i++) {
                expected = stepwise.forward(prompt[i], i);
            }
            batched.prefill(java.util.Arrays.copyOf(prompt, split), 0);
            float[] actual = batched.prefill(java.util.Arrays.copyOfRange(prompt, split, length), split);
            String what = w.config().layers() + " layers, " + length + " tokens (" + split + " first), " + threads
                    + " threads, L = " + config.lanes() + ", kernels " + stepwise.kernelKind() + " and "
                    + batched.kernelKind() + ", seed " + SEED;
            assertArrayEquals(bits(expected), bits(actual), "logits: " + what);
            assertArrayEquals(bits(stepwise.cacheSnapshot()), bits(batched.cacheSnapshot()), "KV cache: " + what);
            for (int i = 0; i < 4; i++) {
                int token = 3 + i;
                assertArrayEquals(bits(stepwise.forward(token, length + i)), bits(batched.forward(token, length + i)),
                        "decode step " + i + " after: " + what);
            }
        } finally {
            batched.close();
        }
    }

    @Test
    void theStudentsBatchedPrefillEqualsTokenByToken() {
        ModelWeights w = student();
        check(w, ExactConfig.defaults(), 1, 75, 1);
        check(w, ExactConfig.defaults(), 2, 75, 40);
        check(w, new ExactConfig(1, StorageFormat.BF16, 28), 2, 33, 0 + 32);
    }

    @Test
    void aSyntheticBitnetModelsBatchedPrefillEqualsTokenByToken() {
        ModelWeights w = syntheticBitnet();
        assertEquals(2, w.config().kvHeads());
        check(w, ExactConfig.defaults(), 2, 70, 3);
        check(w, new ExactConfig(2, StorageFormat.FP16, 28), 1, 64, 32);
    }

    /** The float path batches the same way; its per-token arithmetic is unchanged, so it is exact here too. */
    @Test
    void theFloatPathsBatchedPrefillEqualsTokenByToken() {
        for (ModelWeights w : new ModelWeights[] {student(), syntheticBitnet()}) {
            int[] prompt = prompt(45, w.config().vocabSize());
            FloatModel stepwise = new FloatModel(w, 50);
            FloatModel batched = new FloatModel(w, 50);
            float[] expected = null;
            for (int i = 0; i < prompt.length; i++) {
                expected = stepwise.forward(prompt[i], i);
            }
            assertArrayEquals(bits(expected), bits(batched.prefill(prompt, 0)), "float path, seed " + SEED);
            assertArrayEquals(bits(stepwise.forward(5, 45)), bits(batched.forward(5, 45)), "float path decode after");
        }
    }
}
