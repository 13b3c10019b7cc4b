package dev.tellmej.model.numerics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExactOpsTest {
    private static final long SEED = 515;

    @Test
    void rmsNormIsTheDocumentedComposition() {
        float[] x = {3f, -4f, 0f, 0f};
        float[] gamma = {1f, 2f, 1f, 1f};
        float[] out = new float[4];
        ExactOps.rmsNorm(x, 4, gamma, 0f, 4, StorageFormat.FP16, out);
        // ss = 25, mean = 25 * 0.25 = 6.25, rsqrt = 0.4 (as the exact rsqrt gives it).
        float r = ExactRsqrt.apply(6.25f);
        assertEquals(StorageFormat.FP16.round(3f * r), out[0]);
        assertEquals(StorageFormat.FP16.round((-4f * r) * 2f), out[1]);
    }

    @Test
    void theLaneCountChangesSumsInTheLastBits() {
        SplittableRandom random = new SplittableRandom(SEED);
        int differing = 0;
        for (int trial = 0; trial < 200; trial++) {
            float[] x = new float[1536];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian() * (1 << random.nextInt(8));
            }
            if (LaneSum.sumOfSquares(x, 0, x.length, 1) != LaneSum.sumOfSquares(x, 0, x.length, 16)) {
                differing++;
            }
        }
        assertNotEquals(0, differing, "L = 1 and L = 16 sum in different orders (seed " + SEED + ")");
    }

    @Test
    void attentionOverOnePositionReturnsItsValue() {
        float[] q = {1f, 2f};
        float[] k = {0.5f, -1f};
        float[] v = {3f, -7f};
        float[] out = new float[2];
        ExactOps.attentionHead(q, 0, k, v, 0, 2, 1, 2, 0.70710677f, 16, StorageFormat.FP16, new float[1], out, 0);
        assertArrayEquals(new float[] {3f, -7f}, out);
    }

    @Test
    void attentionWeightsFollowTheExactSoftmax() {
        float[] q = {1f, 0f};
        float[] keys = {0f, 0f, 2f, 0f};
        float[] values = {1f, 0f, 0f, 1f};
        float[] out = new float[2];
        ExactOps.attentionHead(q, 0, keys, values, 0, 2, 2, 2, 0.5f, 2, StorageFormat.FP16, new float[2], out, 0);
        // scores 0 and 1: weights e^-1 and 1 over their sum.
        float e = ExactExp.apply(-1f);
        float rz = ExactReciprocal.apply(e + 1f);
        assertEquals(StorageFormat.FP16.round(e * rz), out[0]);
        assertEquals(StorageFormat.FP16.round(1f * rz), out[1]);
    }

    @Test
    void rotationOrder() {
        float[] out = new float[2];
        ExactOps.rotate(1f, 2f, 0.5f, 0.25f, out);
        assertEquals(1f * 0.5f - 2f * 0.25f, out[0]);
        assertEquals(1f * 0.25f + 2f * 0.5f, out[1]);
    }
}
