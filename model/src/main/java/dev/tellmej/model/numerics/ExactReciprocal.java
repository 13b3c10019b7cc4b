package dev.tellmej.model.numerics;

/**
 * 1/x as specified in NUMERICS.md N10: |x| = m * 2^E with m in [1, 2) (subnormals normalized); 6-bit index
 * {@code i} = top fraction bits of m, {@code u} = the other 17 bits * 2^-17; {@code y0 = V[i] + D[i] * u} on the
 * chord of 1/m; one Newton step {@code y1 = y0 * (2 - m * y0)} (three RNE operations in that order); result
 * {@code sign * scale2(y1, -E)}.
 */
public final class ExactReciprocal {
    /** Table entries (N10). */
    public static final int ENTRIES = 64;
    private static final ChordTable TABLE = new ChordTable(ENTRIES, k -> 1.0 / (1.0 + k / (double) ENTRIES));

    private ExactReciprocal() {}

    /** The value table V[i] = (float) (1 / (1 + i/64)). */
    public static float value(int i) {
        return TABLE.value(i);
    }

    /** The slope table D[i] = (float) (1 / (1 + (i+1)/64) - 1 / (1 + i/64)). */
    public static float slope(int i) {
        return TABLE.slope(i);
    }

    /** 1/x per N10. */
    public static float apply(float x) {
        if (Float.isNaN(x)) {
            return Fp32.NAN;
        }
        if (Float.isInfinite(x)) {
            return Math.copySign(0f, x);
        }
        if (x == 0f) {
            return Math.copySign(Float.POSITIVE_INFINITY, x);
        }
        int[] fraction = new int[1];
        int e = Fp32.split(x, fraction);
        float m = Fp32.one(fraction[0]);
        int i = fraction[0] >>> 17;
        float u = (fraction[0] & 0x1FFFF) * 0x1p-17f;
        float y0 = TABLE.at(i, u);
        float p = m * y0;
        float q = 2f - p;
        float y1 = y0 * q;
        return Math.copySign(Fp32.scale2(y1, -e), x);
    }
}
