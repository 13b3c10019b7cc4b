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
 * The float path's KV cache grows with the positions used instead of holding the whole context from the start, and
 * the logits do not depend on when it grew: a model with a small context and one with a large context give the same
 * logits, bit for bit, over positions that cross several growths.
 */
class FloatModelCacheTest {
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
}
