package dev.tellmej.model.numerics;

/** The FFN activations of NUMERICS.md N12. */
public final class ExactActivations {
    private ExactActivations() {}

    /**
     * SiLU(x) = x * reciprocal(1 + exp(-x)): negate (exact), {@link ExactExp}, add 1 (RNE),
     * {@link ExactReciprocal}, multiply by x (RNE). SiLU(-inf) is -0 (the composition would give NaN); NaN gives the
     * canonical NaN.
     */
    public static float silu(float x) {
        if (Float.isNaN(x)) {
            return Fp32.NAN;
        }
        if (x == Float.NEGATIVE_INFINITY) {
            return -0f;
        }
        float e = ExactExp.apply(-x);
        float d = 1f + e;
        float r = ExactReciprocal.apply(d);
        return x * r;
    }

    /** {@link #silu} of {@code x[0 .. n)} in place. */
    public interface SiluArray {
        void apply(float[] x, int n);
    }

    /**
     * {@link #silu} over arrays: the Vector API version ({@link VectorSilu}, the same results bit for bit) where it
     * runs here, else the scalar function element by element. An instance has scratch of its own: one per thread.
     */
    public static SiluArray siluArray() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                if (VectorSilu.applies()) {
                    return new VectorSilu()::apply;
                }
            } catch (LinkageError e) {
                // fall through to the scalar version
            }
        }
        return scalarSiluArray();
    }

    /** {@link #silu} over arrays, element by element (for models too narrow to gain from {@link VectorSilu}). */
    public static SiluArray scalarSiluArray() {
        return (x, n) -> {
            for (int i = 0; i < n; i++) {
                x[i] = silu(x[i]);
            }
        };
    }

    /**
     * Runs {@link #siluArray}'s function on a short row {@link #PRIMING_CALLS} times, so that the JIT compiles it
     * before the first prompt: for a thread with a core to spare while a model loads. The vector version needs its
     * C2 thresholds lowered for that (the launcher does, as for the TLMM kernel): until C2 has compiled it, its Vector
     * API operations run as plain Java. Changes nothing but the JIT's state (and counts toward {@link VectorSilu}'s
     * warming rows).
     */
    public static void primeSilu() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(18);
        float[] source = new float[PRIMING_LENGTH];
        for (int i = 0; i < source.length; i++) {
            source[i] = (float) random.nextDouble(-12, 12);
        }
        float[] x = new float[PRIMING_LENGTH];
        SiluArray silu = siluArray();
        for (int call = 0; call < PRIMING_CALLS; call++) {
            System.arraycopy(source, 0, x, 0, x.length);
            silu.apply(x, x.length);
        }
    }

    /** Calls and row length in {@link #primeSilu} (past the launcher's lowered C2 thresholds, as the TLMM's). */
    static final int PRIMING_CALLS = 64;
    static final int PRIMING_LENGTH = 64;

    /** ReLU^2: x * x (RNE) for x > 0, else +0; NaN stays NaN. */
    public static float relu2(float x) {
        if (Float.isNaN(x)) {
            return Fp32.NAN;
        }
        return x > 0f ? x * x : 0f;
    }
}
