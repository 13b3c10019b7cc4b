package dev.tellmej.model.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufReader;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.ExactOps;
import dev.tellmej.model.numerics.KvCache;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.synthetic.SyntheticModel;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The exact path keeps its KV cache as 16-bit storage patterns: in the model's own dataflow, every cached key and
 * value is a storage-rounded binary32 (so the patterns lose nothing), and every head's attention output equals
 * {@link ExactOps#attentionHead} over those keys and values held as binary32 (the cache the path kept before),
 * bit for bit, at depths on both sides of the cache's blocks and segments.
 */
class CompactKvCacheTest {
    private static final long SEED = 1858;

    /** A BitNet model with grouped-query attention (4 heads, 2 KV heads of 32) and sub-norms. */
    private static ModelWeights syntheticBitnet() {
        byte[] bytes = SyntheticModel.build(new SyntheticModel.Shape("bitnet", 2, 128, 4, 2, 384, 300, Activation.SILU,
                false, 512), SEED).toBytes();
        try (GgufFile file = GgufReader.read(Path.of("synthetic.gguf"), MemorySegment.ofArray(bytes))) {
            return WeightLoader.fromGguf(file);
        }
    }

    @Test
    void attentionOverTheCompactCacheEqualsTheBinary32CacheAtEveryDepth() {
        ModelWeights w = syntheticBitnet();
        var c = w.config();
        int depth = KvCache.SEGMENT + 45;
        Set<Integer> probed = new HashSet<>(Set.of(0, 1, 15, 16, 17, 63, 64, 65, KvCache.SEGMENT - 1,
                KvCache.SEGMENT, KvCache.SEGMENT + 1, depth - 1));
        for (ExactConfig config : new ExactConfig[] {ExactConfig.defaults(), new ExactConfig(8, StorageFormat.BF16, 28)}) {
            StorageFormat st = config.storage();
            ExactModel model = new ExactModel(w, config, depth + 1, 2);
            int[] checked = {0};
            model.probe(new ExactProbe() {
                @Override
                public void attention(int layer, int position, float[] q, float[] keys, float[] values, float[] out) {
                    if (!probed.contains(position)) {
                        return;
                    }
                    int hd = c.headDim();
                    int n = position + 1;
                    for (int i = 0; i < n * c.kvDim(); i++) {
                        assertEquals(Float.floatToRawIntBits(st.round(keys[i])), Float.floatToRawIntBits(keys[i]),
                                "cached keys are storage-rounded");
                        assertEquals(Float.floatToRawIntBits(st.round(values[i])), Float.floatToRawIntBits(values[i]),
                                "cached values are storage-rounded");
                    }
                    float scale = (float) (1.0 / StrictMath.sqrt(hd));
                    int group = c.heads() / c.kvHeads();
                    float[] expected = new float[c.heads() * hd];
                    for (int h = 0; h < c.heads(); h++) {
                        ExactOps.attentionHead(q, h * hd, keys, values, (h / group) * hd, c.kvDim(), n, hd, scale,
                                config.lanes(), st, new float[n], expected, h * hd);
                    }
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(out[i]),
                                "layer " + layer + ", position " + position + ", element " + i + ", " + st + " L "
                                        + config.lanes() + " (seed " + SEED + ")");
                    }
                    checked[0]++;
                }
            });
            try {
                SplittableRandom r = new SplittableRandom(SEED);
                for (int t = 0; t < depth; t++) {
                    model.forward(t == 0 ? 1 : 3 + r.nextInt(c.vocabSize() - 3), t);
                }
            } finally {
                model.close();
            }
            assertEquals(probed.size() * c.layers(), checked[0]);
        }
        assertTrue(depth > KvCache.SEGMENT);
    }
}
