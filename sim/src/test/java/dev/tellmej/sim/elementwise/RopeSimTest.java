package dev.tellmej.sim.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.elementwise.Rope;
import dev.tellmej.accel.elementwise.RopeTable;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.numerics.ExactOps;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimMemory;
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
 * RoPE with storage rounding (N14, N17.2.3) in Verilator against the model's {@code ExactOps.rotate} with the
 * tables of N14.1, bit for bit, in both pair styles: the q and k vectors captured from the stories260K student
 * (head dimension 8, positions 0 to 11; for the adjacent style, the style this model uses, also against the
 * model's own rotated values) with L = 1, 2, 4, and seeded random vectors with L = 16 and head dimension 64 at
 * positions up to 4,000 (table loaded through the write port). Random stalls on both streams.
 */
class RopeSimTest {
    private record Case(float[] x, int row, int position) {}

    @SimTest
    void adjacentPairsOnTheStudentsQkWithOneLane(SimFixture fixture) {
        student(fixture, RopeStyle.ADJACENT, 1);
    }

    @SimTest
    void adjacentPairsOnTheStudentsQkWithTwoLanes(SimFixture fixture) {
        student(fixture, RopeStyle.ADJACENT, 2);
    }

    @SimTest
    void adjacentPairsOnTheStudentsQkWithFourLanes(SimFixture fixture) {
        student(fixture, RopeStyle.ADJACENT, 4);
    }

    @SimTest
    void halfSplitPairsOnTheStudentsQkWithOneLane(SimFixture fixture) {
        student(fixture, RopeStyle.HALF_SPLIT, 1);
    }

    @SimTest
    void halfSplitPairsOnTheStudentsQkWithFourLanes(SimFixture fixture) {
        student(fixture, RopeStyle.HALF_SPLIT, 4);
    }

    @SimTest
    void adjacentPairsWithSixteenLanesOnRandomHeads(SimFixture fixture) {
        random(fixture, RopeStyle.ADJACENT);
    }

    @SimTest
    void halfSplitPairsWithSixteenLanesOnRandomHeads(SimFixture fixture) {
        random(fixture, RopeStyle.HALF_SPLIT);
    }

    private static void student(SimFixture fixture, RopeStyle style, int lanes) {
        StudentActivations student = StudentActivations.get();
        int d = student.config().headDim();
        float theta = student.config().ropeTheta();
        int rows = StudentActivations.POSITIONS;
        List<Case> cases = new ArrayList<>();
        for (StudentActivations.Rotation r : student.rotations) {
            cases.add(new Case(r.before(), r.position(), r.position()));
            if (style == student.config().ropeStyle()) {
                // The reference below is the model's own rotation.
                float[] reference = reference(style, d, theta, r.before(), r.position());
                for (int i = 0; i < reference.length; i++) {
                    assertEquals(Vectors.bits32(r.after()[i]), Vectors.bits32(reference[i]), "model's rotation");
                }
            }
        }
        Design<Rope> design = Hdl.elaborate(() -> new Rope(style, lanes, d, rows, StorageFormat.FP16));
        Rope top = design.top();
        SimModel sim = fixture.open(design);
        SimMemory table = sim.memory("cos_sin");
        List<BigInteger> words = RopeTable.rows(style, lanes, d, theta, 0, rows);
        for (int i = 0; i < words.size(); i++) {
            table.writeBig(i, words.get(i));
        }
        sim.reset();
        check(fixture, sim, top, style, lanes, d, theta, cases);
    }

    private static void random(SimFixture fixture, RopeStyle style) {
        int lanes = 16;
        int d = 64;
        int rows = 4;
        float theta = 10_000f;
        int[] positions = {0, 1, 517, 4_000};
        Random random = fixture.random();
        List<Case> cases = new ArrayList<>();
        for (int c = 0; c < 24; c++) {
            int row = random.nextInt(rows);
            cases.add(new Case(Vectors.random(random, d * (1 + random.nextInt(3))), row, positions[row]));
        }
        Design<Rope> design = Hdl.elaborate(() -> new Rope(style, lanes, d, rows, StorageFormat.FP16));
        Rope top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Port valid = sim.port(top.tableWrite.valid);
        Port address = sim.port(top.tableWrite.payload.address());
        Port word = sim.port(top.tableWrite.payload.word());
        int beats = d / lanes;
        for (int row = 0; row < rows; row++) {
            List<BigInteger> words = RopeTable.row(style, lanes, d, theta, positions[row]);
            for (int j = 0; j < beats; j++) {
                valid.set(1);
                address.set(row * beats + j);
                word.setBig(words.get(j));
                sim.step();
            }
        }
        valid.set(0);
        check(fixture, sim, top, style, lanes, d, theta, cases);
    }

    private static void check(SimFixture fixture, SimModel sim, Rope top, RopeStyle style, int lanes, int d,
            float theta, List<Case> cases) {
        StreamDriver in = new StreamDriver(sim, top.in, fixture.random(1), 0.8);
        StreamMonitor out = new StreamMonitor(sim, top.out, fixture.random(2), 0.7);
        int rowBits = sim.port(top.in.payload.position()).width();
        int beats = 0;
        for (Case c : cases) {
            for (int b = 0; b < c.x().length / lanes; b++) {
                Packed packed = new Packed();
                for (int lane = 0; lane < lanes; lane++) {
                    packed.add(Vectors.bits32(c.x()[b * lanes + lane]), 32);
                }
                in.push(packed.add(c.row(), rowBits).add((b + 1) * lanes == c.x().length).value());
                beats++;
            }
        }
        int total = beats;
        sim.runUntil(() -> out.count() == total, total * 6L + 2_000);
        List<BigInteger> received = out.received();
        int beat = 0;
        for (int k = 0; k < cases.size(); k++) {
            Case c = cases.get(k);
            float[] expected = reference(style, d, theta, c.x(), c.position());
            for (int b = 0; b < c.x().length / lanes; b++) {
                Packed.Reader reader = new Packed.Reader(received.get(beat++));
                for (int lane = 0; lane < lanes; lane++) {
                    int i = b * lanes + lane;
                    long got = reader.next(16);
                    long want = Vectors.bits16(StorageFormat.FP16, expected[i]);
                    int kk = k;
                    assertEquals(want, got, () -> String.format("vector %d (position %d), element %d: hardware 0x%04X,"
                            + " model 0x%04X", kk, c.position(), i, got, want));
                }
                assertEquals((b + 1) * lanes == c.x().length, reader.nextBit(), "last flag");
            }
        }
        System.out.printf("Rope %s L=%d d=%d: %d vectors bit-exact%n", style, lanes, d, cases.size());
    }

    /** Every head of x rotated at {@code position} by ExactOps.rotate, pairs by style (binary32, not stored). */
    private static float[] reference(RopeStyle style, int d, float theta, float[] x, int position) {
        float[] out = x.clone();
        float[] pair = new float[2];
        for (int head = 0; head < x.length / d; head++) {
            for (int i = 0; i < d / 2; i++) {
                int a = head * d + (style == RopeStyle.ADJACENT ? 2 * i : i);
                int b = style == RopeStyle.ADJACENT ? a + 1 : a + d / 2;
                ExactOps.rotate(x[a], x[b], RopeTable.cos(theta, d, position, i), RopeTable.sin(theta, d, position, i), pair);
                out[a] = pair[0];
                out[b] = pair[1];
            }
        }
        return out;
    }
}
