package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.attention.DecodeAttention;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.numerics.ExactOps;
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
 * {@link DecodeAttention} in Verilator, bit for bit against {@code ExactOps.attentionHead} (NUMERICS.md N15) for
 * whole heads: random queries, keys and values with large magnitudes, zeros of both signs, subnormals and
 * repeated rows (ties in the maximum), head dimensions 4 to 96, contexts 1, 2, L - 1, L + 1 and hundreds,
 * fp16 and bf16, random stalls on every stream; several heads back to back.
 */
class DecodeAttentionTest {
    private record Head(int n, int d, short[] q, short[] k, short[] v) {}

    private static void run(SimFixture fixture, int lanes, int width, int maxHeadDim, int maxPositions,
                            StorageFormat storage, List<Head> heads) {
        Design<DecodeAttention> design = Hdl.elaborate(
                () -> new DecodeAttention(lanes, width, maxHeadDim, maxPositions, storage));
        SimModel sim = fixture.open(design);
        DecodeAttention top = design.top();
        sim.reset();
        Random random = fixture.random();
        double rate = random.nextBoolean() ? 1.0 : 0.6;
        int positionBits = Hdl.bitsFor(maxPositions);
        int beatBits = Hdl.bitsFor(maxHeadDim / width);
        StreamDriver setup = new StreamDriver(sim, top.setup, new Random(random.nextLong()), rate);
        StreamDriver query = new StreamDriver(sim, top.query, new Random(random.nextLong()), rate);
        StreamDriver keys = new StreamDriver(sim, top.keys, new Random(random.nextLong()), rate);
        StreamDriver values = new StreamDriver(sim, top.values, new Random(random.nextLong()), rate);
        StreamMonitor out = new StreamMonitor(sim, top.out, new Random(random.nextLong()), rate);
        long work = 0;
        int beatsOut = 0;
        for (Head h : heads) {
            int beats = h.d() / width;
            float scale = (float) (1.0 / StrictMath.sqrt(h.d()));
            setup.push(BigInteger.valueOf(h.n()).or(BigInteger.valueOf(beats).shiftLeft(positionBits))
                    .or(BigInteger.valueOf(Float.floatToRawIntBits(scale) & 0xFFFFFFFFL).shiftLeft(positionBits + beatBits)));
            for (int b = 0; b < beats; b++) {
                query.push(beat(h.q(), b * width, width));
            }
            for (int t = 0; t < h.n(); t++) {
                for (int b = 0; b < beats; b++) {
                    keys.push(beat(h.k(), t * h.d() + b * width, width));
                    values.push(beat(h.v(), t * h.d() + b * width, width));
                }
            }
            work += (long) h.n() * beats;
            beatsOut += beats;
        }
        int expected = beatsOut;
        sim.runUntil(() -> out.received().size() >= expected, 10_000 + 40L * work + 1_000L * heads.size());
        sim.step(10);
        assertEquals(expected, out.received().size(), "output beats");
        assertEquals(1, sim.peek(top.idle), "idle after the last head");
        int at = 0;
        for (int hi = 0; hi < heads.size(); hi++) {
            Head h = heads.get(hi);
            float[] q = decode(h.q(), storage);
            float[] k = decode(h.k(), storage);
            float[] v = decode(h.v(), storage);
            float[] o = new float[h.d()];
            ExactOps.attentionHead(q, 0, k, v, 0, h.d(), h.n(), h.d(), (float) (1.0 / StrictMath.sqrt(h.d())), lanes,
                    storage, new float[h.n()], o, 0);
            for (int b = 0; b < h.d() / width; b++) {
                BigInteger word = out.received().get(at++);
                for (int x = 0; x < width; x++) {
                    int i = b * width + x;
                    int got = word.shiftRight(16 * x).intValue() & 0xFFFF;
                    assertEquals(storage.encode(o[i]) & 0xFFFF, got, "head " + hi + " (n " + h.n() + ", d " + h.d()
                            + "): output element " + i + " (expected " + o[i] + ", got " + storage.decode((short) got) + ")");
                }
            }
        }
    }

    private static BigInteger beat(short[] values, int from, int width) {
        BigInteger word = BigInteger.ZERO;
        for (int x = width - 1; x >= 0; x--) {
            word = word.shiftLeft(16).or(BigInteger.valueOf(values[from + x] & 0xFFFF));
        }
        return word;
    }

    private static float[] decode(short[] stored, StorageFormat storage) {
        float[] out = new float[stored.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = storage.decode(stored[i]);
        }
        return out;
    }

    private static short value(Random random, StorageFormat storage) {
        int pick = random.nextInt(25);
        float v = switch (pick) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> (float) (random.nextGaussian() * 1e-6);
            case 3 -> (float) (random.nextGaussian() * 300);
            default -> (float) random.nextGaussian();
        };
        return storage.encode(v);
    }

    private static Head randomHead(Random random, int n, int d, StorageFormat storage) {
        short[] q = new short[d];
        short[] k = new short[n * d];
        short[] v = new short[n * d];
        for (int i = 0; i < d; i++) {
            q[i] = value(random, storage);
        }
        for (int t = 0; t < n; t++) {
            boolean repeat = t > 0 && random.nextInt(8) == 0;
            for (int i = 0; i < d; i++) {
                k[t * d + i] = repeat ? k[(t - 1) * d + i] : value(random, storage);
                v[t * d + i] = value(random, storage);
            }
        }
        return new Head(n, d, q, k, v);
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
    void simSmallFp16(SimFixture fixture) {
        Random random = fixture.random();
        run(fixture, 16, 4, 32, 512, StorageFormat.FP16,
                heads(random, StorageFormat.FP16, new int[] {8, 24}, new int[] {1, 2, 15, 17, 200}));
    }

    @SimTest
    void kv260ShapeBf16(SimFixture fixture) {
        Random random = fixture.random();
        run(fixture, 16, 8, 96, 4096, StorageFormat.BF16,
                heads(random, StorageFormat.BF16, new int[] {96}, new int[] {1, 17, 70}));
    }
}
