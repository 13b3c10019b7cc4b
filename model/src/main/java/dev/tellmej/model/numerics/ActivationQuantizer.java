package dev.tellmej.model.numerics;

/**
 * Per-token absmax int8 quantization of NUMERICS.md N6 and the dequantization factor of N8.
 */
public final class ActivationQuantizer {
    /** The absmax floor, (float) 1e-5. */
    public static final float EPS = 1e-5f;
    /** (float) (1 / 127.0). */
    public static final float INV127 = (float) (1.0 / 127.0);

    private ActivationQuantizer() {}

    /**
     * Quantizes {@code x[0..n)} into {@code q}: {@code m = max|x_i|} (exact; NaN if any is NaN),
     * {@code mc = max(m, EPS)}, {@code s = 127 * reciprocal(mc)}, {@code q_i = sat8(rne(x_i * s))}.
     *
     * @return mc, the clamped absmax that the dequantization factor uses
     */
    public static float quantize(float[] x, int n, byte[] q) {
        float m = 0f;
        for (int i = 0; i < n; i++) {
            float a = Math.abs(x[i]);
            if (Float.isNaN(a)) {
                m = Fp32.NAN;
                break;
            }
            m = Math.max(m, a);
        }
        float mc = m > EPS || Float.isNaN(m) ? m : EPS;
        float s = 127f * ExactReciprocal.apply(mc);
        for (int i = 0; i < n; i++) {
            q[i] = (byte) toInt8(x[i] * s);
        }
        return mc;
    }

    /**
     * Runs {@link #quantize} on a short row {@link #PRIMING_CALLS} times, so that the JIT's optimizing compiler has
     * compiled it before the first prompt (which would call it a few hundred times on whole rows first): for a
     * thread with a core to spare while a model loads. Changes nothing but the JIT's state.
     */
    public static void prime() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(18);
        float[] x = new float[PRIMING_LENGTH];
        byte[] q = new byte[PRIMING_LENGTH];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-4, 4);
        }
        for (int call = 0; call < PRIMING_CALLS; call++) {
            quantize(x, x.length, q);
        }
    }

    /**
     * Calls and row length in {@link #prime}: past C2's default thresholds (at least 600 calls, and 15,000 calls and
     * loop iterations together), in a few milliseconds of interpreted code.
     */
    static final int PRIMING_CALLS = 1000;
    static final int PRIMING_LENGTH = 64;

    /**
     * Rounds a binary32 value to the nearest integer, ties to even, then saturates to [-128, 127]; NaN gives 0
     * (N6.3).
     */
    public static int toInt8(float v) {
        if (Float.isNaN(v)) {
            return 0;
        }
        double r = Math.rint(v);
        return (int) Math.max(-128, Math.min(127, r));
    }

    /** The dequantization factor {@code (mc * weightScale) * INV127} (N8), two RNE multiplies in that order. */
    public static float factor(float mc, float weightScale) {
        return (mc * weightScale) * INV127;
    }
}
