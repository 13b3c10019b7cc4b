package dev.tellmej.model.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufTensorInfo;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.tensor.Requantizer;
import dev.tellmej.model.tensor.TernaryRows;
import dev.tellmej.model.tensor.TernaryTensor;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the exact path holds while it is built from a file: it never asks the source for the weights as binary32
 * (the embedding, the LM head or a layer's linears whole), it reads each ternary matrix from the file's encoding at
 * most 64 rows of trits at a time (never the whole matrix as a byte a weight), and it tells the source after the
 * head and after each layer that the file's pages may go. Its logits equal those of the model built from the whole
 * weights in memory, bit for bit.
 */
class ExactPathMemoryTest {
    private static final int MAX_ROWS_AT_ONCE = 64;

    /** A file's source that refuses the float weights and records what the exact path asks of it. */
    private static final class Watched implements WeightSource {
        final WeightSource file;
        final AtomicInteger largestDecode = new AtomicInteger();
        final AtomicInteger wholeTensors = new AtomicInteger();
        int releases;

        Watched(WeightSource file) {
            this.file = file;
        }

        @Override
        public ModelConfig config() {
            return file.config();
        }

        @Override
        public float[] embedding() {
            throw new AssertionError("the exact path asked for the embedding as binary32");
        }

        @Override
        public float[] outputNorm() {
            return file.outputNorm();
        }

        @Override
        public float[] output() {
            throw new AssertionError("the exact path asked for the LM head as binary32");
        }

        @Override
        public MatrixRows embeddingRows() {
            return file.embeddingRows();
        }

        @Override
        public MatrixRows outputRows() {
            return file.outputRows();
        }

        @Override
        public LayerWeights layer(int i) {
            throw new AssertionError("the exact path asked for layer " + i + " decoded whole");
        }

        @Override
        public TernaryLayer ternaryLayer(int i) {
            TernaryLayer l = file.ternaryLayer(i);
            return new TernaryLayer(l.attnNorm(), watch(l.q()), watch(l.k()), watch(l.v()), watch(l.o()),
                    l.attnSubNorm(), l.ffnNorm(), watch(l.gate()), watch(l.up()), watch(l.down()), l.ffnSubNorm());
        }

        @Override
        public void release() {
            releases++;
            file.release();
        }

        private TernaryRows watch(TernaryRows t) {
            if (t instanceof TernaryTensor) {
                wholeTensors.incrementAndGet();
            }
            return new TernaryRows() {
                @Override
                public int rows() {
                    return t.rows();
                }

                @Override
                public int cols() {
                    return t.cols();
                }

                @Override
                public float scale() {
                    return t.scale();
                }

                @Override
                public void decode(int from, int n, byte[] dst) {
                    largestDecode.accumulateAndGet(n, Math::max);
                    t.decode(from, n, dst);
                }
            };
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    /** A small TQ2_0 model with llama-quantize's Q6_K embedding, written into {@code dir}. */
    private static Path tq2Model(Path dir) {
        Path source = dir.resolve("synthetic.gguf");
        // GQA with one KV head of 32: k and v are one short chunk of rows; the FFN's 512 rows are eight.
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 256, 8, 1, 512, 384, Activation.SILU, true, 64), 5,
                source);
        Path tq2 = dir.resolve("synthetic-tq2_0.gguf");
        try (GgufFile file = GgufFile.open(source)) {
            Requantizer.requantize(file, Requantizer.llamaQuantize(file, GgmlType.TQ2_0)).write(tq2);
        }
        return tq2;
    }

    @Test
    void theExactPathReadsATq2FileInChunksOfRowsAndNeverAsBinary32(@TempDir Path dir) {
        try (GgufFile gguf = GgufFile.open(tq2Model(dir))) {
            Watched watched = new Watched(WeightLoader.gguf(gguf));
            ExactModel fromFile = new ExactModel(watched, ExactConfig.defaults(), 16, 2);
            ExactModel fromWeights = new ExactModel(WeightLoader.fromGguf(gguf), ExactConfig.defaults(), 16, 1);
            try {
                assertTrue(watched.largestDecode.get() > 0, "the trits were read through the rows");
                assertTrue(watched.largestDecode.get() <= MAX_ROWS_AT_ONCE,
                        "at most " + MAX_ROWS_AT_ONCE + " rows of trits at once, not " + watched.largestDecode.get());
                assertFalse(watched.wholeTensors.get() > 0, "a TQ2_0 matrix was decoded whole");
                assertTrue(watched.releases >= 1 + 2, "released after the head and each layer: " + watched.releases);
                int[] prompt = {1, 17, 200, 383, 5};
                assertArrayEquals(bits(fromWeights.prefill(prompt, 0)), bits(fromFile.prefill(prompt, 0)));
                for (int p = prompt.length; p < 12; p++) {
                    int token = 3 + (p * 37) % 380;
                    assertArrayEquals(bits(fromWeights.forward(token, p)), bits(fromFile.forward(token, p)),
                            "position " + p);
                }
            } finally {
                fromFile.close();
                fromWeights.close();
            }
        }
    }

    /**
     * A model opened on a file reads its embedding in place (no copy: the view holds no bytes of its own), keeps the
     * file open while it runs, closes it with itself, and computes what the model built from the weights does.
     */
    @Test
    void aModelOpenedOnItsFileReadsTheEmbeddingInPlaceAndClosesTheFile(@TempDir Path dir) {
        Path tq2 = tq2Model(dir);
        GgufFile mapped = GgufFile.open(tq2);
        try (GgufFile gguf = GgufFile.open(tq2)) {
            assertEquals(0, WeightLoader.gguf(gguf, true).embeddingRows().bytes(), "a view copies nothing");
            assertTrue(WeightLoader.gguf(gguf).embeddingRows().bytes() > 0, "the default source copies the bytes");
            ExactModel opened = ExactModel.open(mapped, ExactConfig.defaults(), 16, 2);
            ExactModel fromWeights = new ExactModel(WeightLoader.fromGguf(gguf), ExactConfig.defaults(), 16, 1);
            try {
                int[] prompt = {1, 4, 99, 250};
                assertArrayEquals(bits(fromWeights.prefill(prompt, 0)), bits(opened.prefill(prompt, 0)));
                for (int p = prompt.length; p < 10; p++) {
                    int token = 3 + (p * 53) % 380;
                    assertArrayEquals(bits(fromWeights.forward(token, p)), bits(opened.forward(token, p)),
                            "position " + p);
                }
            } finally {
                opened.close();
                fromWeights.close();
            }
            GgufTensorInfo embedding = mapped.requireTensor("token_embd.weight");
            assertThrows(IllegalStateException.class, () -> mapped.data(embedding).get(ValueLayout.JAVA_BYTE, 0),
                    "the model closed its file");
        }
    }
}
