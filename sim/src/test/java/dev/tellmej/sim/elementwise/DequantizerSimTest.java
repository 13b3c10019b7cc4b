package dev.tellmej.sim.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.elementwise.Dequantizer;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.numerics.ActivationQuantizer;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimStopException;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The dequantizer (N8: {@code y = (float) acc * ((mc * ws) * INV127)}) in Verilator against the model's
 * {@code ActivationQuantizer.factor} and Java's int-to-float conversion, bit for bit: seeded random
 * accumulators of every magnitude (int32 extremes included) with random mc and scales, and every linear of the
 * stories260K student's run (accumulators, mc and scale captured), for L = 1, 2 and 16, and L = 4 with the
 * kv260 kernel's 21-bit accumulators (random values wrapped into 21 bits), under random stalls on all three
 * streams; an accumulator that does not fit its declared width stops the simulation.
 */
class DequantizerSimTest {
    private record Case(int[] acc, float mc, float ws) {}

    @SimTest
    void oneLane(SimFixture fixture) {
        run(fixture, 1, 10);
    }

    @SimTest
    void twoLanes(SimFixture fixture) {
        run(fixture, 2, 10);
    }

    @SimTest
    void sixteenLanes(SimFixture fixture) {
        run(fixture, 16, 40);
    }

    @SimTest
    void fourLanesOfTwentyOneBitAccumulatorsAsTheKv260Kernel(SimFixture fixture) {
        run(fixture, 4, 20, 21);
    }

    @SimTest
    void anAccumulatorThatDoesNotFitStopsTheSimulation(SimFixture fixture) {
        Design<Dequantizer> design = Hdl.elaborate(() -> new Dequantizer(1, 21));
        assertEquals("Dequantizer_l1_a21", design.topName());
        Dequantizer top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        StreamDriver params = new StreamDriver(sim, top.params, fixture.random(1), 1.0);
        StreamDriver in = new StreamDriver(sim, top.in, fixture.random(2), 1.0);
        params.push(new Packed().add(Vectors.bits32(1f), 32).add(Vectors.bits32(1f), 32).value());
        in.push(new Packed().add(1 << 20, 32).add(true).value());   // 2^20 needs 22 bits
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(100));
        assertTrue(stop.designMessage().contains("accumulator of lane 0 fits 21 bits"), stop.getMessage());
    }

    private static void run(SimFixture fixture, int lanes, int randomCases) {
        run(fixture, lanes, randomCases, 32);
    }

    /** Random accumulators wrapped into {@code bits} bits (their extremes included), then the student's. */
    private static void run(SimFixture fixture, int lanes, int randomCases, int bits) {
        Random random = fixture.random();
        List<Case> cases = new ArrayList<>();
        for (int c = 0; c < randomCases; c++) {
            int n = 1 + random.nextInt(5 * lanes);
            int[] acc = new int[n];
            for (int i = 0; i < n; i++) {
                acc[i] = switch (random.nextInt(5)) {
                    case 0 -> random.nextInt();
                    case 1 -> random.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
                    default -> random.nextInt(1 << (1 + random.nextInt(28))) - (1 << 20);
                };
                if (bits < 32) {
                    acc[i] = acc[i] == Integer.MIN_VALUE ? -(1 << (bits - 1))
                            : acc[i] == Integer.MAX_VALUE ? (1 << (bits - 1)) - 1 : acc[i] << (32 - bits) >> (32 - bits);
                }
            }
            float mc = c == 0 ? ActivationQuantizer.EPS : (float) Math.scalb(1 + random.nextDouble(), random.nextInt(30) - 15);
            float ws = (float) Math.scalb(1 + random.nextDouble(), random.nextInt(20) - 12);
            cases.add(new Case(acc, mc, ws));
        }
        for (StudentActivations.Dequantization d : StudentActivations.get().dequantizations) {
            cases.add(new Case(d.acc(), d.mc(), d.weightScale()));
        }
        Design<Dequantizer> design = Hdl.elaborate(() -> new Dequantizer(lanes, bits));
        Dequantizer top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        StreamDriver params = new StreamDriver(sim, top.params, fixture.random(1), 0.5);
        StreamDriver in = new StreamDriver(sim, top.in, fixture.random(2), 0.8);
        StreamMonitor out = new StreamMonitor(sim, top.out, fixture.random(3), 0.7);
        int beats = 0;
        for (Case c : cases) {
            params.push(new Packed().add(Vectors.bits32(c.mc()), 32).add(Vectors.bits32(c.ws()), 32).value());
            int[] acc = Vectors.padded(c.acc(), lanes);
            for (int b = 0; b < acc.length / lanes; b++) {
                Packed packed = new Packed();
                for (int lane = 0; lane < lanes; lane++) {
                    packed.add(acc[b * lanes + lane], 32);
                }
                in.push(packed.add((b + 1) * lanes >= acc.length).value());
                beats++;
            }
        }
        int total = beats;
        sim.runUntil(() -> out.count() == total, total * 4L + 2_000);
        List<BigInteger> received = out.received();
        int beat = 0;
        for (int k = 0; k < cases.size(); k++) {
            Case c = cases.get(k);
            float f = ActivationQuantizer.factor(c.mc(), c.ws());
            for (int b = 0; b * lanes < c.acc().length; b++) {
                Packed.Reader reader = new Packed.Reader(received.get(beat++));
                for (int lane = 0; lane < lanes; lane++) {
                    int i = b * lanes + lane;
                    long got = reader.next(32);
                    if (i < c.acc().length) {
                        long want = Vectors.bits32((float) c.acc()[i] * f);
                        int kk = k;
                        assertEquals(want, got, () -> String.format("vector %d, acc[%d] = %d, mc %s, ws %s: hardware 0x%08X,"
                                + " model 0x%08X", kk, i, c.acc()[i], c.mc(), c.ws(), got, want));
                    }
                }
                assertEquals((b + 1) * lanes >= c.acc().length, reader.nextBit(), "last flag");
            }
        }
        // The captured outputs are exactly what the model computed.
        for (StudentActivations.Dequantization d : StudentActivations.get().dequantizations) {
            assertEquals(Vectors.bits32(d.y()[0]), Vectors.bits32((float) d.acc()[0] * ActivationQuantizer.factor(d.mc(), d.weightScale())));
        }
        System.out.printf("Dequantizer L=%d, %d-bit accumulators: %d vectors (%d real) bit-exact%n", lanes, bits,
                cases.size(), cases.size() - randomCases);
    }
}
