package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.attention.AttentionSoftmax;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.numerics.ExactExp;
import dev.tellmej.model.numerics.ExactReciprocal;
import dev.tellmej.model.numerics.LaneSum;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@link AttentionSoftmax} in Verilator, bit for bit against N15.3-4 as {@code ExactOps.attentionHead} computes
 * them: every weight {@code exp(s_t - M)} and {@code rz = reciprocal(Z)}, for random scores (ties with the
 * maximum, scores far below it whose weights underflow to 0, small spreads), contexts of 1, 2, L - 1, L + 1 and
 * hundreds, L = 1, 4 and 16, random producer stalls.
 */
class AttentionSoftmaxTest {
    private static final class Bench {
        final SimModel sim;
        final AttentionSoftmax top;
        final int lanes;
        final int positionBits;
        final List<long[]> weights = new ArrayList<>();
        final List<Integer> reciprocals = new ArrayList<>();

        Bench(SimFixture fixture, int lanes, int maxPositions) {
            Design<AttentionSoftmax> design = Hdl.elaborate(() -> new AttentionSoftmax(lanes, maxPositions));
            this.sim = fixture.open(design);
            this.top = design.top();
            this.lanes = lanes;
            this.positionBits = Hdl.bitsFor(maxPositions);
            sim.onCycle(new CycleListener() {
                @Override
                public void beforeEdge(SimModel s, long cycle) {
                    if (s.peek(top.weights.valid) != 0) {
                        weights.add(new long[] {s.peek(top.weights.payload.position()),
                                s.peek(top.weights.payload.value())});
                    }
                    if (s.peek(top.reciprocal.valid) != 0) {
                        reciprocals.add((int) s.peek(top.reciprocal.payload));
                    }
                }
            });
            sim.reset();
        }

        void run(List<float[]> heads, Random random, double rate) {
            StreamDriver setup = new StreamDriver(sim, top.setup, new Random(random.nextLong()), rate);
            StreamDriver scores = new StreamDriver(sim, top.scores, new Random(random.nextLong()), rate);
            long total = 0;
            for (float[] s : heads) {
                float max = Float.NEGATIVE_INFINITY;
                for (float v : s) {
                    max = Math.max(max, v);
                }
                setup.push(BigInteger.valueOf(s.length)
                        .or(BigInteger.valueOf(Float.floatToRawIntBits(max) & 0xFFFFFFFFL).shiftLeft(positionBits)));
                for (float v : s) {
                    scores.push(Float.floatToRawIntBits(v) & 0xFFFFFFFFL);
                }
                total += s.length;
            }
            int expected = reciprocals.size() + heads.size();
            sim.runUntil(() -> reciprocals.size() >= expected, 2_000 + 20L * total + 200L * heads.size());
            sim.step(3);
            assertEquals(1, sim.peek(top.idle), "idle after the last head");
            int at = 0;
            for (int h = 0; h < heads.size(); h++) {
                float[] s = heads.get(h);
                float max = Float.NEGATIVE_INFINITY;
                for (float v : s) {
                    max = Math.max(max, v);
                }
                float[] e = new float[s.length];
                for (int t = 0; t < s.length; t++) {
                    e[t] = ExactExp.apply(s[t] - max);
                    long[] got = weights.get(at++);
                    assertEquals(t, got[0], "head " + h + ": position of weight " + t);
                    assertEquals(Float.floatToRawIntBits(e[t]), (int) got[1], "head " + h + " (n " + s.length
                            + "): weight " + t + " of score " + s[t] + ", max " + max);
                }
                float rz = ExactReciprocal.apply(LaneSum.sum(e, 0, e.length, lanes));
                assertEquals(Float.floatToRawIntBits(rz), (int) reciprocals.get(h), "head " + h + ": rz");
            }
            assertEquals(at, weights.size(), "no extra weights");
        }
    }

    private static float[] randomScores(Random random, int n) {
        float[] s = new float[n];
        float spread = switch (random.nextInt(3)) {
            case 0 -> 0.01f;
            case 1 -> 3f;
            default -> 40f;   // most weights underflow
        };
        for (int t = 0; t < n; t++) {
            s[t] = t > 0 && random.nextInt(6) == 0 ? s[t - 1] : (float) (random.nextGaussian() * spread);
        }
        return s;
    }

    private static void rounds(SimFixture fixture, int lanes, int maxPositions, int[] contexts) {
        Bench bench = new Bench(fixture, lanes, maxPositions);
        Random random = fixture.random();
        List<float[]> heads = new ArrayList<>();
        for (int n : contexts) {
            heads.add(randomScores(random, n));
            heads.add(randomScores(random, n));
        }
        bench.run(heads, random, random.nextBoolean() ? 1.0 : 0.5);
    }

    @SimTest
    void sixteenLanes(SimFixture fixture) {
        rounds(fixture, 16, 4096, new int[] {1, 2, 15, 16, 17, 100, 700});
    }

    @SimTest
    void fewLanesArePaced(SimFixture fixture) {
        rounds(fixture, 1, 64, new int[] {1, 2, 9});
        rounds(fixture, 4, 64, new int[] {1, 3, 5, 40});
    }
}
