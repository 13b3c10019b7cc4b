package dev.tellmej.sim.fp;

import static dev.tellmej.sim.fp.FloatCases.canonical;
import static dev.tellmej.sim.fp.FloatCases.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.fp.Fp16Square;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.stream.LongStream;

/**
 * Fp32Add and Fp32Mul in Verilator against Java's {@code float +} and {@code *}, compared with
 * {@code Float.floatToIntBits} (so every NaN must come out as 0x7FC00000): every pair of corner values, then a
 * million seeded random pairs each, aimed at cancellation, ties, subnormals and overflow.
 */
class Fp32ArithmeticSimTest {
    private static final int RANDOM_PAIRS = 1_000_000;

    @SimTest
    void addEqualsJavaOnCornersAndAMillionRandomPairs(SimFixture fixture) {
        Design<Fp32Add> design = Hdl.elaborate(Fp32Add::new);
        Fp32Add top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        FixedLatencyDriver driver = new FixedLatencyDriver(sim, top.in, top.out, Fp32Add.LATENCY);
        check(driver, "+", Float::sum, fixture.random(), FloatCases::addPartner);
    }

    /**
     * The adder's shifts are products on DSP48E2 split at fixed widths, so every alignment distance (0 to 40:
     * past 26 only the sticky bit is left) and every normalization shift (0 to 27, with the exponent limiting it
     * or not) is met many times, on both sides of each split: pairs built for each distance, counted with a
     * model of the datapath's shift amounts.
     */
    @SimTest
    void addEqualsJavaAtEveryAlignmentAndNormalizationDistance(SimFixture fixture) {
        Design<Fp32Add> design = Hdl.elaborate(Fp32Add::new);
        Fp32Add top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Random random = fixture.random();
        java.util.List<int[]> pairs = new java.util.ArrayList<>();
        for (int rep = 0; rep < 400; rep++) {
            for (int d = 0; d <= 40; d++) {
                // b's exponent d below a's; below 1 it is subnormal (scale exponent 1, so a shorter distance).
                int exponent = rep % 4 == 0 ? 1 + random.nextInt(40) : 1 + random.nextInt(254);
                int a = randomSign(random) | (exponent << 23) | FloatCases.randomFraction(random);
                int b = randomSign(random) | (Math.max(0, exponent - d) << 23) | FloatCases.randomFraction(random);
                pairs.add(random.nextBoolean() ? new int[] {a, b} : new int[] {b, a});
            }
            // A power of two minus its neighbours below: the differences of one and two ulps of the lower binade
            // are the longest shifts (25 and 24) that the exponent does not limit.
            int power = (2 + random.nextInt(252)) << 23 | randomSign(random);
            for (int k = 1; k <= 2; k++) {
                pairs.add(new int[] {power, (power - k) ^ 0x8000_0000});
            }
            for (int t = 0; t <= 27; t++) {
                // Cancellation: -a with its low t bits changed, or -(a's neighbour one binade down), leaves about
                // t significant bits; small exponents make the exponent limit the shift.
                int exponent = rep % 2 == 0 ? 1 + random.nextInt(32) : 1 + random.nextInt(254);
                int a = (exponent << 23) | FloatCases.randomFraction(random);
                int low = (1 << t) - 1;
                int b = (a ^ 0x8000_0000) ^ (random.nextInt() & low);
                int sign = randomSign(random);
                pairs.add(new int[] {a ^ sign, b ^ sign});
                if (exponent > 1) {
                    int below = ((exponent - 1) << 23) | (0x7F_FFFF & ~(random.nextInt() & low));
                    pairs.add(new int[] {a ^ sign, below ^ 0x8000_0000 ^ sign});
                }
            }
        }
        int n = pairs.size();
        long[] a = new long[n];
        long[] b = new long[n];
        int[] alignments = new int[28];
        int[] normalizations = new int[29];
        int[] limited = new int[29];
        for (int i = 0; i < n; i++) {
            a[i] = pairs.get(i)[0] & 0xFFFF_FFFFL;
            b[i] = pairs.get(i)[1] & 0xFFFF_FFFFL;
            int[] shifts = addShifts(pairs.get(i)[0], pairs.get(i)[1]);
            if (shifts != null) {
                alignments[Math.min(shifts[0], 27)]++;
                normalizations[shifts[1]]++;
                if (shifts[2] != 0) {
                    limited[shifts[1]]++;
                }
            }
        }
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Fp32Add.LATENCY).run(a, b);
        for (int i = 0; i < n; i++) {
            long want = canonical(Float.intBitsToFloat((int) a[i]) + Float.intBitsToFloat((int) b[i]));
            int pair = i;
            assertEquals(want, out[i], () -> String.format("%s + %s: hardware %s, Java %s", describe(a[pair]),
                    describe(b[pair]), describe(out[pair]), describe(want)));
        }
        for (int d = 0; d <= 27; d++) {
            assertTrue(alignments[d] >= 100, "alignment distance " + d + " met " + alignments[d] + " times");
        }
        for (int s = 0; s <= 27; s++) {
            // Shifts of 26 and 27 (a leading one in the sticky places) only come with the exponent limiting them.
            int least = s <= 25 ? 100 : 10;
            assertTrue(normalizations[s] >= least, "normalization shift " + s + " met " + normalizations[s] + " times");
        }
        for (int s = 1; s <= 25; s++) {
            assertTrue(limited[s] >= 10, "normalization shift " + s + " limited by the exponent " + limited[s]
                    + " times");
        }
        System.out.printf("fp32 +: %d pairs bit-exact, every alignment distance and normalization shift%n", n);
    }

    /**
     * Every pair of finite exponent fields (0 to 254 each: every distance between the operands, with a subnormal
     * or zero on either side, both or neither; the aligner works on the raw fields and corrects for a zero one),
     * with random signs and fractions, a zero fraction one time in eight.
     */
    @SimTest
    void addEqualsJavaForEveryPairOfExponentFields(SimFixture fixture) {
        Design<Fp32Add> design = Hdl.elaborate(Fp32Add::new);
        Fp32Add top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Random random = fixture.random();
        int n = 255 * 255;
        long[] a = new long[n];
        long[] b = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = finite(random, i / 255);
            b[i] = finite(random, i % 255);
        }
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Fp32Add.LATENCY).run(a, b);
        for (int i = 0; i < n; i++) {
            long want = canonical(Float.intBitsToFloat((int) a[i]) + Float.intBitsToFloat((int) b[i]));
            int pair = i;
            assertEquals(want, out[i], () -> String.format("%s + %s: hardware %s, Java %s", describe(a[pair]),
                    describe(b[pair]), describe(out[pair]), describe(want)));
        }
        System.out.printf("fp32 +: all %d pairs of exponent fields bit-exact%n", n);
    }

    /** A finite binary32 pattern with exponent field {@code exponent}: random sign and fraction (zero 1 in 8). */
    private static long finite(Random random, int exponent) {
        int fraction = random.nextInt(8) == 0 ? 0 : FloatCases.randomFraction(random);
        return (randomSign(random) | exponent << 23 | fraction) & 0xFFFF_FFFFL;
    }

    private static int randomSign(Random random) {
        return random.nextBoolean() ? 0x8000_0000 : 0;
    }

    /**
     * The adder's shift amounts for finite a and b (null otherwise): the alignment distance (27 standing for any
     * larger one), the normalization shift (28 for a zero sum) and whether the exponent limited it (1) or not (0).
     */
    private static int[] addShifts(int a, int b) {
        if (((a >>> 23) & 0xFF) == 0xFF || ((b >>> 23) & 0xFF) == 0xFF) {
            return null;
        }
        boolean swap = (b & 0x7FFF_FFFF) > (a & 0x7FFF_FFFF);
        int big = swap ? b : a;
        int small = swap ? a : b;
        int bigExp = Math.max(1, (big >>> 23) & 0xFF);
        int smallExp = Math.max(1, (small >>> 23) & 0xFF);
        int d = Math.min(bigExp - smallExp, 27);
        long bigSig = (((big >>> 23) & 0xFF) == 0 ? 0 : 1L << 23 | (big & 0x7F_FFFF)) << 3;
        long smallSig = (((small >>> 23) & 0xFF) == 0 ? 0 : 1L << 23 | (small & 0x7F_FFFF)) << 3;
        long aligned = (smallSig >>> d) | ((smallSig & ((1L << d) - 1)) != 0 ? 1 : 0);
        long sum = (big ^ small) < 0 ? bigSig - aligned : bigSig + aligned;
        int leading = sum == 0 ? 28 : Long.numberOfLeadingZeros(sum) - 36;
        int shift = Math.min(leading, bigExp);
        return new int[] {d, shift, shift < leading ? 1 : 0};
    }

    @SimTest
    void fp16SquareIsJavasProductForAll65536Patterns(SimFixture fixture) {
        Design<Fp16Square> design = Hdl.elaborate(Fp16Square::new);
        Fp16Square top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Fp16Square.LATENCY)
                .run(LongStream.range(0, 65536).toArray());
        for (int h = 0; h < 65536; h++) {
            float x = Float.float16ToFloat((short) h);
            long want = canonical(x * x);
            int pattern = h;
            assertEquals(want, out[h], () -> String.format("fp16 0x%04X squared: hardware %s, Java %s", pattern,
                    describe(out[pattern]), describe(want)));
        }
    }

    @SimTest
    void mulEqualsJavaOnCornersAndAMillionRandomPairs(SimFixture fixture) {
        Design<Fp32Mul> design = Hdl.elaborate(Fp32Mul::new);
        Fp32Mul top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        FixedLatencyDriver driver = new FixedLatencyDriver(sim, top.in, top.out, Fp32Mul.LATENCY);
        check(driver, "*", (a, b) -> a * b, fixture.random(), FloatCases::mulPartner);
    }

    /**
     * The multiplier's right shift into the subnormal range is a product on a DSP48E2 split at a fixed width (a
     * one-hot multiplier up to 16 places, a coarse step of 12 beyond), so every shift (0 to 28, 28 standing for
     * any larger one) is met many times with the product's leading one at either of its two places, with one
     * operand subnormal or neither: pairs built for each result exponent, counted with a model of the datapath.
     * A third of them have products just below a power of two (2^47 or 2^48 in the significand product), which
     * round up across a binade, from the subnormals into the normal range among them; a third have short
     * fractions, which give ties. The subnormal operand's normalizing shift (1 to 23 places, also a product with a
     * coarse step of 12) is counted too.
     */
    @SimTest
    void mulEqualsJavaAtEveryUnderflowShift(SimFixture fixture) {
        Design<Fp32Mul> design = Hdl.elaborate(Fp32Mul::new);
        Fp32Mul top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Random random = fixture.random();
        java.util.List<int[]> pairs = new java.util.ArrayList<>();
        while (pairs.size() < 120_000) {
            // The exponent e of the product's bit 47: 2 - e is the shift when e <= 1 (28 covers any larger one).
            int e = -32 + random.nextInt(38);
            boolean subnormal = random.nextInt(3) == 0;
            // 0: random fractions; 1: a product just below a power of two; 2: short fractions (ties).
            int kind = random.nextInt(3);
            int a;
            int aScale;
            long aSig;
            if (subnormal) {
                int fraction = FloatCases.randomFraction(random) >>> random.nextInt(23);
                if (fraction == 0) {
                    continue;
                }
                a = fraction;
                aScale = 1;
                aSig = fraction;
            } else {
                aScale = 1 + random.nextInt(254);
                a = (aScale << 23) | (kind == 2 ? shortFraction(random) : FloatCases.randomFraction(random));
                aSig = (1L << 23) | (a & 0x7F_FFFF);
            }
            int lz = Long.numberOfLeadingZeros(aSig) - 40;
            long bSig;
            if (kind != 1) {
                bSig = (1L << 23) | (kind == 2 ? shortFraction(random) : FloatCases.randomFraction(random));
            } else {
                // Just below (or at) a power of two: the normalized a times b close to 2^47 or 2^48.
                long normalized = aSig << lz;
                long power = 1L << (47 + random.nextInt(2));
                bSig = Math.min((1L << 24) - 1, Math.max(1L << 23, power / normalized - random.nextInt(2)));
            }
            int bScale = e + 126 + lz - aScale;
            if (bScale < 1 || bScale > 254) {
                continue;
            }
            int b = (bScale << 23) | (int) (bSig & 0x7F_FFFF);
            int sign = randomSign(random);
            pairs.add(random.nextBoolean() ? new int[] {a ^ sign, b} : new int[] {b, a ^ sign});
        }
        int n = pairs.size();
        long[] a = new long[n];
        long[] b = new long[n];
        int[][] shifts = new int[2][29];
        int[] normalizations = new int[24];
        for (int i = 0; i < n; i++) {
            a[i] = pairs.get(i)[0] & 0xFFFF_FFFFL;
            b[i] = pairs.get(i)[1] & 0xFFFF_FFFFL;
            int[] shift = FloatCases.mulShift(pairs.get(i)[0], pairs.get(i)[1]);
            shifts[shift[1]][shift[0]]++;
            for (int operand : pairs.get(i)) {
                if ((operand & 0x7F80_0000) == 0) {
                    normalizations[Integer.numberOfLeadingZeros(operand & 0x7F_FFFF) - 8]++;
                }
            }
        }
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Fp32Mul.LATENCY).run(a, b);
        int ties = 0;
        for (int i = 0; i < n; i++) {
            float x = Float.intBitsToFloat((int) a[i]);
            float y = Float.intBitsToFloat((int) b[i]);
            long want = canonical(x * y);
            int pair = i;
            assertEquals(want, out[i], () -> String.format("%s * %s: hardware %s, Java %s", describe(a[pair]),
                    describe(b[pair]), describe(out[pair]), describe(want)));
            if (isTie(x, y, "*")) {
                ties++;
            }
        }
        for (int t = 0; t <= 28; t++) {
            // The leading one at bit 47 always shifts (t >= 1); at bit 46 it may stay (t = 0, a normal result).
            assertTrue(t == 0 || shifts[1][t] >= 500, "shift " + t + ", leading one at 47: " + shifts[1][t]);
            assertTrue(shifts[0][t] >= 500, "shift " + t + ", leading one at 46: " + shifts[0][t]);
        }
        for (int lz = 1; lz <= 23; lz++) {
            assertTrue(normalizations[lz] >= 200, "normalizing shift " + lz + " met " + normalizations[lz] + " times");
        }
        assertTrue(ties > 1_000, "the pairs should include exact ties, got " + ties);
        System.out.printf("fp32 *: %d pairs bit-exact, every underflow and normalizing shift; %d exact ties%n", n,
                ties);
    }

    /** A fraction of 1 to 12 leading bits, the rest zeros. */
    private static int shortFraction(Random random) {
        return random.nextInt() & 0x7F_FFFF & -(1 << (11 + random.nextInt(12)));
    }

    private interface Partner {
        int next(Random random, int a);
    }

    private static void check(FixedLatencyDriver driver, String op, BinaryOperator<Float> java, Random random,
            Partner partner) {
        int corners = FloatCases.CORNERS.length;
        int n = corners * corners + RANDOM_PAIRS;
        long[] a = new long[n];
        long[] b = new long[n];
        int k = 0;
        for (int x : FloatCases.CORNERS) {
            for (int y : FloatCases.CORNERS) {
                a[k] = x & 0xFFFF_FFFFL;
                b[k++] = y & 0xFFFF_FFFFL;
            }
        }
        int ties = 0;
        int subnormals = 0;
        while (k < n) {
            int x = FloatCases.anyFloat(random);
            int y = partner.next(random, x);
            if (random.nextBoolean()) {
                int t = x;
                x = y;
                y = t;
            }
            a[k] = x & 0xFFFF_FFFFL;
            b[k++] = y & 0xFFFF_FFFFL;
        }
        long start = System.nanoTime();
        long[] out = driver.run(a, b);
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < n; i++) {
            float x = Float.intBitsToFloat((int) a[i]);
            float y = Float.intBitsToFloat((int) b[i]);
            float expected = java.apply(x, y);
            long want = canonical(expected);
            if (out[i] != want) {
                throw new AssertionError(String.format("%s %s %s: hardware %s, Java %s (pair %d of %d)", describe(a[i]), op,
                        describe(b[i]), describe(out[i]), describe(want), i, n));
            }
            if (isTie(x, y, op)) {
                ties++;
            }
            if (Float.isFinite(expected) && expected != 0 && Math.abs(expected) < Float.MIN_NORMAL) {
                subnormals++;
            }
        }
        System.out.printf("fp32 %s: %d pairs bit-exact in %.1f s (%.2f M/s); %d exact ties, %d subnormal results%n",
                op, n, seconds, n / seconds / 1e6, ties, subnormals);
        assertTrue(ties > 1_000, "the random pairs should include exact ties, got " + ties);
        assertTrue(subnormals > 10_000, "the random pairs should include subnormal results, got " + subnormals);
    }

    /**
     * True when the exact result lies halfway between two binary32 neighbours. The exact product of two floats
     * fits a double; a sum does whenever the exponents are close enough for a tie to be possible (a coverage
     * count, not a check).
     */
    private static boolean isTie(float x, float y, String op) {
        if (!Float.isFinite(x) || !Float.isFinite(y)) {
            return false;
        }
        double exact = op.equals("+") ? (double) x + (double) y : (double) x * (double) y;
        float rounded = (float) exact;
        if (!Float.isFinite(rounded) || rounded == exact) {
            return false;
        }
        float other = exact > rounded ? Math.nextUp(rounded) : Math.nextDown(rounded);
        return Float.isFinite(other) && ((double) rounded + (double) other) / 2 == exact;
    }
}
