package dev.tellmej.sim.fp;

import static dev.tellmej.sim.fp.FloatCases.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.fp.Fp32Compare;
import dev.tellmej.hdl.lib.fp.Fp32Max;
import dev.tellmej.hdl.lib.fp.FpScale2;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;

/**
 * Fp32Compare and Fp32Max against Java's {@code <}, {@code ==}, {@code >} and {@code Math.max} (NUMERICS.md
 * N2.4) on every pair of corner values and seeded random pairs; FpScale2 against {@code Math.scalb} (which
 * N9.1's definition equals) on random normal values and exponents across the whole range.
 */
class CompareSimTest {
    @SimTest
    void compareAndMaxFollowJava(SimFixture fixture) {
        long[][] pairs = pairs(fixture.random(), 100_000);
        Design<Fp32Max> maxDesign = Hdl.elaborate(Fp32Max::new);
        Fp32Max max = maxDesign.top();
        SimModel maxSim = fixture.open(maxDesign);
        maxSim.reset();
        long[] maxima = new FixedLatencyDriver(maxSim, max.in, max.out, Fp32Max.LATENCY).run(pairs[0], pairs[1]);

        Design<Fp32Compare> compareDesign = Hdl.elaborate(Fp32Compare::new);
        Fp32Compare compare = compareDesign.top();
        SimModel sim = fixture.open(compareDesign);
        sim.reset();
        Port a = sim.port(compare.in.payload.a());
        Port b = sim.port(compare.in.payload.b());
        Port lt = sim.port(compare.out.payload.lt());
        Port eq = sim.port(compare.out.payload.eq());
        Port gt = sim.port(compare.out.payload.gt());
        Port unordered = sim.port(compare.out.payload.unordered());
        sim.poke(compare.in.valid, true);
        for (int i = 0; i < pairs[0].length; i++) {
            float x = Float.intBitsToFloat((int) pairs[0][i]);
            float y = Float.intBitsToFloat((int) pairs[1][i]);
            a.set(pairs[0][i]);
            b.set(pairs[1][i]);
            sim.step();
            String where = describe(pairs[0][i]) + " vs " + describe(pairs[1][i]);
            assertEquals(x < y, lt.isHigh(), where + ": <");
            assertEquals(x == y, eq.isHigh(), where + ": ==");
            assertEquals(x > y, gt.isHigh(), where + ": >");
            assertEquals(Float.isNaN(x) || Float.isNaN(y), unordered.isHigh(), where + ": unordered");
            assertEquals(FloatCases.canonical(Math.max(x, y)), maxima[i], where + ": max");
        }
    }

    @SimTest
    void scale2IsScalbForNormalValues(SimFixture fixture) {
        Design<FpScale2> design = Hdl.elaborate(() -> new FpScale2(10));
        FpScale2 top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Random random = fixture.random();
        int n = 300_000;
        long[] r = new long[n];
        long[] k = new long[n];
        for (int i = 0; i < n; i++) {
            int exponent = 1 + random.nextInt(254);
            int sign = random.nextBoolean() ? 0x8000_0000 : 0;
            r[i] = (sign | (exponent << 23) | FloatCases.randomFraction(random)) & 0xFFFF_FFFFL;
            // Mostly exponents that land near the subnormal range or the overflow edge.
            k[i] = switch (random.nextInt(3)) {
                case 0 -> random.nextInt(1024) - 512;
                case 1 -> -exponent - random.nextInt(30) + 5;
                default -> 254 - exponent + random.nextInt(5) - 2;
            };
        }
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, FpScale2.LATENCY).run(r, k);
        for (int i = 0; i < n; i++) {
            float want = Math.scalb(Float.intBitsToFloat((int) r[i]), (int) k[i]);
            int index = i;
            assertEquals(Float.floatToRawIntBits(want) & 0xFFFF_FFFFL, out[i], () -> "scale2(" + describe(r[index])
                    + ", " + k[index] + "): hardware " + describe(out[index]) + ", scalb " + want);
        }
    }

    private static long[][] pairs(Random random, int count) {
        int corners = FloatCases.CORNERS.length;
        long[] a = new long[corners * corners + count];
        long[] b = new long[a.length];
        int k = 0;
        for (int x : FloatCases.CORNERS) {
            for (int y : FloatCases.CORNERS) {
                a[k] = x & 0xFFFF_FFFFL;
                b[k++] = y & 0xFFFF_FFFFL;
            }
        }
        while (k < a.length) {
            int x = FloatCases.anyFloat(random);
            a[k] = x & 0xFFFF_FFFFL;
            b[k++] = (random.nextInt(4) == 0 ? x ^ 0x8000_0000 : FloatCases.addPartner(random, x)) & 0xFFFF_FFFFL;
        }
        return new long[][] {a, b};
    }
}
