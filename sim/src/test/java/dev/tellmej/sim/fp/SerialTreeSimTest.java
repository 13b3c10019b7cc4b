package dev.tellmej.sim.fp;

import static dev.tellmej.sim.fp.FloatCases.canonical;
import static dev.tellmej.sim.fp.FloatCases.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.fp.Fp32SerialTree;
import dev.tellmej.model.numerics.LaneSum;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimStopException;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Fp32SerialTree in Verilator against the model's N5.2 tree ({@code LaneSum.tree}), bit for bit: seeded random
 * vectors (mixed magnitudes for cancellation, now and then an infinity, a NaN or a -0) in bursts as long as the
 * queue, then back to back at the tree's interval, each result in order with its tag, and the tree idle at the
 * end; a burst longer than the queue fails the tree's assertion.
 */
class SerialTreeSimTest {
    @SimTest
    void sixteenValuesAVectorInBurstsOfThree(SimFixture fixture) {
        run(fixture, 16, 3, 300);
    }

    @SimTest
    void fourValuesAVectorWithAQueueOfTwo(SimFixture fixture) {
        run(fixture, 4, 2, 300);
    }

    @SimTest
    void sixteenValuesWithTwoFirstLevelAddersFedWhileReady(SimFixture fixture) {
        run(fixture, 16, 8, 2, true, 300);
    }

    @SimTest
    void eightFirstLevelAddersAreAFullTreeAVectorACycle(SimFixture fixture) {
        run(fixture, 16, 2, 8, true, 200);
    }

    /** A burst longer than the queue stops the simulation with the tree's assertion. */
    @SimTest
    void aBurstLongerThanTheQueueFailsItsAssertion(SimFixture fixture) {
        Design<Fp32SerialTree> design = Hdl.elaborate(() -> new Fp32SerialTree(16, 8, 2));
        SimModel sim = fixture.open(design);
        sim.reset();
        sim.poke(design.top().in.valid, 1);
        sim.step(2);                                   // two vectors: the queue holds them
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(2));
        assertTrue(stop.designMessage().contains("a vector arrived with the queue full"), stop.getMessage());
    }

    private static void run(SimFixture fixture, int n, int depth, int vectors) {
        run(fixture, n, depth, 1, false, vectors);
    }

    /**
     * With {@code whileReady} the second half of the vectors is sent whenever {@code ready} says the queue has
     * room (now and then not), as a user with a burst longer than the queue does, instead of at the interval.
     */
    private static void run(SimFixture fixture, int n, int depth, int firstAdders, boolean whileReady, int vectors) {
        Random random = fixture.random();
        Design<Fp32SerialTree> design = Hdl.elaborate(() -> new Fp32SerialTree(n, 8, depth, firstAdders));
        Fp32SerialTree top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Port inValid = sim.port(top.in.valid);
        Port[] values = new Port[n];
        for (int i = 0; i < n; i++) {
            values[i] = sim.port(top.in.payload.values().get(i));
        }
        Port inTag = sim.port(top.in.payload.tag());
        Port outValid = sim.port(top.out.valid);
        Port sum = sim.port(top.out.payload.sum());
        Port outTag = sim.port(top.out.payload.tag());
        Port idle = sim.port(top.idle);
        Port ready = sim.port(top.ready);
        assertEquals(n / (2 * firstAdders), top.interval, "interval");
        assertEquals(1, idle.get(), "idle after reset");

        List<float[]> sent = new ArrayList<>();
        List<long[]> received = new ArrayList<>();
        boolean sawBusy = false;
        int interval = top.interval;
        int cycle = 0;
        int burstLeft = 0;
        int waitUntil = 0;
        while (received.size() < vectors) {
            boolean send = false;
            if (sent.size() < vectors && cycle >= waitUntil) {
                if (sent.size() < vectors / 2) {
                    // Bursts of up to the queue's depth, then enough idle cycles to empty level 0.
                    if (burstLeft == 0) {
                        burstLeft = 1 + random.nextInt(depth);
                    }
                    send = true;
                    burstLeft--;
                    if (burstLeft == 0) {
                        waitUntil = cycle + 1 + (depth + 1) * interval;
                    }
                } else if (whileReady) {
                    send = ready.get() != 0 && random.nextInt(8) != 0;
                } else {
                    send = true;                       // back to back at the interval
                    waitUntil = cycle + interval;
                }
            }
            if (send) {
                float[] v = vector(random, n);
                for (int i = 0; i < n; i++) {
                    values[i].set(Float.floatToRawIntBits(v[i]) & 0xFFFF_FFFFL);
                }
                inTag.set(sent.size() & 0xFF);
                sent.add(v);
            }
            inValid.set(send ? 1 : 0);
            sim.step();
            cycle++;
            sawBusy |= idle.get() == 0;
            if (outValid.get() != 0) {
                received.add(new long[] {sum.get(), outTag.get()});
            }
            if (cycle > vectors * (depth + 2L) * interval + 1_000) {
                throw new AssertionError("only " + received.size() + " of " + vectors + " sums after " + cycle
                        + " cycles");
            }
        }
        inValid.set(0);
        sim.step();
        assertEquals(1, idle.get(), "idle once every sum is out");
        assertTrue(sawBusy, "never busy");
        for (int k = 0; k < vectors; k++) {
            float[] partials = sent.get(k).clone();
            long want = canonical(LaneSum.tree(partials, n));
            assertEquals(k & 0xFF, received.get(k)[1], "tag of sum " + k);
            int kk = k;
            assertEquals(want, received.get(k)[0], () -> "sum " + kk + ": hardware " + describe(received.get(kk)[0])
                    + ", model " + describe(want));
        }
    }

    private static float[] vector(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float magnitude = (float) Math.scalb(1.0, random.nextInt(40) - 20);
            v[i] = (float) (random.nextGaussian() * magnitude);
            if (random.nextInt(200) == 0) {
                v[i] = switch (random.nextInt(4)) {
                    case 0 -> Float.POSITIVE_INFINITY;
                    case 1 -> Float.NEGATIVE_INFINITY;
                    case 2 -> Float.NaN;
                    default -> -0.0f;
                };
            }
        }
        return v;
    }
}
