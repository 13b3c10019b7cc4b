package dev.tellmej.sim.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.elementwise.ResidualAdd;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The residual add ({@code h' = st(h + y)}, N17.2.6) in Verilator against Java, bit for bit: seeded random
 * vectors (with cancellation: y close to -h) and the residual adds captured from the stories260K student, for
 * L = 1, 2, 16 (binary16) and L = 16 (bfloat16), and four lanes on one physical lane (the kernel's), under random
 * stalls.
 */
class ResidualAddSimTest {
    private record Case(float[] h, float[] y) {}

    @SimTest
    void oneLane(SimFixture fixture) {
        run(fixture, 1, StorageFormat.FP16, 20);
    }

    @SimTest
    void twoLanes(SimFixture fixture) {
        run(fixture, 2, StorageFormat.FP16, 20);
    }

    @SimTest
    void sixteenLanes(SimFixture fixture) {
        run(fixture, 16, StorageFormat.FP16, 60);
    }

    @SimTest
    void sixteenLanesBfloat16(SimFixture fixture) {
        run(fixture, 16, StorageFormat.BF16, 60);
    }

    /** The kernel's unit: four lanes a word on one physical lane. */
    @SimTest
    void fourLanesOnOnePhysicalLane(SimFixture fixture) {
        run(fixture, 4, 1, StorageFormat.FP16, 30);
    }

    private static void run(SimFixture fixture, int lanes, StorageFormat storage, int randomCases) {
        run(fixture, lanes, lanes, storage, randomCases);
    }

    private static void run(SimFixture fixture, int lanes, int physical, StorageFormat storage, int randomCases) {
        Random random = fixture.random();
        List<Case> cases = new ArrayList<>();
        for (int c = 0; c < randomCases; c++) {
            int n = lanes * (1 + random.nextInt(8));
            float[] h = Vectors.stored(storage, Vectors.random(random, n));
            float[] y = Vectors.random(random, n);
            if (c % 3 == 0) {
                for (int i = 0; i < n; i++) {
                    y[i] = -h[i] * (1 + (float) random.nextGaussian() * 1e-3f);   // cancellation
                }
            }
            cases.add(new Case(h, y));
        }
        for (StudentActivations.Residual r : StudentActivations.get().residuals) {
            cases.add(new Case(storage == StorageFormat.FP16 ? r.h() : Vectors.stored(storage, r.h()), r.y()));
        }
        Design<ResidualAdd> design = Hdl.elaborate(() -> new ResidualAdd(lanes, physical, storage));
        ResidualAdd top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        StreamDriver in = new StreamDriver(sim, top.in, fixture.random(1), 0.8);
        StreamMonitor out = new StreamMonitor(sim, top.out, fixture.random(2), 0.7);
        int beats = 0;
        for (Case c : cases) {
            float[] h = Vectors.padded(c.h(), lanes);
            float[] y = Vectors.padded(c.y(), lanes);
            for (int b = 0; b < h.length / lanes; b++) {
                Packed packed = new Packed();
                for (int lane = 0; lane < lanes; lane++) {
                    packed.add(Vectors.bits16(storage, h[b * lanes + lane]), 16);
                }
                for (int lane = 0; lane < lanes; lane++) {
                    packed.add(Vectors.bits32(y[b * lanes + lane]), 32);
                }
                in.push(packed.add((b + 1) * lanes >= h.length).value());
                beats++;
            }
        }
        int total = beats;
        sim.runUntil(() -> out.count() == total, total * 4L * (lanes / physical) + 1_000);
        List<BigInteger> received = out.received();
        int beat = 0;
        for (int k = 0; k < cases.size(); k++) {
            Case c = cases.get(k);
            int n = c.h().length;
            for (int b = 0; b * lanes < n; b++) {
                Packed.Reader reader = new Packed.Reader(received.get(beat++));
                for (int lane = 0; lane < lanes; lane++) {
                    int i = b * lanes + lane;
                    long got = reader.next(16);
                    if (i < n) {
                        long want = Vectors.bits16(storage, c.h()[i] + c.y()[i]);
                        int kk = k;
                        assertEquals(want, got, () -> String.format("case %d, h[%d] = %s + %s: hardware 0x%04X, Java 0x%04X",
                                kk, i, c.h()[i], c.y()[i], got, want));
                    }
                }
                assertEquals((b + 1) * lanes >= n, reader.nextBit(), "last flag");
            }
        }
        System.out.printf("ResidualAdd L=%d P=" + physical + " %s: %d vectors (%d real) bit-exact%n", lanes, storage, cases.size(),
                cases.size() - randomCases);
    }
}
