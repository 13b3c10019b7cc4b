package dev.tellmej.hdl.lib.fp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Why {@link InverseOfCount} may compute {@code (float) (1.0 / n)} with one rounding: for every n from 1 to
 * 65,535 the correctly rounded binary32 of the exact 1/n equals Java's double division rounded to float (no
 * double-rounding case), and the unit's algorithm (normalization, 26 restoring division steps, rounding to
 * nearest even, packing), written here step by step as the RTL does it, gives those bits, and +infinity for 0.
 * Pure Java, every n; the Verilator test ({@code InverseOfCountSimTest}) holds the RTL to the same bits.
 */
class InverseOfCountTest {
    private static final int MAX = 65_535;

    @Test
    void theCorrectlyRoundedInverseIsJavasForEveryCount() {
        for (int n = 1; n <= MAX; n++) {
            assertEquals(javaBits(n), correctlyRounded(n), "n = " + n);
        }
    }

    /**
     * The reason there is no double-rounding case, checked for every n that is not a power of two (whose 1/n
     * both formats hold exactly): in the binade [2^-b, 2^-(b-1)) of 1/n (b the bit length of n) binary32's
     * rounding boundaries are the odd multiples of 2^-(b+24), and 1/n lies {@code |R - n| / (n 2^(b+24))} from
     * the nearest, with R = 2^(b+24) mod 2n; the double 1.0/n lies at most half a double ulp, 2^-(b+53), from
     * 1/n. The first always exceeds the second (|R - n| >= 1 and n < 2^29), so the double is on the same side of
     * every boundary as 1/n and rounds to the same float.
     */
    @Test
    void noCountLiesWithinTheDoublesErrorOfARoundingBoundary() {
        double smallest = Double.POSITIVE_INFINITY;
        int where = 0;
        for (int n = 1; n <= MAX; n++) {
            if (Integer.bitCount(n) == 1) {
                continue;
            }
            int b = 32 - Integer.numberOfLeadingZeros(n);
            long r = (1L << (b + 24)) % (2L * n);
            long distance = Math.abs(r - n);   // in units of 1 / (n 2^(b+24))
            assertTrue(distance >= 1, "n = " + n + " has 1/n on a rounding boundary");
            // distance / (n 2^(b+24)) > 2^-(b+53)  <=>  distance * 2^29 > n; the margin is the ratio.
            double margin = distance * Math.scalb(1.0, 29) / n;
            assertTrue(margin > 1, "n = " + n + ": 1/n within the double's error of a binary32 boundary");
            if (margin < smallest) {
                smallest = margin;
                where = n;
            }
        }
        System.out.printf("1/n vs binary32 boundaries: the closest (n = %d) is %.0f times the double's error%n",
                where, smallest);
    }

    @Test
    void theUnitsAlgorithmGivesJavasBitsForEveryCount() {
        for (int n = 0; n <= MAX; n++) {
            assertEquals(javaBits(n), unitAlgorithm(n), "n = " + n);
        }
        assertEquals(0x7F80_0000, unitAlgorithm(0), "1/0 is +infinity, as in Java");
        assertEquals(0x3F80_0000, unitAlgorithm(1));
        assertEquals(0x3EAA_AAAB, unitAlgorithm(3));
    }

    private static int javaBits(int n) {
        return Float.floatToRawIntBits((float) (1.0 / n));
    }

    /** 1/n rounded once to binary32, nearest even, from the exact quotient 2^(b+23) / n (b the bit length of n). */
    private static int correctlyRounded(int n) {
        int k = 23 + 32 - Integer.numberOfLeadingZeros(n);
        long q = (1L << k) / n;                  // in [2^23, 2^24]
        long twiceRemainder = 2 * ((1L << k) - q * n);
        if (twiceRemainder > n || (twiceRemainder == n && (q & 1) == 1)) {
            q++;
        }
        return Float.floatToRawIntBits(Math.scalb((float) q, -k));   // q <= 2^24 and the scaling are exact
    }

    /** The RTL's steps with its register widths: COUNT, SHIFT, 26 DIVIDE steps, ROUND (see the unit's Javadoc). */
    private static int unitAlgorithm(int n) {
        int zeros = Integer.numberOfLeadingZeros(n) - 16;         // 16 for n = 0
        int divisor = zeros >= 16 ? 0 : (n << zeros) & 0xFFFF;
        int remainder = 1 << 15;
        int quotient = 0;
        for (int step = 0; step < InverseOfCount.STEPS; step++) {
            boolean fits = remainder >= divisor;
            int kept = fits ? remainder - divisor : remainder;
            remainder = (kept << 1) & 0x1_FFFF;
            quotient = ((quotient << 1) | (fits ? 1 : 0)) & ((1 << InverseOfCount.STEPS) - 1);
        }
        int significand = quotient >>> 1;
        boolean guard = (quotient & 1) == 1;
        boolean roundUp = guard && (remainder != 0 || (significand & 1) == 1);
        int packed = (((110 + zeros) & 0xFF) << 23) + significand + (roundUp ? 1 : 0);
        return n == 0 ? 0x7F80_0000 : packed & 0x7FFF_FFFF;
    }
}
