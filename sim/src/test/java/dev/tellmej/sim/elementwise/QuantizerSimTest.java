package dev.tellmej.sim.elementwise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.elementwise.Quantizer;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.numerics.ActivationQuantizer;
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
 * The quantizer (N6) in Verilator against the model's {@code ActivationQuantizer.quantize}, bit for bit (the
 * int8 values and mc): seeded random stored vectors (tiny ones clamped by EPS, all zeros, a NaN, infinities,
 * huge values) and every quantization of the stories260K student's run, for L = 1, 2 and 16 with binary16 and
 * L = 16 with bfloat16, under random stalls.
 */
class QuantizerSimTest {
    @SimTest
    void oneLane(SimFixture fixture) {
        run(fixture, 1, StorageFormat.FP16, 12);
    }

    @SimTest
    void twoLanes(SimFixture fixture) {
        run(fixture, 2, StorageFormat.FP16, 12);
    }

    @SimTest
    void sixteenLanes(SimFixture fixture) {
        run(fixture, 16, StorageFormat.FP16, 40);
    }

    @SimTest
    void sixteenLanesBfloat16(SimFixture fixture) {
        run(fixture, 16, StorageFormat.BF16, 40);
    }

    private static void run(SimFixture fixture, int lanes, StorageFormat storage, int randomCases) {
        Random random = fixture.random();
        List<float[]> cases = new ArrayList<>();
        for (int c = 0; c < randomCases; c++) {
            float[] x = Vectors.stored(storage, Vectors.random(random, 1 + random.nextInt(6 * lanes)));
            switch (c % 8) {
                case 1 -> java.util.Arrays.fill(x, 0f);
                case 2 -> x[random.nextInt(x.length)] = Float.NaN;
                case 3 -> x[random.nextInt(x.length)] = random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                case 4 -> {
                    for (int i = 0; i < x.length; i++) {
                        x[i] = storage.round(x[i] * 1e-9f);            // below EPS: mc clamps
                    }
                }
                default -> { }
            }
            cases.add(x);
        }
        int realCases = 0;
        for (StudentActivations.Quantization q : StudentActivations.get().quantizations) {
            cases.add(storage == StorageFormat.FP16 ? q.x() : Vectors.stored(storage, q.x()));
            realCases++;
        }
        Design<Quantizer> design = Hdl.elaborate(() -> new Quantizer(lanes, storage));
        Quantizer top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        StreamDriver in = new StreamDriver(sim, top.in, fixture.random(1), 0.8);
        StreamMonitor out = new StreamMonitor(sim, top.out, fixture.random(2), 0.7);
        int beats = 0;
        for (float[] x : cases) {
            long absMax = Vectors.bits32(Vectors.absMax(x));
            float[] padded = Vectors.padded(x, lanes);
            for (int b = 0; b < padded.length / lanes; b++) {
                Packed packed = new Packed();
                for (int lane = 0; lane < lanes; lane++) {
                    packed.add(Vectors.bits16(storage, padded[b * lanes + lane]), 16);
                }
                in.push(packed.add(absMax, 32).add((b + 1) * lanes >= padded.length).value());
                beats++;
            }
        }
        int total = beats;
        sim.runUntil(() -> out.count() == total, total * 4L + cases.size() * (top.scaleLatency + 20L) + 1_000);
        List<BigInteger> received = out.received();
        int beat = 0;
        for (int k = 0; k < cases.size(); k++) {
            float[] x = cases.get(k);
            byte[] want = new byte[x.length];
            float mc = ActivationQuantizer.quantize(x, x.length, want);
            byte[] got = new byte[x.length];
            for (int b = 0; b * lanes < x.length; b++) {
                Packed.Reader reader = new Packed.Reader(received.get(beat++));
                for (int lane = 0; lane < lanes; lane++) {
                    long q = reader.nextSigned(8);
                    if (b * lanes + lane < x.length) {
                        got[b * lanes + lane] = (byte) q;
                    }
                }
                int kk = k;
                assertEquals(Vectors.bits32(mc), reader.next(32), () -> "vector " + kk + ": mc");
                assertEquals((b + 1) * lanes >= x.length, reader.nextBit(), "last flag");
            }
            int kk = k;
            assertArrayEquals(want, got, () -> "vector " + kk + " (mc " + mc + "): int8 values");
        }
        // The model's captured int8 values are the reference's.
        for (StudentActivations.Quantization q : StudentActivations.get().quantizations) {
            byte[] again = new byte[q.x().length];
            assertEquals(Vectors.bits32(q.mc()), Vectors.bits32(ActivationQuantizer.quantize(q.x(), q.x().length, again)));
            assertArrayEquals(q.q(), again);
        }
        System.out.printf("Quantizer L=%d %s: %d vectors (%d real) bit-exact%n", lanes, storage, cases.size(), realCases);
    }
}
