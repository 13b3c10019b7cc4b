package dev.tellmej.model.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * exp, reciprocal, rsqrt and SiLU against StrictMath: exhaustively over every binary16 input, and over a million
 * seeded binary32 inputs per function; special cases; and a checksum of all 65,536 fp16-input results that
 * freezes the bits (the RTL and OpenCL kernels must produce the same checksum).
 */
class ExactFunctionsTest {
    private static final long SEED = 0xF00DL;

    private interface Fn {
        float apply(float x);
    }

    /** Max relative error over inputs whose reference result is a normal binary32. */
    private static double maxRelError(Fn f, DoubleUnaryOperator ref, float lo, float hi, boolean fp32Random) {
        double worst = 0;
        for (int b = 0; b < 65536; b++) {
            worst = Math.max(worst, relError(f, ref, Float.float16ToFloat((short) b), lo, hi));
        }
        if (fp32Random) {
            SplittableRandom r = new SplittableRandom(SEED);
            for (int k = 0; k < 500_000; k++) {
                worst = Math.max(worst, relError(f, ref, Float.intBitsToFloat(r.nextInt()), lo, hi));
                worst = Math.max(worst, relError(f, ref, lo + (float) (r.nextDouble() * ((double) hi - lo)), lo, hi));
            }
        }
        return worst;
    }

    private static double relError(Fn f, DoubleUnaryOperator ref, float x, float lo, float hi) {
        if (!(x >= lo && x <= hi)) {
            return 0;
        }
        double expected = ref.applyAsDouble(x);
        if (!(Math.abs(expected) >= Float.MIN_NORMAL && Math.abs(expected) <= Float.MAX_VALUE)) {
            return 0;
        }
        return Math.abs(f.apply(x) - expected) / Math.abs(expected);
    }

    private static int checksum(Fn f) {
        int h = 0;
        for (int b = 0; b < 65536; b++) {
            h = 31 * h + Float.floatToIntBits(f.apply(Float.float16ToFloat((short) b)));
        }
        return h;
    }

    @Test
    void expAccuracy() {
        double err = maxRelError(ExactExp::apply, StrictMath::exp, -87.3f, 88.7f, true);
        System.out.printf("exp: max relative error %.3g over fp16 and random fp32 inputs (seed %d)%n", err, SEED);
        assertTrue(err < 1e-5, "exp max relative error " + err);
        assertTrue(maxRelError(ExactExp::apply, StrictMath::exp, -16f, 0f, true) < 5e-6);
    }

    @Test
    void reciprocalAccuracy() {
        double err = maxRelError(ExactReciprocal::apply, x -> 1 / x, -Float.MAX_VALUE, Float.MAX_VALUE, true);
        System.out.printf("reciprocal: max relative error %.3g%n", err);
        assertTrue(err < 2.4e-7, "reciprocal max relative error " + err);
    }

    @Test
    void rsqrtAccuracy() {
        double err = maxRelError(ExactRsqrt::apply, x -> 1 / StrictMath.sqrt(x), 0f, Float.MAX_VALUE, true);
        System.out.printf("rsqrt: max relative error %.3g%n", err);
        assertTrue(err < 2.4e-7, "rsqrt max relative error " + err);
    }

    @Test
    void siluAccuracy() {
        double err = maxRelError(ExactActivations::silu, x -> x / (1 + StrictMath.exp(-x)), -80f, 80f, true);
        System.out.printf("SiLU: max relative error %.3g on [-80, 80]%n", err);
        assertTrue(err < 1.2e-5, "SiLU max relative error " + err);
    }

