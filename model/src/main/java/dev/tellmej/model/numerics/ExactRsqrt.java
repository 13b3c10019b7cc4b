package dev.tellmej.model.numerics;

/**
 * 1/sqrt(x) as specified in NUMERICS.md N11: x = m * 2^E (subnormals normalized); for odd E use m' = 2m and
 * E' = E - 1, else m' = m, E' = E, so m' is in [1, 4); index {@code i = 32 * (E & 1) + top 5 fraction bits},
 * {@code u} = the other 18 bits * 2^-18; {@code y0 = V[i] + D[i] * u} on the chord of 1/sqrt over the segment;
 * one Newton step {@code y1 = y0 * (1.5 - (0.5 * m') * (y0 * y0))}; result {@code scale2(y1, -E'/2)}.
 */
public final class ExactRsqrt {
    /** Table entries (N11): 32 segments of [1, 2) and 32 of [2, 4). */
    public static final int ENTRIES = 64;
    /** Segment {@code k} starts at {@code 2^(k >> 5) * (1 + (k & 31) / 32)}; segment 32 starts where 31 ends, at 2. */
    private static final ChordTable TABLE =
            new ChordTable(ENTRIES, k -> 1.0 / StrictMath.sqrt((1 << (k >> 5)) * (1.0 + (k & 31) / 32.0)));

    private ExactRsqrt() {}

    /** The value table V[i] = (float) (1 / sqrt(start of segment i)). */
    public static float value(int i) {
        return TABLE.value(i);
    }

    /** The slope table D[i]: the chord's rise over segment i, rounded once to binary32. */
    public static float slope(int i) {
        return TABLE.slope(i);
    }

    /** 1/sqrt(x) per N11. */
    public static float apply(float x) {
        if (Float.isNaN(x)) {
            return Fp32.NAN;
        }
        if (x == 0f) {
            return Math.copySign(Float.POSITIVE_INFINITY, x);
        }
        if (x < 0f) {
            return Fp32.NAN;
        }
        if (x == Float.POSITIVE_INFINITY) {
            return 0f;
        }
        int[] fraction = new int[1];
        int e = Fp32.split(x, fraction);
        int odd = e & 1;
        float m = Fp32.one(fraction[0]);
        if (odd == 1) {
            m = m * 2f; // exact
        }
        int ePrime = e - odd;
        int i = (odd << 5) | (fraction[0] >>> 18);
        float u = (fraction[0] & 0x3FFFF) * 0x1p-18f;
        float y0 = TABLE.at(i, u);
        float h = 0.5f * m;
        float a = y0 * y0;
        float b = h * a;
        float c = 1.5f - b;
        float y1 = y0 * c;
        return Fp32.scale2(y1, -(ePrime / 2));
    }
}
