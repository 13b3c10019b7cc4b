package dev.tellmej.accel.elementwise;

import dev.tellmej.model.config.RopeStyle;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The cos/sin table of NUMERICS.md N14.1 laid out for {@link Rope}'s table memory: for position p and pair
 * i, {@code freq = StrictMath.pow(theta, -2i/d)}, {@code angle = p * freq} (double), each entry rounded to
 * binary32 once. Row r of the memory holds position {@code first + r}: d/L words, word j giving lane l the
 * (cos, sin) of the pair its element {@code e = jL + l} belongs to (cos in the low 32 bits of the lane's 64).
 */
public final class RopeTable {
    private RopeTable() {}

    /** {@code (float) StrictMath.cos(p * StrictMath.pow(theta, -2i/d))}. */
    public static float cos(float theta, int headDim, int position, int pair) {
        return (float) StrictMath.cos(angle(theta, headDim, position, pair));
    }

    /** {@code (float) StrictMath.sin(p * StrictMath.pow(theta, -2i/d))}. */
    public static float sin(float theta, int headDim, int position, int pair) {
        return (float) StrictMath.sin(angle(theta, headDim, position, pair));
    }

    private static double angle(float theta, int headDim, int position, int pair) {
        double freq = StrictMath.pow(theta, -2.0 * pair / headDim);
        return position * freq;
    }

    /** The pair that element e of a head belongs to. */
    public static int pairOf(RopeStyle style, int headDim, int element) {
        return style == RopeStyle.ADJACENT ? element / 2 : element % (headDim / 2);
    }

    /** The memory words of one row (position p): d/L words of L (cos, sin) pairs. */
    public static List<BigInteger> row(RopeStyle style, int lanes, int headDim, float theta, int position) {
        List<BigInteger> words = new ArrayList<>();
        for (int j = 0; j < headDim / lanes; j++) {
            BigInteger word = BigInteger.ZERO;
            for (int lane = 0; lane < lanes; lane++) {
                int pair = pairOf(style, headDim, j * lanes + lane);
                long c = Float.floatToRawIntBits(cos(theta, headDim, position, pair)) & 0xFFFF_FFFFL;
                long s = Float.floatToRawIntBits(sin(theta, headDim, position, pair)) & 0xFFFF_FFFFL;
                word = word.or(BigInteger.valueOf(s).shiftLeft(32).or(BigInteger.valueOf(c)).shiftLeft(64 * lane));
            }
            words.add(word);
        }
        return words;
    }

    /** Rows for positions {@code first .. first + rows - 1}, in memory order. */
    public static List<BigInteger> rows(RopeStyle style, int lanes, int headDim, float theta, int first, int rows) {
        List<BigInteger> words = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            words.addAll(row(style, lanes, headDim, theta, first + r));
        }
        return words;
    }
}
