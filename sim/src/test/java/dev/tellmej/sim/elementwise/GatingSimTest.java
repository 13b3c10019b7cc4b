package dev.tellmej.sim.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.elementwise.Activation;
import dev.tellmej.accel.elementwise.Gating;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.numerics.ExactActivations;
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
 * The gated FFN product ({@code f = st(act(g) * u)}, N17.3.3, with the absmax of f) in Verilator against the
 * model's {@code ExactActivations}, bit for bit: seeded random (g, u) vectors (large negative g where exp
 * overflows, infinities, NaN) and the gate/up projections captured from the stories260K student, for SiLU with
 * L = 1, 2, 16 (binary16) and ReLU² with L = 16 (bfloat16), and lane-serial units (SiLU with four lanes on one
 * physical lane; ReLU² with four on two; the kernel's unit of both, switched between them), under random stalls.
 */
class GatingSimTest {
    private record Case(float[] g, float[] u) {}

    @SimTest
    void siluOneLane(SimFixture fixture) {
        run(fixture, Activation.SILU, 1, StorageFormat.FP16, 10);
    }

    @SimTest
    void siluTwoLanes(SimFixture fixture) {
        run(fixture, Activation.SILU, 2, StorageFormat.FP16, 10);
    }

    @SimTest
    void siluSixteenLanes(SimFixture fixture) {
        run(fixture, Activation.SILU, 16, StorageFormat.FP16, 40);
    }

    @SimTest
    void relu2SixteenLanesBfloat16(SimFixture fixture) {
        run(fixture, Activation.RELU2, 16, StorageFormat.BF16, 40);
    }

    /** The kernel's unit: four lanes a beat through one physical lane. */
    @SimTest
    void siluFourLanesOnOnePhysicalLane(SimFixture fixture) {
        run(fixture, Activation.SILU, 4, 1, StorageFormat.FP16, 20);
    }

    @SimTest
    void relu2FourLanesOnTwoPhysicalLanesBfloat16(SimFixture fixture) {
        run(fixture, Activation.RELU2, 4, 2, StorageFormat.BF16, 20);
    }

    /**
     * The kernel's unit: SiLU and ReLU² on one physical lane for four, the activation chosen by its input; the
     * cases go through it with SiLU, then with ReLU², then with SiLU again.
     */
    @SimTest
    void siluAndRelu2OnOneUnit(SimFixture fixture) {
        List<Activation> both = List.of(Activation.SILU, Activation.RELU2);
        Design<Gating> design = Hdl.elaborate(() -> new Gating(both, 4, 1, StorageFormat.FP16));
        assertEquals("Gating_silu_relu2_l4_fp16_p1", design.topName());
        SimModel sim = fixture.open(design);
        sim.reset();
        Gating top = design.top();
        StreamDriver in = new StreamDriver(sim, top.in, fixture.random(1), 0.8);
        StreamMonitor out = new StreamMonitor(sim, top.out, fixture.random(2), 0.7);
        List<Case> cases = cases(fixture.random(), 4, 12);
        for (Activation activation : List.of(Activation.SILU, Activation.RELU2, Activation.SILU)) {
            sim.poke(top.select(), both.indexOf(activation));
            check(sim, in, out, activation, 4, 1, StorageFormat.FP16, cases);
        }
    }

    private static void run(SimFixture fixture, Activation activation, int lanes, StorageFormat storage, int randomCases) {
        run(fixture, activation, lanes, lanes, storage, randomCases);
    }

    private static void run(SimFixture fixture, Activation activation, int lanes, int physical, StorageFormat storage,
            int randomCases) {
        List<Case> cases = cases(fixture.random(), lanes, randomCases);
        Design<Gating> design = Hdl.elaborate(() -> new Gating(activation, lanes, physical, storage));
        Gating top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        StreamDriver in = new StreamDriver(sim, top.in, fixture.random(1), 0.8);
        StreamMonitor out = new StreamMonitor(sim, top.out, fixture.random(2), 0.7);
        check(sim, in, out, activation, lanes, physical, storage, cases);
        if (activation == Activation.SILU && storage == StorageFormat.FP16) {
            for (StudentActivations.Gate gate : StudentActivations.get().gates) {
                for (int i = 0; i < gate.out().length; i++) {
                    assertEquals(Vectors.bits16(storage, gate.out()[i]),
                            Vectors.bits16(storage, ExactActivations.silu(gate.gate()[i]) * gate.up()[i]), "model's f");
                }
            }
        }
    }

    /** Seeded random (g, u) vectors with the special cases, then the student's captured gate/up projections. */
    private static List<Case> cases(Random random, int lanes, int randomCases) {
        List<Case> cases = new ArrayList<>();
        for (int c = 0; c < randomCases; c++) {
            int n = 1 + random.nextInt(6 * lanes);
            float[] g = Vectors.random(random, n);
            float[] u = Vectors.random(random, n);
            if (c % 5 == 1) {
                g[random.nextInt(n)] = -100f - random.nextInt(50);                  // exp(-g) overflows: -0
                g[random.nextInt(n)] = random.nextBoolean() ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
            }
            if (c % 7 == 3) {
                u[random.nextInt(n)] = Float.NaN;
            }
            cases.add(new Case(g, u));
        }
        for (StudentActivations.Gate gate : StudentActivations.get().gates) {
            cases.add(new Case(gate.gate(), gate.up()));
        }
        return cases;
    }

    /** Drives the cases through the open unit and checks every output beat against the model, bit for bit. */
    private static void check(SimModel sim, StreamDriver in, StreamMonitor out, Activation activation, int lanes,
            int physical, StorageFormat storage, List<Case> cases) {
        int before = out.count();
        int beats = 0;
        for (Case c : cases) {
            float[] g = Vectors.padded(c.g(), lanes);
            float[] u = Vectors.padded(c.u(), lanes);
            for (int b = 0; b < g.length / lanes; b++) {
                Packed packed = new Packed();
                for (int lane = 0; lane < lanes; lane++) {
                    packed.add(Vectors.bits32(g[b * lanes + lane]), 32);
                }
                for (int lane = 0; lane < lanes; lane++) {
                    packed.add(Vectors.bits32(u[b * lanes + lane]), 32);
                }
                in.push(packed.add((b + 1) * lanes >= g.length).value());
                beats++;
            }
        }
        int total = before + beats;
        sim.runUntil(() -> out.count() == total, beats * 4L * (lanes / physical) + 2_000);
        List<BigInteger> received = out.received();
        int beat = before;
        for (int k = 0; k < cases.size(); k++) {
            Case c = cases.get(k);
            int n = c.g().length;
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                float act = activation == Activation.SILU ? ExactActivations.silu(c.g()[i]) : ExactActivations.relu2(c.g()[i]);
                f[i] = storage.round(act * c.u()[i]);
            }
            for (int b = 0; b * lanes < n; b++) {
                Packed.Reader reader = new Packed.Reader(received.get(beat++));
                for (int lane = 0; lane < lanes; lane++) {
                    int i = b * lanes + lane;
                    long got = reader.next(16);
                    if (i < n) {
                        long want = Vectors.bits16(storage, f[i]);
                        int kk = k;
                        assertEquals(want, got, () -> String.format("vector %d, f[%d] for g %s, u %s: hardware 0x%04X,"
                                + " model 0x%04X", kk, i, c.g()[i], c.u()[i], got, want));
                    }
                }
                long absMax = reader.next(32);
                boolean last = reader.nextBit();
                assertEquals((b + 1) * lanes >= n, last, "last flag");
                if (last) {
                    assertEquals(Vectors.bits32(Vectors.absMax(f)), absMax, "vector " + k + ": absmax of f");
                }
            }
        }
        System.out.printf("Gating %s L=%d P=%d %s: %d vectors bit-exact%n", activation, lanes, physical, storage,
                cases.size());
    }
}
