package dev.tellmej.model.numerics;

/**
 * Exact binary32 bit-field operations shared by the exact functions (NUMERICS.md N2, N9.1). Nothing here
 * rounds except {@link #scale2}'s single multiply into the subnormal range.
 */
public final class Fp32 {
    /** The canonical quiet NaN, 0x7FC00000 (N2.3). */
    public static final float NAN = Float.intBitsToFloat(0x7FC00000);

    private Fp32() {}

    /**
     * {@code r * 2^n} rounded to nearest even (N9.1): exact exponent-field addition while the result stays
     * normal; +-infinity when its exponent exceeds 127; when it falls below the normal range, r is first moved
     * exactly to exponent {@code n + 126} and then multiplied by 2^-126 with one RNE multiply, which rounds into
     * the subnormals (and to +-0 below half the smallest subnormal). {@code r} must be a normal number.
     */
    public static float scale2(float r, int n) {
        int bits = Float.floatToRawIntBits(r);
        int e = (bits >>> 23) & 0xFF;
        long ne = (long) e + n;
        if (ne >= 255) {
            return Math.copySign(Float.POSITIVE_INFINITY, r);
        }
        if (ne >= 1) {
            return Float.intBitsToFloat((bits & 0x807FFFFF) | ((int) ne << 23));
        }
        if (ne < -25) {
            return Math.copySign(0f, r);
        }
        float moved = Float.intBitsToFloat((bits & 0x807FFFFF) | ((int) (ne + 126) << 23));
        return moved * 0x1p-126f;
    }

    /**
     * Splits a finite non-zero |x| into {@code m * 2^E} with m in [1, 2): returns E, and the 23 fraction bits of
     * m in {@code fraction[0]}. Subnormals are normalized by a leading-zero count (N9.1).
     */
    static int split(float x, int[] fraction) {
        int bits = Float.floatToRawIntBits(x) & 0x7FFFFFFF;
        int e = bits >>> 23;
        int mant = bits & 0x7FFFFF;
        if (e == 0) {
            int shift = Integer.numberOfLeadingZeros(mant) - 8; // bring the leading 1 to bit 23
            mant = (mant << shift) & 0x7FFFFF;
            e = 1 - shift;
        }
        fraction[0] = mant;
        return e - 127;
    }

    /** The binary32 value 1.fraction (in [1, 2)). */
    static float one(int fraction) {
        return Float.intBitsToFloat((127 << 23) | fraction);
    }
}
