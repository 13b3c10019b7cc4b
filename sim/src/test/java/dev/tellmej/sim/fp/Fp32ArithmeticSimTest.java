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
