package dev.tellmej.model.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorSilu} against the scalar {@link ExactActivations#silu} and {@link ExactExp#apply}, bit for bit
 * (raw bits, so every NaN is the canonical one). The regular suite takes every 257th binary32 pattern (both signs,
 * every exponent), every input in [1, 2) and (-2, -1], and the edges of each special case; with
 * {@code -Dtellme.exhaustive=true} it takes all 2^32 patterns.
 */
class VectorSiluTest {
    private static final int BATCH = 4096;

    /** Compares the patterns lo, lo + step, ... up to hi (inclusive, as unsigned ints); returns the count. */
    private static long compare(long lo, long hi, long step) {
        VectorSilu v = new VectorSilu();
        float[] x = new float[BATCH];
        float[] silu = new float[BATCH];
        long count = 0;
        long bits = lo;
        while (bits <= hi) {
            int n = 0;
            for (; n < BATCH && bits <= hi; n++, bits += step) {
                x[n] = Float.intBitsToFloat((int) bits);
            }
            System.arraycopy(x, 0, silu, 0, n);
            v.applyVector(silu, n);
            for (int i = 0; i < n; i++) {
                int want = Float.floatToRawIntBits(ExactActivations.silu(x[i]));
                if (want != Float.floatToRawIntBits(silu[i])) {
                    assertEquals(Integer.toHexString(want), Integer.toHexString(Float.floatToRawIntBits(silu[i])),
                            "silu of " + x[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x[i])) + ")");
                }
            }
            int lanes = FloatVector.SPECIES_PREFERRED.length();
            for (int i = 0; i + lanes <= n; i += lanes) {
                FloatVector e = v.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, i));
                for (int j = 0; j < lanes; j++) {
                    int want = Float.floatToRawIntBits(ExactExp.apply(x[i + j]));
                    int got = Float.floatToRawIntBits(e.lane(j));
                    if (want != got) {
                        assertEquals(Integer.toHexString(want), Integer.toHexString(got), "exp of " + x[i + j]);
                    }
                }
            }
            count += n;
        }
        return count;
    }

    /** Patterns [lo, hi] in 64 pieces on every core. */
    private static long compareParallel(long lo, long hi, long step) {
        int pieces = 64;
        long span = ((hi - lo) / step + 1 + pieces - 1) / pieces * step;
        return IntStream.range(0, pieces).parallel().mapToLong(p -> {
            long from = lo + p * span;
            long to = Math.min(hi, from + span - step);
            return from > hi ? 0 : compare(from, to, step);
        }).sum();
    }

    /** The warming rows (part vector, part scalar) give the same values too. */
    @Test
    void applyWhileWarmingAndWarmGivesTheScalarValues() {
        VectorSilu v = new VectorSilu();
        java.util.SplittableRandom r = new java.util.SplittableRandom(18);
        float[] x = new float[1000];
        float[] y = new float[x.length];
        for (int row = 0; row < VectorSilu.WARMING_ROWS + 10; row++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextGaussian() * 8);
            }
            System.arraycopy(x, 0, y, 0, x.length);
            v.apply(y, x.length);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(ExactActivations.silu(x[i])), Float.floatToRawIntBits(y[i]),
                        "row " + row + " element " + i);
            }
        }
    }

    @Test
    void equalsTheScalarFunctionsOnASpreadOfEveryExponentAndOnTheirEdges() {
        assertTrue(VectorSilu.applies(), "the Vector API runs here with more than one lane");
        long all = 0xFFFF_FFFFL;
        if (Boolean.getBoolean("tellme.exhaustive")) {
            assertEquals(1L << 32, compareParallel(0, all, 1));
            return;
        }
        assertEquals(all / 257 + 1, compareParallel(0, all, 257));
        // [1, 2) and (-2, -1]: every fraction pattern, so every table entry with every u.
        compareParallel(Float.floatToRawIntBits(1f), Float.floatToRawIntBits(2f) - 1, 1);
        compareParallel(Float.floatToRawIntBits(-1f) & 0xFFFF_FFFFL, (Float.floatToRawIntBits(-2f) & 0xFFFF_FFFFL) - 1,
                1);
        // Around the exponent's limits (t = x * LOG2E at 128 and -160: overflow and the last subnormal results),
        // around 0, and the largest and smallest magnitudes.
        for (float edge : new float[] {88.72f, -88.72f, 103.97f, -103.97f, 110.9f, -110.9f, 87.33f, -87.33f, 0f,
            Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, 16.64f, -16.64f}) {
            long b = Float.floatToRawIntBits(edge) & 0xFFFF_FFFFL;
            for (long sign : new long[] {0, 0x8000_0000L}) {
                long c = b ^ sign;
                compare(Math.max(0, c - 100_000), Math.min(all, c + 100_000), 1);
            }
        }
        // Infinities and NaNs (both signs, quiet and signalling, with payloads).
        compare(0x7F7F_0000L, 0x7FFF_FFFFL, 1);
        compare(0xFF7F_0000L, 0xFFFF_FFFFL, 1);
    }
}
