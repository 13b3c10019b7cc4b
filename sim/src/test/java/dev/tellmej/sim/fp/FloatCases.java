package dev.tellmej.sim.fp;

import java.util.Random;

/** Operands for floating-point test benches: the corner values and seeded random patterns aimed at them. */
final class FloatCases {
    private FloatCases() {}

    /** Signed zeros, subnormals, the normal range's ends, infinities, NaNs (quiet, signaling, negative). */
    static final int[] CORNERS = corners();

    private static int[] corners() {
        int[] positive = {
            0x0000_0000, 0x0000_0001, 0x0000_0002, 0x0000_0003, 0x0000_0400, 0x0040_0000, 0x007F_FFFF, 0x007F_FFFE,
            0x0080_0000, 0x0080_0001, 0x00C0_0000, 0x00FF_FFFF, 0x0100_0000, 0x0180_0000,
            0x3380_0000, 0x33C0_0000, 0x3400_0000, 0x3F00_0000, 0x3F7F_FFFF, 0x3F80_0000, 0x3F80_0001, 0x3FC0_0000,
            0x3FFF_FFFF, 0x4000_0000, 0x4040_0000, 0x4B00_0000, 0x4B7F_FFFF, 0x4B80_0000, 0x3DCC_CCCD,
            0x1F80_0000, 0x2000_0000, 0x5F80_0000, 0x6000_0000, 0x7E80_0000, 0x7F00_0000, 0x7F7F_FFFE, 0x7F7F_FFFF,
            0x7F80_0000, 0x7FC0_0000, 0x7F80_0001, 0x7FBF_FFFF, 0x7FFF_FFFF, 0x7FC1_2345,
        };
        int[] all = new int[positive.length * 2];
        for (int i = 0; i < positive.length; i++) {
            all[2 * i] = positive[i];
            all[2 * i + 1] = positive[i] | 0x8000_0000;
        }
        return all;
    }

    /** A random pattern: uniform bits, a uniform exponent, or one near the subnormal or overflow ends. */
    static int anyFloat(Random random) {
        int sign = random.nextBoolean() ? 0x8000_0000 : 0;
        int fraction = randomFraction(random);
        return switch (random.nextInt(6)) {
            case 0 -> random.nextInt();
            case 1, 2 -> sign | (random.nextInt(255) << 23) | fraction;
            case 3 -> sign | (random.nextInt(4) << 23) | fraction;             // subnormal and smallest normals
            case 4 -> sign | ((251 + random.nextInt(4)) << 23) | fraction;     // near overflow
            default -> sign | ((100 + random.nextInt(55)) << 23) | fraction;  // around 1
        };
    }

    /** A fraction that is often short (few significant bits, so products and sums hit exact ties). */
    static int randomFraction(Random random) {
        int fraction = random.nextInt() & 0x7F_FFFF;
        return switch (random.nextInt(4)) {
            case 0 -> fraction & ~((1 << random.nextInt(23)) - 1);   // trailing zeros
            case 1 -> fraction | ((1 << random.nextInt(23)) - 1);    // trailing ones
            default -> fraction;
        };
    }

    /** An operand for {@code a}'s partner in an addition: near |a| (cancellation), a tie, or anything. */
    static int addPartner(Random random, int a) {
        int exponent = (a >>> 23) & 0xFF;
        int sign = random.nextBoolean() ? 0x8000_0000 : 0;
        return switch (random.nextInt(6)) {
            case 0 -> anyFloat(random);
            case 1 -> (a ^ 0x8000_0000) + random.nextInt(9) - 4;                       // x - (x +- few ulps)
            case 2 -> sign | (clampExponent(exponent + random.nextInt(5) - 2) << 23) | randomFraction(random);
            case 3 -> sign | (clampExponent(exponent - 24 - random.nextInt(3)) << 23)  // half an ulp of a: a tie
                    | (random.nextBoolean() ? 0 : randomFraction(random));
            case 4 -> sign | (clampExponent(exponent - random.nextInt(30)) << 23) | randomFraction(random);
            default -> a + random.nextInt(3) - 1;
        };
    }

    /** An operand for {@code a}'s partner in a product: exponents summing near underflow or overflow, or any. */
    static int mulPartner(Random random, int a) {
        int exponent = (a >>> 23) & 0xFF;
        int sign = random.nextBoolean() ? 0x8000_0000 : 0;
        return switch (random.nextInt(5)) {
            case 0 -> anyFloat(random);
            case 1 -> sign | (clampExponent(127 - exponent - random.nextInt(30)) << 23) | randomFraction(random);
            case 2 -> sign | (clampExponent(254 + 127 - exponent - random.nextInt(4)) << 23) | randomFraction(random);
            case 3 -> sign | (clampExponent(127 - exponent + random.nextInt(9) - 4) << 23)
                    | (randomFraction(random) & 0x7F_F000);                            // short significands: ties
            default -> sign | (random.nextInt(255) << 23) | randomFraction(random);
        };
    }

    private static int clampExponent(int exponent) {
        return Math.max(0, Math.min(254, exponent));
    }

    /**
     * The multiplier's right shift for nonzero finite a and b, not both subnormal: {t, top}, t the shift into the
     * subnormal range measured from the product's bit 47 down one place (0 or 1 for a normal result; 28 for any
     * larger one), top whether the significand product has its leading one at bit 47.
     */
    static int[] mulShift(int a, int b) {
        long[] sig = {significand(a), significand(b)};
        // The subnormal operand (at most one) is normalized first, which lowers e by its leading zeros.
        int lz = Long.numberOfLeadingZeros(sig[0]) - 40 + Long.numberOfLeadingZeros(sig[1]) - 40;
        int top = (int) ((sig[0] * sig[1]) << lz >>> 47);
        int e = mulExponent(a, b);
        int t = e >= 2 ? top : Math.min(2 - e, 28);
        return new int[] {t, top};
    }

    /**
     * The biased exponent e of bit 47 of the multiplier's significand product, its subnormal operand normalized,
     * for nonzero finite a and b, not both subnormal: e <= 1 puts the result in the subnormal range.
     */
    static int mulExponent(int a, int b) {
        int lz = Long.numberOfLeadingZeros(significand(a)) - 40 + Long.numberOfLeadingZeros(significand(b)) - 40;
        return Math.max(1, (a >>> 23) & 0xFF) + Math.max(1, (b >>> 23) & 0xFF) - lz - 126;
    }

    /** The 24-bit significand of a binary32 pattern, with its hidden bit (0 for zeros and subnormals). */
    private static long significand(int x) {
        return (((x >>> 23) & 0xFF) == 0 ? 0 : 1L << 23) | (x & 0x7F_FFFF);
    }

    /** The bit pattern of {@code f} with every NaN made 0x7FC00000, what the units produce. */
    static long canonical(float f) {
        return Float.floatToIntBits(f) & 0xFFFF_FFFFL;
    }

    /** Describes a pattern for failure messages. */
    static String describe(long bits) {
        return String.format("0x%08X (%s)", bits, Float.intBitsToFloat((int) bits));
    }
}
