package dev.tellmej.model.numerics;

/**
 * The element-wise blocks of the hardware-exact path as standalone functions (NUMERICS.md N13 to N15), so the
 * RTL and OpenCL test benches can drive one block at a time and compare bit for bit.
 */
public final class ExactOps {
    private ExactOps() {}

    /**
     * RMSNorm (N13): {@code ss} = lane-ordered sum of {@code in[i] * in[i]}; {@code r = rsqrt(ss * (float) (1/n) + eps)};
     * {@code out[i] = st((in[i] * r) * gamma[i])}.
     */
    public static void rmsNorm(float[] in, int n, float[] gamma, float eps, int lanes, StorageFormat st, float[] out) {
        float ss = LaneSum.sumOfSquares(in, 0, n, lanes);
        float mean = ss * (float) (1.0 / n);
        float r = ExactRsqrt.apply(mean + eps);
        for (int i = 0; i < n; i++) {
            out[i] = st.round((in[i] * r) * gamma[i]);
        }
    }

    /**
     * RoPE on one pair (N14.2): {@code a' = a*c - b*s}, {@code b' = a*s + b*c}, all four products first, then the
     * subtraction and the addition, binary32 RNE. Writes {@code a'} to {@code out[0]}, {@code b'} to {@code out[1]}.
     */
    public static void rotate(float a, float b, float c, float s, float[] out) {
        float p1 = a * c;
        float p2 = b * s;
        float p3 = a * s;
        float p4 = b * c;
        out[0] = p1 - p2;
        out[1] = p3 + p4;
    }

    /**
     * One head of attention for one query (N15) over {@code n} cached positions.
     *
     * @param q          the query (storage-rounded), {@code headDim} values from {@code qOff}
     * @param keys       cached keys; position t's head starts at {@code kOff + t * stride}
     * @param values     cached values, same layout as the keys
     * @param scale      the score scale (float) (1 / sqrt(headDim))
     * @param scores     scratch of at least n floats
     * @param out        the head's output, storage-rounded, written from {@code outOff}
     */
    public static void attentionHead(float[] q, int qOff, float[] keys, float[] values, int kOff, int stride, int n,
                                     int headDim, float scale, int lanes, StorageFormat st, float[] scores,
                                     float[] out, int outOff) {
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < n; t++) {
            float s = LaneSum.dot(q, qOff, keys, kOff + t * stride, headDim, lanes) * scale;
            scores[t] = s;
            max = Math.max(max, s);
        }
        for (int t = 0; t < n; t++) {
            scores[t] = ExactExp.apply(scores[t] - max);
        }
        float rz = ExactReciprocal.apply(LaneSum.sum(scores, 0, n, lanes));
        float[] partial = new float[lanes];
        for (int i = 0; i < headDim; i++) {
            java.util.Arrays.fill(partial, 0f);
            for (int j = 0; j < lanes && j < n; j++) {
                float acc = 0f;
                for (int t = j; t < n; t += lanes) {
                    acc += scores[t] * values[kOff + t * stride + i];
                }
                partial[j] = acc;
            }
            out[outOff + i] = st.round(LaneSum.tree(partial, lanes) * rz);
        }
    }
}
