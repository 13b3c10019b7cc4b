package dev.tellmej.sim.fp;

import static dev.tellmej.sim.fp.FloatCases.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.fp.Bf16ToFp32;
import dev.tellmej.hdl.lib.fp.Fp16ToFp32;
import dev.tellmej.hdl.lib.fp.Fp32ToBf16;
import dev.tellmej.hdl.lib.fp.Fp32ToFp16;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;
import java.util.stream.LongStream;

/**
 * The storage conversions of NUMERICS.md N4 in Verilator against Java: both widenings over all 65,536
 * patterns; both narrowings over every 16-bit value, every midpoint between neighbours (the ties) and the
 * binary32 values one ulp either side of it, and seeded random binary32 patterns.
 */
class StorageConversionSimTest {
    private static final int RANDOM = 200_000;

    @SimTest
    void fp16ToFp32IsFloat16ToFloatForAll65536Patterns(SimFixture fixture) {
        Design<Fp16ToFp32> design = Hdl.elaborate(Fp16ToFp32::new);
        Fp16ToFp32 top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Fp16ToFp32.LATENCY)
                .run(LongStream.range(0, 65536).toArray());
        int nans = 0;
        for (int pattern = 0; pattern < 65536; pattern++) {
            int h = pattern;
            float java = Float.float16ToFloat((short) h);
            int javaBits = Float.floatToRawIntBits(java);
            if (Float.isNaN(java)) {
                // Java quiets a signaling payload where the F16C instruction does the conversion and keeps it
                // in its portable code; the unit always quiets (IEEE), keeping sign and payload.
                long quiet = ((h & 0x8000L) << 16) | 0x7FC0_0000L | ((h & 0x3FFL) << 13);
                assertEquals(quiet, out[h], () -> String.format("fp16 NaN 0x%04X: hardware %s", h, describe(out[h])));
                assertEquals(quiet, (javaBits | 0x0040_0000) & 0xFFFF_FFFFL, "Java keeps sign and payload");
                nans++;
            } else {
                assertEquals(javaBits & 0xFFFF_FFFFL, out[h], () -> String.format("fp16 0x%04X: hardware %s, Java %s",
                        h, describe(out[h]), describe(javaBits & 0xFFFF_FFFFL)));
            }
        }
        assertEquals(2 * 1023, nans);
    }

    @SimTest
    void bf16ToFp32ShiftsEveryPatternLeftBy16(SimFixture fixture) {
        Design<Bf16ToFp32> design = Hdl.elaborate(Bf16ToFp32::new);
        Bf16ToFp32 top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Bf16ToFp32.LATENCY)
                .run(LongStream.range(0, 65536).toArray());
        for (int h = 0; h < 65536; h++) {
            long want = Float.floatToRawIntBits(StorageFormat.fromBf16((short) h)) & 0xFFFF_FFFFL;
            assertEquals(want, out[h], String.format("bf16 0x%04X", h));
        }
    }

    @SimTest
    void fp32ToFp16StoresLikeNumericsN41(SimFixture fixture) {
        Design<Fp32ToFp16> design = Hdl.elaborate(Fp32ToFp16::new);
        Fp32ToFp16 top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        LongStream.Builder inputs = LongStream.builder();
        for (int h = 0; h < 65536; h++) {
            float f = Float.float16ToFloat((short) h);
            inputs.add(bits(f));
            if ((h & 0x7FFF) < 0x7BFF + 1 && (h & 0x7FFF) != 0x7BFF) {
                float next = Float.float16ToFloat((short) (h + 1));
                float mid = (float) (((double) f + next) / 2);   // 12 significant bits: exact in binary32
                inputs.add(bits(mid)).add(bits(Math.nextUp(mid))).add(bits(Math.nextDown(mid)));
            }
        }
        for (float edge : new float[] {65504f, 65519.996f, 65520f, 65520.004f, 0x1p-25f, 0x1.000002p-25f, 0x1.8p-24f,
                Float.MAX_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL}) {
            inputs.add(bits(edge)).add(bits(-edge));
        }
        Random random = fixture.random();
        for (int i = 0; i < RANDOM; i++) {
            inputs.add(FloatCases.anyFloat(random) & 0xFFFF_FFFFL);
        }
        long[] x = inputs.build().toArray();
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Fp32ToFp16.LATENCY)
                .run(x);
        int ties = 0;
        for (int i = 0; i < x.length; i++) {
            float f = Float.intBitsToFloat((int) x[i]);
            long want = StorageFormat.toFp16(f) & 0xFFFFL;
            if (!Float.isNaN(f)) {
                assertEquals(Float.floatToFloat16(f) & 0xFFFFL, want, "N4.1 is Float.floatToFloat16 for non-NaN");
            }
            int index = i;
            assertEquals(want, out[i], () -> String.format("%s: hardware 0x%04X, Java 0x%04X", describe(x[index]),
                    out[index], want));
            if (isTie(f, (int) want)) {
                ties++;
            }
        }
        assertTrue(ties > 60_000, "every midpoint is a tie; counted " + ties);
    }

    @SimTest
    void fp32ToBf16StoresLikeNumericsN42(SimFixture fixture) {
        Design<Fp32ToBf16> design = Hdl.elaborate(Fp32ToBf16::new);
        Fp32ToBf16 top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        LongStream.Builder inputs = LongStream.builder();
        for (long b = 0; b < 65536; b++) {
            long pattern = b << 16;
            inputs.add(pattern).add(pattern | 0x8000).add(pattern | 0x7FFF).add(pattern | 0x8001).add(pattern | 0xFFFF);
        }
        Random random = fixture.random();
        for (int i = 0; i < RANDOM; i++) {
            inputs.add(FloatCases.anyFloat(random) & 0xFFFF_FFFFL);
        }
        long[] x = inputs.build().toArray();
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Fp32ToBf16.LATENCY)
                .run(x);
        for (int i = 0; i < x.length; i++) {
            long want = StorageFormat.toBf16(Float.intBitsToFloat((int) x[i])) & 0xFFFFL;
            int index = i;
            assertEquals(want, out[i], () -> String.format("%s: hardware 0x%04X, Java 0x%04X", describe(x[index]),
                    out[index], want));
        }
    }

    /** True when f lies exactly halfway between the fp16 value {@code stored} and a neighbour of it. */
    private static boolean isTie(float f, int stored) {
        float kept = Float.float16ToFloat((short) stored);
        if (!Float.isFinite(f) || !Float.isFinite(kept) || kept == f) {
            return false;
        }
        for (int neighbour : new int[] {stored - 1, stored + 1}) {
            float other = Float.float16ToFloat((short) neighbour);
            if (Float.isFinite(other) && Math.signum(other) == Math.signum(kept)
                    && Math.abs((double) f - kept) == Math.abs((double) f - other)) {
                return true;
            }
        }
        return false;
    }

    private static long bits(float f) {
        return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
    }
}
