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
        return (x, n) -> {
            for (int i = 0; i < n; i++) {
                x[i] = silu(x[i]);
            }
        };
    }

    /** ReLU^2: x * x (RNE) for x > 0, else +0; NaN stays NaN. */
    public static float relu2(float x) {
        if (Float.isNaN(x)) {
            return Fp32.NAN;
        }
        return x > 0f ? x * x : 0f;
    }
}