    @Test
    void specialCases() {
        float nan = Fp32.NAN;
        float tiny = Float.MIN_VALUE;
        assertEquals(0x7FC00000, Float.floatToRawIntBits(ExactExp.apply(Float.intBitsToFloat(0xFFC00001))));
        assertEquals(1f, ExactExp.apply(0f));
        assertEquals(1f, ExactExp.apply(-0f));
        assertEquals(1f, ExactExp.apply(tiny));
        assertEquals(Float.POSITIVE_INFINITY, ExactExp.apply(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, ExactExp.apply(89f));
        assertEquals(0f, ExactExp.apply(Float.NEGATIVE_INFINITY));
        assertEquals(0f, ExactExp.apply(-200f));
        assertEquals(tiny, ExactExp.apply(-103.5f), "exp(-103.5) rounds to the smallest subnormal");
        assertTrue(ExactExp.apply(-90f) > 0 && ExactExp.apply(-90f) < Float.MIN_NORMAL, "subnormal results kept");

        assertEquals(Float.POSITIVE_INFINITY, ExactReciprocal.apply(0f));
        assertEquals(Float.NEGATIVE_INFINITY, ExactReciprocal.apply(-0f));
        assertEquals(-0f, ExactReciprocal.apply(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, ExactReciprocal.apply(tiny), "1/subnormal overflows");
        assertEquals(0x1p126f, ExactReciprocal.apply(0x1p-126f));
        assertEquals(0x1p-127f, ExactReciprocal.apply(0x1p127f), "subnormal result");
        assertEquals(0.25f, ExactReciprocal.apply(4f));
        assertTrue(Float.isNaN(ExactReciprocal.apply(nan)));

        assertEquals(Float.POSITIVE_INFINITY, ExactRsqrt.apply(0f));
        assertEquals(Float.NEGATIVE_INFINITY, ExactRsqrt.apply(-0f));
        assertEquals(0f, ExactRsqrt.apply(Float.POSITIVE_INFINITY));
        assertEquals(0x7FC00000, Float.floatToRawIntBits(ExactRsqrt.apply(-1f)));
        assertEquals(0x7FC00000, Float.floatToRawIntBits(ExactRsqrt.apply(Float.NEGATIVE_INFINITY)));
        assertEquals(0.5f, ExactRsqrt.apply(4f));
        assertEquals(0x1p63f, ExactRsqrt.apply(0x1p-126f));
        assertEquals(1 / Math.sqrt(tiny), ExactRsqrt.apply(tiny), 1e-7 / Math.sqrt(tiny));

        assertEquals(-0f, ExactActivations.silu(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, ExactActivations.silu(Float.POSITIVE_INFINITY));
        assertEquals(0f, ExactActivations.silu(0f));
        assertEquals(0x7FC00000, Float.floatToRawIntBits(ExactActivations.silu(Float.intBitsToFloat(0xFFC00123))));
        assertEquals(9f, ExactActivations.relu2(3f));
        assertEquals(0f, ExactActivations.relu2(-3f));
        assertEquals(Float.POSITIVE_INFINITY, ExactActivations.relu2(1e20f));
    }

    @Test
    void tablesAreTheDocumentedFormulas() {
        for (int i = 0; i < ExactExp.ENTRIES; i++) {
            double a = StrictMath.pow(2, i / 128.0);
            assertEquals((float) a, ExactExp.value(i));
            assertEquals((float) (StrictMath.pow(2, (i + 1) / 128.0) - a), ExactExp.slope(i));
        }
        for (int i = 0; i < ExactReciprocal.ENTRIES; i++) {
            assertEquals((float) (1 / (1 + i / 64.0)), ExactReciprocal.value(i));
        }
        for (int i = 0; i < ExactRsqrt.ENTRIES; i++) {
            double lo = (i < 32 ? 1 : 2) * (1 + (i & 31) / 32.0);
            assertEquals((float) (1 / StrictMath.sqrt(lo)), ExactRsqrt.value(i));
        }
        assertEquals(0x3FB8AA3B, Float.floatToRawIntBits(ExactExp.LOG2E));
    }

    @Test
    void resultsAreFrozenBitForBit() {
        int exp = checksum(ExactExp::apply);
        int rec = checksum(ExactReciprocal::apply);
        int rsq = checksum(ExactRsqrt::apply);
        int silu = checksum(ExactActivations::silu);
        System.out.printf("fp16-input checksums: exp %08x, reciprocal %08x, rsqrt %08x, silu %08x%n", exp, rec, rsq, silu);
        assertEquals(EXP_CHECKSUM, exp, "exp changed: update NUMERICS.md N9 and every implementation together");
        assertEquals(RECIPROCAL_CHECKSUM, rec, "reciprocal changed");
        assertEquals(RSQRT_CHECKSUM, rsq, "rsqrt changed");
        assertEquals(SILU_CHECKSUM, silu, "SiLU changed");
    }

    static final int EXP_CHECKSUM = 0xda36d7a7;
    static final int RECIPROCAL_CHECKSUM = 0x8d783d04;
    static final int RSQRT_CHECKSUM = 0xc1cb54c9;
    static final int SILU_CHECKSUM = 0x745da084;

    @Test
    void scale2IsRoundToNearestEvenScaling() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (int k = 0; k < 200_000; k++) {
            float m = 1f + r.nextInt(1 << 23) * 0x1p-23f;
            int n = r.nextInt(-300, 300);
            assertEquals(Float.floatToIntBits(Math.scalb(m, n)), Float.floatToIntBits(Fp32.scale2(m, n)),
                    "scale2(" + m + ", " + n + ") seed " + SEED);
        }
    }
}
