package dev.tellmej.model.numerics;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ExactOps#attentionHead} with the Vector API, bit for bit: N5's lane-ordered sums map onto vector lanes
 * without reassociating anything. In a score, lane j of L sums {@code q[i] * k[i]} over i = j, j + L, ... in
 * increasing i, and a vector of V lanes (V dividing L) holds V consecutive lanes j, so each vector step is V of
 * those lane steps at once. In the value sum each of the L lanes is a row of {@code headDim} partials (lane j
 * takes positions t = j, j + L, ... in increasing t), a vector runs V output elements of one lane at once, and
 * the pairwise tree runs over whole rows. Products and sums stay separate binary32 operations (the Vector API
 * never fuses a multiply and an add). The keys and values are read row by row, contiguously.
 *
 * <p>Used when V divides both L and {@code headDim}; {@link #applies} says so. Loaded only when the
 * {@code jdk.incubator.vector} module is present.
 */
public final class VectorAttention implements AttentionHead {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final int lanes;
    private final int headDim;
    private final float[] lanePartials;
    private final float[] rows;

    /** Scratch for one head at a time of {@code headDim} values with L = {@code lanes}. */
    public VectorAttention(int lanes, int headDim) {
        this.lanes = LaneSum.checkLanes(lanes);
        this.headDim = headDim;
        this.lanePartials = new float[lanes];
        this.rows = new float[lanes * headDim];
    }

    /** True when this class computes heads of {@code headDim} with {@code lanes} lanes on this machine. */
    public static boolean applies(int lanes, int headDim) {
        int v = F.length();
        return v > 1 && lanes % v == 0 && headDim % v == 0;
    }

    @Override
    public void head(float[] q, int qOff, float[] keys, float[] values, int kOff, int stride, int n, float scale,
                     StorageFormat st, float[] scores, float[] out, int outOff) {
        int v = F.length();
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < n; t++) {
            int kb = kOff + t * stride;
            for (int j = 0; j < lanes; j += v) {
                FloatVector acc = FloatVector.zero(F);
                for (int i = j; i < headDim; i += lanes) {
                    acc = acc.add(FloatVector.fromArray(F, q, qOff + i).mul(FloatVector.fromArray(F, keys, kb + i)));
                }
                acc.intoArray(lanePartials, j);
            }
            float s = LaneSum.tree(lanePartials, lanes) * scale;
            scores[t] = s;
            max = Math.max(max, s);
        }
        for (int t = 0; t < n; t++) {
            scores[t] = ExactExp.apply(scores[t] - max);
        }
        float rz = ExactReciprocal.apply(sum(scores, n));
        java.util.Arrays.fill(rows, 0f);
        for (int t = 0; t < n; t++) {
            int row = (t % lanes) * headDim;
            int vb = kOff + t * stride;
            FloatVector p = FloatVector.broadcast(F, scores[t]);
            for (int i = 0; i < headDim; i += v) {
                FloatVector acc = FloatVector.fromArray(F, rows, row + i);
                acc.add(p.mul(FloatVector.fromArray(F, values, vb + i))).intoArray(rows, row + i);
            }
        }
        for (int width = lanes; width > 1; width >>= 1) {
            for (int k = 0; k < width / 2; k++) {
                int dst = k * headDim;
                int a = 2 * k * headDim;
                int b = a + headDim;
                for (int i = 0; i < headDim; i += v) {
                    FloatVector.fromArray(F, rows, a + i).add(FloatVector.fromArray(F, rows, b + i)).intoArray(rows, dst + i);
                }
            }
        }
        for (int i = 0; i < headDim; i++) {
            out[outOff + i] = st.round(rows[i] * rz);
        }
    }

    /** {@link LaneSum#sum} of scores[0..n) with this instance's lanes. */
    private float sum(float[] scores, int n) {
        int v = F.length();
        int whole = n - n % lanes;
        for (int j = 0; j < lanes; j += v) {
            FloatVector acc = FloatVector.zero(F);
            for (int i = j; i < whole; i += lanes) {
                acc = acc.add(FloatVector.fromArray(F, scores, i));
            }
            acc.intoArray(lanePartials, j);
        }
        // The last, partial round: lane j takes position whole + j when there is one.
        for (int j = 0; whole + j < n; j++) {
            lanePartials[j] += scores[whole + j];
        }
        return LaneSum.tree(lanePartials, lanes);
    }
}
