package dev.tellmej.sim.fp;

import static dev.tellmej.sim.fp.FloatCases.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.fp.FpExp;
import dev.tellmej.hdl.lib.fp.FpReciprocal;
import dev.tellmej.hdl.lib.fp.FpRelu2;
import dev.tellmej.hdl.lib.fp.FpRsqrt;
import dev.tellmej.hdl.lib.fp.FpSchedule;
import dev.tellmej.hdl.lib.fp.FpSilu;
import dev.tellmej.hdl.lib.fp.FpTables;
import dev.tellmej.model.numerics.ExactActivations;
import dev.tellmej.model.numerics.ExactExp;
import dev.tellmej.model.numerics.ExactReciprocal;
import dev.tellmej.model.numerics.ExactRsqrt;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimStopException;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * exp, reciprocal, rsqrt, SiLU and ReLU² (NUMERICS.md N9 to N12) in Verilator against the model's
 * implementations, bit for bit: every fp16 input widened to binary32 (65,536), reproducing the frozen
 * checksums of N18 from the RTL's outputs, then seeded random binary32 inputs (patterns of every kind and
 * values in the range each function is used on).
 */
class ExactFunctionsSimTest {
    private static final int RANDOM = 200_000;

    @Test
    void theGeneratorsTablesAreTheModelsBits() {
        for (int i = 0; i < FpTables.EXP_ENTRIES; i++) {
            assertEquals(Float.floatToRawIntBits(ExactExp.value(i)), Float.floatToRawIntBits(FpTables.expValue(i)), "exp V" + i);
            assertEquals(Float.floatToRawIntBits(ExactExp.slope(i)), Float.floatToRawIntBits(FpTables.expSlope(i)), "exp D" + i);
        }
        for (int i = 0; i < FpTables.RECIPROCAL_ENTRIES; i++) {
            assertEquals(Float.floatToRawIntBits(ExactReciprocal.value(i)), Float.floatToRawIntBits(FpTables.reciprocalValue(i)));
            assertEquals(Float.floatToRawIntBits(ExactReciprocal.slope(i)), Float.floatToRawIntBits(FpTables.reciprocalSlope(i)));
        }
        for (int i = 0; i < FpTables.RSQRT_ENTRIES; i++) {
            assertEquals(Float.floatToRawIntBits(ExactRsqrt.value(i)), Float.floatToRawIntBits(FpTables.rsqrtValue(i)));
            assertEquals(Float.floatToRawIntBits(ExactRsqrt.slope(i)), Float.floatToRawIntBits(FpTables.rsqrtSlope(i)));
        }
        assertEquals(0x3FB8AA3B, Float.floatToRawIntBits(FpTables.LOG2E));
        assertEquals(Float.floatToRawIntBits(ExactExp.LOG2E), Float.floatToRawIntBits(FpTables.LOG2E));
    }

    @SimTest
    void expMatchesN9(SimFixture fixture) {
        check(fixture, FpExp::new, ExactExp::apply, 0xda36d7a7, "exp", r -> (float) (r.nextDouble() * 120 - 110));
    }

    @SimTest
    void reciprocalMatchesN10(SimFixture fixture) {
        check(fixture, FpReciprocal::new, ExactReciprocal::apply, 0x8d783d04, "reciprocal",
                r -> (float) Math.scalb(1 + r.nextDouble(), r.nextInt(300) - 150));
    }

    @SimTest
    void rsqrtMatchesN11(SimFixture fixture) {
        check(fixture, FpRsqrt::new, ExactRsqrt::apply, 0xc1cb54c9, "rsqrt",
                r -> (float) Math.scalb(1 + r.nextDouble(), r.nextInt(300) - 150));
    }

    @SimTest
    void sharedReciprocalMatchesN10(SimFixture fixture) {
        check(fixture, () -> new FpReciprocal(FpSchedule.SHARED), ExactReciprocal::apply, 0x8d783d04,
                "reciprocal (shared)", r -> (float) Math.scalb(1 + r.nextDouble(), r.nextInt(300) - 150));
    }

    @SimTest
    void sharedRsqrtMatchesN11(SimFixture fixture) {
        check(fixture, () -> new FpRsqrt(FpSchedule.SHARED), ExactRsqrt::apply, 0xc1cb54c9, "rsqrt (shared)",
                r -> (float) Math.scalb(1 + r.nextDouble(), r.nextInt(300) - 150));
    }

