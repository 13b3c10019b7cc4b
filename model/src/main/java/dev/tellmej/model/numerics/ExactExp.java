package dev.tellmej.model.numerics;

/**
 * exp(x) as specified in NUMERICS.md N9: {@code t = x * LOG2E}; {@code T = floor(t * 2^23)} (exact), split into
 * the integer part {@code n = T >> 23}, a 7-bit table index {@code i = (T >> 16) & 127} and a 16-bit fraction
 * {@code u = (T & 0xFFFF) * 2^-16}; {@code r = V[i] + D[i] * u} (multiply, then add, each RNE) on the chord of
 * 2^f over [i/128, (i+1)/128]; result {@link Fp32#scale2}(r, n).
 */
public final class ExactExp {
    /** Table entries (N9). */
    public static final int ENTRIES = 128;
    /** (float) (1 / ln 2). */
    public static final float LOG2E = (float) (1.0 / StrictMath.log(2.0));
    private static final ChordTable TABLE = new ChordTable(ENTRIES, k -> StrictMath.pow(2.0, k / (double) ENTRIES));

    private ExactExp() {}

    /** The value table V[i] = (float) 2^(i/128). */
    public static float value(int i) {
        return TABLE.value(i);
    }

    /** The slope table D[i] = (float) (2^((i+1)/128) - 2^(i/128)). */
    public static float slope(int i) {
        return TABLE.slope(i);
    }

    /** exp(x) per N9. */
    public static float apply(float x) {
        if (Float.isNaN(x)) {
            return Fp32.NAN;
        }
        if (x == Float.POSITIVE_INFINITY) {
            return Float.POSITIVE_INFINITY;
        }
        if (x == Float.NEGATIVE_INFINITY) {
            return 0f;
        }
        float t = x * LOG2E;
        if (t >= 128f) {
            return Float.POSITIVE_INFINITY;
        }
        if (t < -160f) {
            return 0f;
        }
        int fixed = (int) Math.floor(t * 0x1p23f);
        int n = fixed >> 23;
        int i = (fixed >>> 16) & (ENTRIES - 1);
        float u = (fixed & 0xFFFF) * 0x1p-16f;
        float r = TABLE.at(i, u);
        return Fp32.scale2(r, n);
    }
}
