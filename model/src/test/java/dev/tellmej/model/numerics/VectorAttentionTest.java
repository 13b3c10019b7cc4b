package dev.tellmej.model.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Attention over the 16-bit {@link KvCache}, by the Vector API head and by the scalar head, equals
 * {@link ExactOps#attentionHead} over the same keys and values held as binary32 (the cache the exact path kept
 * before) bit for bit (N15, N5's lane order), at depths on both sides of the cache's blocks and chunks.
 */
class VectorAttentionTest {
    private static final long SEED = 0xA77E;

    @Test
    void attentionOverTheCompactCacheEqualsTheBinary32Definition() {
        SplittableRandom r = new SplittableRandom(SEED);
        int checked = 0;
        for (int lanes : new int[] {8, 16, 32, 64}) {
            for (int headDim : new int[] {8, 16, 64, 96, 128}) {
                boolean vectorized = VectorAttention.applies(lanes, headDim);
                AttentionHead vector = vectorized ? new VectorAttention(lanes, headDim) : null;
                AttentionHead scalar = AttentionHead.scalar(lanes, headDim);
                for (int n : new int[] {1, 2, lanes - 1, lanes, lanes + 1, 3 * lanes + 5, 63, 64, 65, 300}) {
                    for (StorageFormat st : StorageFormat.values()) {
                        checked += check(r, lanes, headDim, n, st, vector, scalar, false);
                    }
                }
            }
        }
        boolean vectors = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() > 1;
        assertTrue(!vectors || checked > 0, "no vector configuration was checked");
        assertTrue(AttentionHead.create(16, 64) instanceof VectorAttention == VectorAttention.applies(16, 64));
    }

    /** Long contexts, as decode sees them at depths of 1,024 to 2,048, with L = 16 and heads of 96 (the 0.73B shape). */
    @Test
    void longContextsEqualTheDefinition() {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        AttentionHead vector = VectorAttention.applies(16, 96) ? new VectorAttention(16, 96) : null;
        AttentionHead scalar = AttentionHead.scalar(16, 96);
        for (int n : new int[] {1023, 1024, 1089, 2048, 2113}) {
            check(r, 16, 96, n, StorageFormat.FP16, vector, scalar, false);
        }
        check(r, 16, 96, 1100, StorageFormat.BF16, vector, scalar, false);
    }

    /** Zeros of both signs, subnormals and values beyond the format's range (stored as infinities). */
    @Test
    void specialValuesEqualTheDefinition() {
        SplittableRandom r = new SplittableRandom(SEED + 2);
        AttentionHead vector = VectorAttention.applies(16, 64) ? new VectorAttention(16, 64) : null;
        AttentionHead scalar = AttentionHead.scalar(16, 64);
        for (int n : new int[] {5, 70, 200}) {
            for (StorageFormat st : StorageFormat.values()) {
                check(r, 16, 64, n, st, vector, scalar, true);
            }
        }
    }

    /**
     * Fills a cache of 2 KV heads with random storage-rounded keys and values for n positions, and compares both
     * heads of attention over KV head 1 with the definition over binary32 rows. Returns 1 when the vector head ran.
     */
    private static int check(SplittableRandom r, int lanes, int headDim, int n, StorageFormat st, AttentionHead vector,
                             AttentionHead scalar, boolean special) {
        int kvHeads = 2;
        int stride = kvHeads * headDim;
        KvCache cache = new KvCache(2, kvHeads, headDim, n + 3, st);
        cache.reserve(n);
        float[] keys = new float[n * stride];
        float[] vals = new float[n * stride];
        for (int t = 0; t < n; t++) {
            // Infinities only among the values: an infinite key makes every score of the head NaN.
            float[] k = values(r, stride, 4f, st, special, false);
            float[] v = values(r, stride, 2f, st, special, special);
            System.arraycopy(k, 0, keys, t * stride, stride);
            System.arraycopy(v, 0, vals, t * stride, stride);
            cache.put(1, t, k, v);
        }
        float[] q = values(r, 3 + headDim, 4f, st, special, false);
        float scale = (float) (1.0 / StrictMath.sqrt(headDim));
        float[] expected = new float[headDim + 2];
        ExactOps.attentionHead(q, 3, keys, vals, headDim, stride, n, headDim, scale, lanes, st, new float[n],
                expected, 1);
        String what = "L " + lanes + " headDim " + headDim + " n " + n + " " + st + (special ? " special" : "")
                + " (seed " + SEED + ")";
        float[] actual = new float[headDim + 2];
        scalar.head(q, 3, cache, 1, 1, n, scale, actual, 1);
        assertBits(expected, actual, "scalar head, " + what);
        if (vector == null) {
            return 0;
        }
        actual = new float[headDim + 2];
        vector.head(q, 3, cache, 1, 1, n, scale, actual, 1);
        assertBits(expected, actual, "vector head, " + what);
        return 1;
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    what + ", element " + i);
        }
    }

    /**
     * Storage-rounded values with wide exponents and both signs, some exact zeros, so that the order of the sums
     * shows; with {@code special}, also -0 and subnormals of the format, with {@code infinities} a few values that
     * round to infinity.
     */
    private static float[] values(SplittableRandom r, int n, float spread, StorageFormat st, boolean special,
                                  boolean infinities) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(10) == 0 ? 0f : (float) (r.nextGaussian() * Math.pow(2, r.nextDouble(-spread, spread)));
            if (special && r.nextInt(50) == 0) {
                v[i] = switch (r.nextInt(3)) {
                    case 0 -> -0f;
                    case 1 -> (float) (r.nextGaussian() * 0x1p-20);
                    default -> (float) (r.nextGaussian() * 0x1p-130);
                };
            }
            if (infinities && r.nextInt(2000) == 0) {
                v[i] = r.nextBoolean() ? 1e20f : -1e20f;
            }
            v[i] = st.round(v[i]);
        }
        return v;
    }
}
