package dev.tellmej.sim.fp;

import static dev.tellmej.sim.fp.FloatCases.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.fp.Fp32ToInt8;
import dev.tellmej.hdl.lib.fp.Int32ToFp32;
import dev.tellmej.model.numerics.ActivationQuantizer;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;
import java.util.stream.LongStream;

/**
 * The integer conversions of NUMERICS.md N3 in Verilator: int32 to binary32 against Java's {@code (float) n}
 * (extremes, every power of two and its neighbours, seeded random values of every magnitude); binary32 to int8
 * against the model's {@code ActivationQuantizer.toInt8} (every half-integer tie in range, the saturation edges,
 * corners, seeded random values).
 */
class IntegerConversionSimTest {
    @SimTest
    void int32ToFp32RoundsLikeJava(SimFixture fixture) {
        Design<Int32ToFp32> design = Hdl.elaborate(Int32ToFp32::new);
        Int32ToFp32 top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        LongStream.Builder inputs = LongStream.builder();
        for (int shift = 0; shift < 32; shift++) {
            for (int delta = -3; delta <= 3; delta++) {
                int n = (1 << shift) + delta;
                inputs.add(n).add(-n).add(n + (1 << Math.max(0, shift - 25))).add((1 << shift) | (1 << Math.max(0, shift - 24)));
            }
        }
        inputs.add(Integer.MIN_VALUE).add(Integer.MAX_VALUE).add(0).add(-1);
        Random random = fixture.random();
        for (int i = 0; i < 300_000; i++) {
            inputs.add(random.nextInt() >> random.nextInt(32));
        }
        long[] x = inputs.build().toArray();
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Int32ToFp32.LATENCY)
                .run(x);
        for (int i = 0; i < x.length; i++) {
            long want = Float.floatToRawIntBits((float) (int) x[i]) & 0xFFFF_FFFFL;
            int index = i;
            assertEquals(want, out[i], () -> "(float) " + x[index] + ": hardware " + describe(out[index])
                    + ", Java " + describe(want));
        }
    }

    @SimTest
    void fp32ToInt8IsRintThenSaturation(SimFixture fixture) {
        Design<Fp32ToInt8> design = Hdl.elaborate(Fp32ToInt8::new);
        Fp32ToInt8 top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        LongStream.Builder inputs = LongStream.builder();
        for (int half = -600; half <= 600; half++) {
            float tie = half / 2f;
            inputs.add(bits(tie)).add(bits(Math.nextUp(tie))).add(bits(Math.nextDown(tie)));
        }
        for (int c : FloatCases.CORNERS) {
            inputs.add(c & 0xFFFF_FFFFL);
        }
        Random random = fixture.random();
        for (int i = 0; i < 200_000; i++) {
            inputs.add(random.nextBoolean() ? FloatCases.anyFloat(random) & 0xFFFF_FFFFL
                    : bits((float) (random.nextGaussian() * 100)));
        }
        long[] x = inputs.build().toArray();
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Fp32ToInt8.LATENCY)
                .run(x);
        for (int i = 0; i < x.length; i++) {
            long want = ActivationQuantizer.toInt8(Float.intBitsToFloat((int) x[i]));
            int index = i;
            assertEquals(want, (byte) out[i], () -> "toInt8(" + describe(x[index]) + "): hardware " + (byte) out[index]
                    + ", model " + want);
        }
    }

    private static long bits(float f) {
        return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
    }
}