    @SimTest
    void sharedUnitsRefuseInputsThatCollide(SimFixture fixture) {
        // Two inputs 15 cycles apart would both want the shared multiplier (steps at cycles 3 and 18: D * u, then
        // m * y0 after a multiply and an add, each a cycle longer for the shared units' operand register).
        Design<FpReciprocal> design = Hdl.elaborate(() -> new FpReciprocal(FpSchedule.SHARED));
        Ports ports = Ports.of(design.top());
        SimModel sim = fixture.open(design);
        sim.reset();
        long one = Float.floatToRawIntBits(1f);
        SimStopException stop = assertThrows(SimStopException.class, () -> new FixedLatencyDriver(sim, ports.in(),
                ports.out(), ports.latency()).runSpaced(15, new long[][] {{one, one, one}}));
        assertTrue(stop.designMessage().contains("inputs 15 cycles apart collide on newton_mul"), stop.getMessage());
    }

    @SimTest
    void siluMatchesN121(SimFixture fixture) {
        check(fixture, FpSilu::new, ExactActivations::silu, 0x745da084, "silu", r -> (float) (r.nextGaussian() * 30));
    }

    @SimTest
    void relu2MatchesN122(SimFixture fixture) {
        check(fixture, FpRelu2::new, ExactActivations::relu2, null, "relu2", r -> (float) (r.nextGaussian() * 30));
    }

    private interface Ranged {
        float next(Random random);
    }

    /**
     * Runs all fp16 inputs and then random ones through the unit; every output must equal the model's bits
     * ({@code floatToIntBits}: NaN canonical), and the fp16 sweep must hash to N18's checksum.
     */
    private static <M extends Module> void check(SimFixture fixture, Supplier<M> unit, UnaryOperator<Float> model,
            Integer checksum, String name, Ranged inRange) {
        Design<M> design = Hdl.elaborate(unit::get);
        M top = design.top();
        Ports ports = Ports.of(top);
        SimModel sim = fixture.open(design);
        sim.reset();
        Random random = fixture.random();
        long[] x = new long[65536 + 2 * RANDOM];
        for (int h = 0; h < 65536; h++) {
            x[h] = Float.floatToRawIntBits(Float.float16ToFloat((short) h)) & 0xFFFF_FFFFL;
        }
        for (int i = 0; i < RANDOM; i++) {
            x[65536 + 2 * i] = FloatCases.anyFloat(random) & 0xFFFF_FFFFL;
            x[65536 + 2 * i + 1] = Float.floatToRawIntBits(inRange.next(random)) & 0xFFFF_FFFFL;
        }
        long start = System.nanoTime();
        // A unit with shared arithmetic takes an input every LATENCY cycles, enough for any schedule.
        int interval = design.topName().endsWith("_shared") ? ports.latency() : 1;
        long[] out = new FixedLatencyDriver(sim, ports.in(), ports.out(), ports.latency())
                .runSpaced(interval, new long[][] {x});
        double seconds = (System.nanoTime() - start) / 1e9;
        int hash = 0;
        for (int i = 0; i < x.length; i++) {
            float in = Float.intBitsToFloat((int) x[i]);
            long want = FloatCases.canonical(model.apply(in));
            int index = i;
            assertEquals(want, out[i], () -> name + "(" + describe(x[index]) + "): hardware " + describe(out[index])
                    + ", model " + describe(want));
            if (i < 65536) {
                hash = 31 * hash + (int) out[i];
            }
        }
        if (checksum != null) {
            assertEquals(checksum.intValue(), hash, name + ": N18 checksum over the RTL's fp16 sweep");
        }
        System.out.printf("%s: %d inputs bit-exact in %.1f s; fp16 checksum %08x%n", name, x.length, seconds, hash);
    }

    /** The common ports of the one-operand units. */
    private record Ports(Flow<Bits> in, Flow<Bits> out, int latency) {
        static Ports of(Module unit) {
            return switch (unit) {
                case FpExp u -> new Ports(u.in, u.out, FpExp.LATENCY);
                case FpReciprocal u -> new Ports(u.in, u.out, u.latency);
                case FpRsqrt u -> new Ports(u.in, u.out, u.latency);
                case FpSilu u -> new Ports(u.in, u.out, FpSilu.LATENCY);
                case FpRelu2 u -> new Ports(u.in, u.out, FpRelu2.LATENCY);
                default -> throw new IllegalArgumentException(unit.getClass().getName());
            };
        }
    }
}
