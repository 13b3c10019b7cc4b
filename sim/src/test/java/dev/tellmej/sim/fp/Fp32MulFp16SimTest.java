package dev.tellmej.sim.fp;

import static dev.tellmej.sim.fp.FloatCases.canonical;
import static dev.tellmej.sim.fp.FloatCases.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimStopException;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code Fp32Mul_fp16}, the multiplier whose second operand is a widened binary16 value, in Verilator against
 * Java's {@code float *}: every one of the 65,536 binary16 patterns, widened, times binary32 partners (corner values,
 * seeded random ones, ones whose product lands in the subnormal range at every right shift), compared with
 * {@code Float.floatToIntBits}; and its assertion stopping a simulation fed a b with more than 11 significant bits.
 */
class Fp32MulFp16SimTest {
    private static final Design<Fp32Mul> DESIGN = Hdl.elaborate(() -> new Fp32Mul(FpFormat.FP16));
    /** Partners per binary16 pattern: corners, random patterns, underflow-aimed ones. */
    private static final int CORNER_PARTNERS = 6;
    private static final int RANDOM_PARTNERS = 3;
    private static final int UNDERFLOW_PARTNERS = 3;

    @SimTest
    void everyBinary16TimesBinary32PartnersIsJavasProduct(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        Fp32Mul top = DESIGN.top();
        sim.reset();
        Random random = fixture.random();
        int partners = CORNER_PARTNERS + RANDOM_PARTNERS + UNDERFLOW_PARTNERS;
        int n = 65536 * partners;
        long[] a = new long[n];
        long[] b = new long[n];
        int[] shifts = new int[29];
        int k = 0;
        for (int h = 0; h < 65536; h++) {
            int wide = Float.floatToRawIntBits(Float.float16ToFloat((short) h));
            for (int p = 0; p < partners; p++) {
                int x;
                if (p < CORNER_PARTNERS) {
                    x = FloatCases.CORNERS[random.nextInt(FloatCases.CORNERS.length)];
                } else if (p < CORNER_PARTNERS + RANDOM_PARTNERS) {
                    x = p % 2 == 0 ? FloatCases.anyFloat(random) : FloatCases.mulPartner(random, wide);
                } else {
                    x = underflowPartner(random, wide);
                }
                a[k] = x & 0xFFFF_FFFFL;
                b[k++] = wide & 0xFFFF_FFFFL;
                int shift = underflowShift(x, wide);
                if (shift >= 0) {
                    shifts[shift]++;
                }
            }
        }
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Fp32Mul.LATENCY).run(a, b);
        for (int i = 0; i < n; i++) {
            long want = canonical(Float.intBitsToFloat((int) a[i]) * Float.intBitsToFloat((int) b[i]));
            int at = i;
            assertEquals(want, out[i], () -> String.format("%s * %s (binary16 0x%04X): hardware %s, Java %s",
                    describe(a[at]), describe(b[at]), Float.floatToFloat16(Float.intBitsToFloat((int) b[at])),
                    describe(out[at]), describe(want)));
        }
        for (int t = 1; t <= 28; t++) {
            assertTrue(shifts[t] >= 300, "right shift " + t + " into the subnormals met " + shifts[t] + " times");
        }
        System.out.printf("fp32 * widened fp16: %d pairs bit-exact, every underflow shift%n", n);
    }

    @SimTest
    void aSecondOperandThatIsNoBinary16StopsTheSimulation(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        Fp32Mul top = DESIGN.top();
        sim.reset();
        sim.poke(top.in.valid, true);
        sim.poke(top.in.payload.a(), Float.floatToRawIntBits(1.5f));
        sim.poke(top.in.payload.b(), Float.floatToRawIntBits(1f + 0x1p-20f));   // 21 significant bits
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(2));
        assertTrue(stop.designMessage().contains("operand b holds a widened fp16 value"), stop.getMessage());
    }

    @Test
    void formatsWithBinary32SubnormalsGetNoNarrowUnit() {
        assertTrue(Fp32Mul.narrows(FpFormat.FP16));
        assertTrue(!Fp32Mul.narrows(FpFormat.BF16) && !Fp32Mul.narrows(FpFormat.FP32));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Hdl.elaborate(() -> new Fp32Mul(FpFormat.BF16)));
        assertTrue(error.getMessage().contains("bf16"), error.getMessage());
    }

    /**
     * A binary32 a whose product with the nonzero finite {@code wide} has its bit-47 exponent e in [-30, 1], so it
     * shifts 1 to 28 places into the subnormals (a subnormal a where a normal one would need a scale below 1).
     */
    private static int underflowPartner(Random random, int wide) {
        int bScale = (wide >>> 23) & 0xFF;
        if (bScale == 0 || bScale == 0xFF) {
            return FloatCases.anyFloat(random);
        }
        int e = -30 + random.nextInt(32);
        int aScale = e + 126 - bScale;
        int sign = random.nextBoolean() ? 0x8000_0000 : 0;
        int significand = (1 << 23) | FloatCases.randomFraction(random);
        if (aScale >= 1) {
            return sign | (aScale << 23) | (significand & 0x7F_FFFF);
        }
        int down = 1 - aScale;
        return down > 23 ? sign | 1 : sign | (significand >>> down);
    }

    /**
     * The right shift t (1 to 28) into the subnormals for finite a and a nonzero finite widened binary16 b (never
     * subnormal in binary32), or -1 for a normal result and for a zero, infinite or NaN a.
     */
    private static int underflowShift(int a, int b) {
        if (((a >>> 23) & 0xFF) == 0xFF || (a & 0x7FFF_FFFF) == 0 || ((b >>> 23) & 0xFF) == 0xFF
                || (b & 0x7FFF_FFFF) == 0) {
            return -1;
        }
        int e = FloatCases.mulExponent(a, b);
        return e >= 2 ? -1 : Math.min(2 - e, 28);
    }
}
