package dev.tellmej.model.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Vector API attention head equals {@link ExactOps#attentionHead} bit for bit (N15, N5's lane order). */
class VectorAttentionTest {
    private static final long SEED = 0xA77E;

    @Test
    void theVectorHeadEqualsTheScalarHeadBitForBit() {
        SplittableRandom r = new SplittableRandom(SEED);
        int checked = 0;
        for (int lanes : new int[] {8, 16, 32, 64}) {
            for (int headDim : new int[] {8, 16, 64, 128}) {
                if (!VectorAttention.applies(lanes, headDim)) {
                    continue;
                }
                AttentionHead vector = new VectorAttention(lanes, headDim);
                for (int n : new int[] {1, 2, lanes - 1, lanes, lanes + 1, 3 * lanes + 5, 300}) {
                    int kvHeads = 2;
                    int stride = kvHeads * headDim;
                    float[] q = values(r, 3 + headDim, 4f);
                    float[] keys = values(r, n * stride + 8, 4f);
                    float[] vals = values(r, n * stride + 8, 2f);
                    for (StorageFormat st : StorageFormat.values()) {
                        for (int kOff : new int[] {0, headDim}) {
                            float[] expected = new float[headDim + 2];
                            float[] actual = new float[headDim + 2];
                            float scale = (float) (1.0 / StrictMath.sqrt(headDim));
                            ExactOps.attentionHead(q, 3, keys, vals, kOff, stride, n, headDim, scale, lanes, st,
                                    new float[n], expected, 1);
                            vector.head(q, 3, keys, vals, kOff, stride, n, scale, st, new float[n], actual, 1);
                            for (int i = 0; i < expected.length; i++) {
                                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                                        "L " + lanes + " headDim " + headDim + " n " + n + " " + st + " element " + i
                                                + " (seed " + SEED + ")");
                            }
                            checked++;
                        }
                    }
                }
            }
        }
        boolean vectors = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() > 1;
        assertTrue(!vectors || checked > 0, "no configuration was checked");
        assertTrue(AttentionHead.create(16, 64) instanceof VectorAttention == VectorAttention.applies(16, 64));
    }

    /** Values with wide exponents and both signs, some exact zeros, so that the order of the sums shows. */
    private static float[] values(SplittableRandom r, int n, float spread) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(10) == 0 ? 0f : (float) (r.nextGaussian() * Math.pow(2, r.nextDouble(-spread, spread)));
        }
        return v;
    }
}
