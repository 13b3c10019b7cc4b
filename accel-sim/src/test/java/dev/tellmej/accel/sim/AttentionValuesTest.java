package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.attention.AttentionValues;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.numerics.LaneSum;
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
 * {@link AttentionValues} in Verilator, bit for bit against N15.5 as {@code ExactOps.attentionHead} computes it:
 * {@code o_i = st(tree(lane sums of e_t * v_t[i]) * rz)} for random weights (zeros, tiny, ones), value rows with
 * large magnitudes, zeros of both signs and subnormals, head dimensions below and above L, contexts 1, 2,
 * L - 1, L + 1 and hundreds, fp16 and bf16, L = 1, 4 and 16, random stalls on every stream.
 */
class AttentionValuesTest {
    private record Head(int n, int d, float[] e, short[] v, float rz) {}

    private static void run(SimFixture fixture, int lanes, int width, int maxHeadDim, int maxPositions,
                            StorageFormat storage, List<Head> heads) {
        Design<AttentionValues> design = Hdl.elaborate(
                () -> new AttentionValues(lanes, width, maxHeadDim, maxPositions, storage));
        SimModel sim = fixture.open(design);
        AttentionValues top = design.top();
        sim.reset();
        Random random = fixture.random();
        double rate = random.nextBoolean() ? 1.0 : 0.5;
        int positionBits = Hdl.bitsFor(maxPositions);
        int beatBits = Hdl.bitsFor(maxHeadDim / width);
        StreamDriver setup = new StreamDriver(sim, top.setup, new Random(random.nextLong()), rate);
        StreamDriver weights = new StreamDriver(sim, top.weights, new Random(random.nextLong()), rate);
        StreamDriver values = new StreamDriver(sim, top.values, new Random(random.nextLong()), rate);
        StreamMonitor out = new StreamMonitor(sim, top.out, new Random(random.nextLong()), rate);
        long beatsIn = 0;
        int beatsOut = 0;
        for (Head h : heads) {
            int beats = h.d() / width;
            setup.push(BigInteger.valueOf(h.n()).or(BigInteger.valueOf(beats).shiftLeft(positionBits))
                    .or(BigInteger.valueOf(Float.floatToRawIntBits(h.rz()) & 0xFFFFFFFFL).shiftLeft(positionBits + beatBits)));
            for (int t = 0; t < h.n(); t++) {
                weights.push(Float.floatToRawIntBits(h.e()[t]) & 0xFFFFFFFFL);
                for (int b = 0; b < beats; b++) {
                    BigInteger word = BigInteger.ZERO;
                    for (int x = width - 1; x >= 0; x--) {
                        word = word.shiftLeft(16).or(BigInteger.valueOf(h.v()[t * h.d() + b * width + x] & 0xFFFF));
                    }
                    values.push(word);
                }
            }
            beatsIn += (long) h.n() * beats;
            beatsOut += beats;
        }
        int expected = beatsOut;
        sim.runUntil(() -> out.received().size() >= expected, 5_000 + 30L * beatsIn + 400L * heads.size() * 16);
        sim.step(10);
        assertEquals(expected, out.received().size(), "output beats");
        assertEquals(1, sim.peek(top.idle), "idle after the last head");
        int at = 0;
        for (int hi = 0; hi < heads.size(); hi++) {
            Head h = heads.get(hi);
            float[] v = new float[h.v().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = storage.decode(h.v()[i]);
            }
            for (int b = 0; b < h.d() / width; b++) {
                BigInteger word = out.received().get(at++);
                for (int x = 0; x < width; x++) {
                    int i = b * width + x;
                    float[] partial = new float[lanes];
                    for (int j = 0; j < lanes && j < h.n(); j++) {
                        float acc = 0f;
                        for (int t = j; t < h.n(); t += lanes) {
                            acc += h.e()[t] * v[t * h.d() + i];
                        }
                        partial[j] = acc;
                    }
                    short expectedBits = storage.encode(LaneSum.tree(partial, lanes) * h.rz());
                    int got = word.shiftRight(16 * x).intValue() & 0xFFFF;
                    assertEquals(expectedBits & 0xFFFF, got, "head " + hi + " (n " + h.n() + ", d " + h.d()
                            + "): element " + i);
                }
            }
        }
    }

    private static Head randomHead(Random random, int n, int d, StorageFormat storage) {
        float[] e = new float[n];
        float sum = 0;
        for (int t = 0; t < n; t++) {
            int pick = random.nextInt(8);
            e[t] = pick == 0 ? 0f : pick == 1 ? 1f : pick == 2 ? (float) (random.nextDouble() * 1e-30) : random.nextFloat();
            sum += e[t];
        }
        float rz = sum == 0 ? 1f : 1f / sum;
        short[] v = new short[n * d];
        for (int i = 0; i < v.length; i++) {
            int pick = random.nextInt(20);
            float x = pick == 0 ? 0f : pick == 1 ? -0f : pick == 2 ? (float) (random.nextGaussian() * 1e-6)
                    : pick == 3 ? (float) (random.nextGaussian() * 5000) : (float) random.nextGaussian();
            v[i] = storage.encode(x);
        }
        return new Head(n, d, e, v, rz);
    }

    private static List<Head> heads(Random random, StorageFormat storage, int[] dims, int[] contexts) {
        List<Head> out = new ArrayList<>();
        for (int d : dims) {
            for (int n : contexts) {
                out.add(randomHead(random, n, d, storage));
            }
        }
        return out;
    }

    @SimTest
    void simSmallShapesFp16(SimFixture fixture) {
        Random random = fixture.random();
        run(fixture, 16, 4, 32, 512, StorageFormat.FP16,
                heads(random, StorageFormat.FP16, new int[] {4, 8, 24}, new int[] {1, 2, 15, 17, 130}));
    }

    @SimTest
    void kv260ShapesBf16(SimFixture fixture) {
        Random random = fixture.random();
        run(fixture, 16, 8, 96, 4096, StorageFormat.BF16,
                heads(random, StorageFormat.BF16, new int[] {96, 40}, new int[] {1, 17, 33}));
    }

    @SimTest
    void fewLanes(SimFixture fixture) {
        Random random = fixture.random();
        run(fixture, 1, 1, 8, 64, StorageFormat.FP16,
                heads(random, StorageFormat.FP16, new int[] {1, 8}, new int[] {1, 3}));
        run(fixture, 4, 4, 16, 64, StorageFormat.FP16,
                heads(random, StorageFormat.FP16, new int[] {4, 12}, new int[] {2, 5, 9}));
    }
}
