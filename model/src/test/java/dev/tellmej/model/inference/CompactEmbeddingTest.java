package dev.tellmej.model.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.TestModels;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.tensor.Requantizer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact path built from a file keeps the embedding in the file's encoding where that is smaller than the
 * storage patterns, and quantizes the LM head row by row, never holding either as binary32: its logits equal those
 * of the model built from the whole weights in memory, bit for bit, for F16, Q8_0, Q4_0 and Q6_K embeddings.
 */
class CompactEmbeddingTest {
    private static final long SEED = 1818;

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    /** Logits along a seeded sequence from the model built layer by layer from the file and from ModelWeights. */
    private static void check(Path file, ExactConfig config, String what) {
        try (GgufFile gguf = GgufFile.open(file)) {
            ModelWeights w = WeightLoader.fromGguf(gguf);
            ExactModel fromWeights = new ExactModel(w, config, 24, 1);
            ExactModel fromFile = new ExactModel(WeightLoader.gguf(gguf), config, 24, 2);
            try {
                SplittableRandom r = new SplittableRandom(SEED);
                int[] prompt = new int[7];
                for (int i = 0; i < prompt.length; i++) {
                    prompt[i] = i == 0 ? 1 : 3 + r.nextInt(w.config().vocabSize() - 3);
                }
                assertArrayEquals(bits(fromWeights.prefill(prompt, 0)), bits(fromFile.prefill(prompt, 0)),
                        what + ", prefill (seed " + SEED + ")");
                for (int p = prompt.length; p < 20; p++) {
                    int token = 3 + r.nextInt(w.config().vocabSize() - 3);
                    assertArrayEquals(bits(fromWeights.forward(token, p)), bits(fromFile.forward(token, p)),
                            what + ", position " + p + " (seed " + SEED + ")");
                }
            } finally {
                fromWeights.close();
                fromFile.close();
            }
        }
    }

    @Test
    void theStudentFromItsFileEqualsTheStudentFromItsWeights(@TempDir Path dir) {
        Path student = TestModels.file("stories260K-ternary-qat.gguf");
        for (GgmlType type : new GgmlType[] {GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.F32}) {
            Path file = QuantizedFilesTest.withEmbedding(student, type, dir.resolve(type + ".gguf"));
            check(file, ExactConfig.defaults(), "student, " + type + " embedding");
            check(file, new ExactConfig(8, StorageFormat.BF16, 28), "student, " + type + " embedding, bf16");
        }
    }

    @Test
    void aTq2ModelWithAQ6_KEmbeddingFromItsFileEqualsItsWeights(@TempDir Path dir) {
        Path source = dir.resolve("synthetic.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 256, 4, 4, 512, 384, Activation.SILU, true, 256), 7,
                source);
        Path tq2 = dir.resolve("tq2.gguf");
        try (GgufFile file = GgufFile.open(source)) {
            Requantizer.requantize(file, Requantizer.llamaQuantize(file, GgmlType.TQ2_0)).write(tq2);
        }
        try (GgufFile file = GgufFile.open(tq2)) {
            assertEquals(GgmlType.Q6_K, file.requireTensor("token_embd.weight").type());
            MatrixRows rows = WeightLoader.gguf(file).embeddingRows();
            assertTrue(rows.bytes() < 2L * 384 * 256, "the Q6_K rows are kept encoded: " + rows.bytes() + " bytes");
        }
        check(tq2, ExactConfig.defaults(), "TQ2_0 model, Q6_K embedding");
    }

    /** The LM head quantized row by row from the encoded rows equals the one quantized from the whole matrix. */
    @Test
    void theHeadQuantizedRowByRowEqualsTheWholeMatrixHead(@TempDir Path dir) {
        Path student = TestModels.file("stories260K-ternary-qat.gguf");
        for (GgmlType type : new GgmlType[] {GgmlType.F16, GgmlType.Q8_0}) {
            Path file = QuantizedFilesTest.withEmbedding(student, type, dir.resolve(type + ".gguf"));
            try (GgufFile gguf = GgufFile.open(file)) {
                WeightSource source = WeightLoader.gguf(gguf);
                var c = source.config();
                float[] whole = source.embedding();
                MatrixRows rows = source.embeddingRows();
                float[] decoded = new float[whole.length];
                float[] row = new float[3 * c.dim()];
                for (int r = 0; r + 3 <= c.vocabSize(); r += 3) {
                    rows.decode(r, 3, row);
                    System.arraycopy(row, 0, decoded, r * c.dim(), row.length);
                }
                for (int r = c.vocabSize() / 3 * 3; r < c.vocabSize(); r++) {
                    rows.decode(r, 1, row);
                    System.arraycopy(row, 0, decoded, r * c.dim(), c.dim());
                }
                assertArrayEquals(bits(whole), bits(decoded), type + " rows decode as the whole tensor");
                LmHead expected = LmHead.quantize(whole, c.vocabSize(), c.dim());
                LmHead actual = LmHead.quantize(rows);
                assertArrayEquals(expected.weights(), actual.weights(), type + " head weights");
                assertArrayEquals(bits(expected.rowScales()), bits(actual.rowScales()), type + " head scales");
            }
        }
    }
}
