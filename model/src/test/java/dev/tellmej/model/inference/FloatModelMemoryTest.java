package dev.tellmej.model.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.synthetic.SyntheticModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the float path holds: a model built from a file's source layer by layer (each ternary matrix packed once, its
 * trits not kept) computes what the model built from the whole weights does, bit for bit; and its KV cache grows with
 * the positions used instead of holding the whole context from the start, the logits not depending on when it grew.
 */
class FloatModelMemoryTest {
    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    @Test
    void theCacheGrowsWithThePositionsUsed(@TempDir Path dir) {
        Path file = dir.resolve("synthetic.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 256, 4, 4, 512, 384, Activation.SILU, true, 1024), 9,
                file);
        try (GgufFile gguf = GgufFile.open(file)) {
            ModelWeights w = WeightLoader.fromGguf(gguf);
            FloatModel large = new FloatModel(w, 1024);
            FloatModel small = new FloatModel(w, 40);
            assertEquals(0, large.cachedPositions(), "nothing cached before the first token");
            assertArrayEquals(bits(small.prefill(new int[] {1, 20, 300}, 0)),
                    bits(large.prefill(new int[] {1, 20, 300}, 0)));
            assertTrue(large.cachedPositions() >= 3 && large.cachedPositions() <= 16, "" + large.cachedPositions());
            for (int p = 3; p < 40; p++) {
                int token = 3 + (p * 31) % 380;
                assertArrayEquals(bits(small.forward(token, p)), bits(large.forward(token, p)), "position " + p);
            }
            assertEquals(40, small.cachedPositions(), "at most the capacity");
            assertTrue(large.cachedPositions() < 1024, "" + large.cachedPositions());
        }
    }

    @Test
    void aModelBuiltLayerByLayerFromItsFileEqualsTheModelOfTheWholeWeights(@TempDir Path dir) {
        Path file = dir.resolve("synthetic.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 256, 8, 2, 512, 384, Activation.SILU, false, 64), 11,
                file);
        try (GgufFile gguf = GgufFile.open(file)) {
            FloatModel fromWeights = new FloatModel(WeightLoader.fromGguf(gguf), 64);
            FloatModel fromFile = new FloatModel(WeightLoader.gguf(gguf), 64);
            int[] prompt = {1, 7, 123, 301, 42};
            assertArrayEquals(bits(fromWeights.prefill(prompt, 0)), bits(fromFile.prefill(prompt, 0)));
            for (int p = prompt.length; p < 20; p++) {
                int token = 3 + (p * 29) % 380;
                assertArrayEquals(bits(fromWeights.forward(token, p)), bits(fromFile.forward(token, p)), "position " + p);
            }
        }
    }
}
