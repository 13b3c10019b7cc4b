package dev.tellmej.hdl.lib.fp;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The (value, slope) tables of NUMERICS.md N9 to N11, generated from the contract's formulas: each entry
 * computed in double precision ({@code StrictMath} for pow and sqrt) and rounded to binary32 once. The
 * library does not depend on the software model; the test benches check these bits against the model's
 * tables.
 */
public final class FpTables {
    /** Entries of the exp table (N9). */
    public static final int EXP_ENTRIES = 128;
    /** Entries of the reciprocal table (N10). */
    public static final int RECIPROCAL_ENTRIES = 64;
    /** Entries of the rsqrt table (N11): 32 segments of [1, 2), then 32 of [2, 4). */
    public static final int RSQRT_ENTRIES = 64;
    /** {@code (float) (1 / ln 2)} = 0x3FB8AA3B (N9.3). */
    public static final float LOG2E = (float) (1.0 / StrictMath.log(2.0));

    private FpTables() {}

    /** N9.6: {@code V[i] = (float) 2^(i/128)}. */
    public static float expValue(int i) {
        return (float) StrictMath.pow(2.0, i / (double) EXP_ENTRIES);
    }

    /** N9.6: {@code D[i] = (float) (2^((i+1)/128) - 2^(i/128))}. */
    public static float expSlope(int i) {
        return (float) (StrictMath.pow(2.0, (i + 1) / (double) EXP_ENTRIES) - StrictMath.pow(2.0, i / (double) EXP_ENTRIES));
    }

    /** N10.4: {@code V[i] = (float) (1 / (1 + i/64))}. */
    public static float reciprocalValue(int i) {
        return (float) (1.0 / (1.0 + i / (double) RECIPROCAL_ENTRIES));
    }

    /** N10.4: {@code D[i] = (float) (1/(1 + (i+1)/64) - 1/(1 + i/64))}. */
    public static float reciprocalSlope(int i) {
        return (float) (1.0 / (1.0 + (i + 1) / (double) RECIPROCAL_ENTRIES) - 1.0 / (1.0 + i / (double) RECIPROCAL_ENTRIES));
    }

    /** N11.4: {@code V[i] = (float) (1/sqrt(lo))} for segment i. */
    public static float rsqrtValue(int i) {
        return (float) (1.0 / StrictMath.sqrt(rsqrtLow(i)));
    }

    /** N11.4: {@code D[i] = (float) (1/sqrt(hi) - 1/sqrt(lo))}. */
    public static float rsqrtSlope(int i) {
        return (float) (1.0 / StrictMath.sqrt(rsqrtHigh(i)) - 1.0 / StrictMath.sqrt(rsqrtLow(i)));
    }

    /** Segment i's lower end: [1 + k/32] for i = k < 32, [2 + 2k/32] for i = 32 + k. */
    private static double rsqrtLow(int i) {
        int octave = i >> 5;
        int k = i & 31;
        return (1 << octave) * (1.0 + k / 32.0);
    }

    /** Segment i's upper end. */
    private static double rsqrtHigh(int i) {
        int octave = i >> 5;
        int k = i & 31;
        return (1 << octave) * (1.0 + (k + 1) / 32.0);
    }

    /**
     * ROM words of a table: the value's bits in the high 32 bits, the slope's in the low 32 (both as
     * unsigned patterns).
     */
    static List<BigInteger> words(int entries, java.util.function.IntFunction<Float> value,
            java.util.function.IntFunction<Float> slope) {
        List<BigInteger> words = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) {
            long v = Float.floatToRawIntBits(value.apply(i)) & 0xFFFF_FFFFL;
            long d = Float.floatToRawIntBits(slope.apply(i)) & 0xFFFF_FFFFL;
            words.add(BigInteger.valueOf(v).shiftLeft(32).or(BigInteger.valueOf(d)));
        }
        return words;
    }
}
