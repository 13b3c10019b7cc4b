package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.attention.AttentionScores;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.numerics.LaneSum;
import dev.tellmej.model.numerics.StorageFormat;
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
 * {@link AttentionScores} in Verilator, bit for bit against N15.1-2 as the model computes them
 * ({@code LaneSum.dot(q, k_t) * C}, then the maximum): random queries and keys including large magnitudes,
 * zeros of both signs, subnormals and ties, head dimensions below, at and above L and not multiples of it,
 * contexts of 1, 2, L - 1, L + 1 and more, fp16 and bf16, random producer stalls.
 */
class AttentionScoresTest {
    /** One head: n key rows of d stored values, the query, and C. */
    private record Head(int n, int d, short[] q, short[] k, float scale) {}

    private static final class Bench {
        final SimModel sim;
        final AttentionScores top;
        final int lanes;
        final int width;
        final int positionBits;
        final int beatBits;
        final StorageFormat storage;
        final List<long[]> scores = new ArrayList<>();
        final List<Integer> maxima = new ArrayList<>();

        Bench(SimFixture fixture, int lanes, int width, int maxHeadDim, int maxPositions, StorageFormat storage) {
            Design<AttentionScores> design = Hdl.elaborate(
                    () -> new AttentionScores(lanes, width, maxHeadDim, maxPositions, storage));
            this.sim = fixture.open(design);
            this.top = design.top();
            this.lanes = lanes;
            this.width = width;
            this.storage = storage;
            this.positionBits = Hdl.bitsFor(maxPositions);
            this.beatBits = Hdl.bitsFor(maxHeadDim / width);
            sim.onCycle(new CycleListener() {
                @Override
                public void beforeEdge(SimModel s, long cycle) {
                    if (s.peek(top.scores.valid) != 0) {
                        scores.add(new long[] {s.peek(top.scores.payload.position()),
                                s.peek(top.scores.payload.value())});
                    }
                    if (s.peek(top.max.valid) != 0) {
                        maxima.add((int) s.peek(top.max.payload));
                    }
                }
            });
            sim.reset();
        }

        void run(List<Head> heads, Random random, double rate) {
            StreamDriver setup = new StreamDriver(sim, top.setup, new Random(random.nextLong()), rate);
            StreamDriver query = new StreamDriver(sim, top.query, new Random(random.nextLong()), rate);
            StreamDriver keys = new StreamDriver(sim, top.keys, new Random(random.nextLong()), rate);
            long rows = 0;
            for (Head h : heads) {
                int beats = h.d() / width;
                setup.push(BigInteger.valueOf(h.n())
                        .or(BigInteger.valueOf(beats).shiftLeft(positionBits))
                        .or(BigInteger.valueOf(Float.floatToRawIntBits(h.scale()) & 0xFFFFFFFFL)
                                .shiftLeft(positionBits + beatBits)));
                for (int b = 0; b < beats; b++) {
                    query.push(beat(h.q(), b * width));
                }
                for (int t = 0; t < h.n(); t++) {
                    for (int b = 0; b < beats; b++) {
                        keys.push(beat(h.k(), t * h.d() + b * width));
                    }
                }
                rows += (long) h.n() * beats;
            }
            int expectedMaxima = maxima.size() + heads.size();
            sim.runUntil(() -> maxima.size() >= expectedMaxima, 2_000 + 60L * rows);
            sim.step(5);
            assertEquals(1, sim.peek(top.idle), "idle after the last head");
            int at = 0;
            for (int hi = 0; hi < heads.size(); hi++) {
                Head h = heads.get(hi);
                float[] q = decode(h.q());
                float[] k = decode(h.k());
                float max = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < h.n(); t++) {
                    float s = LaneSum.dot(q, 0, k, t * h.d(), h.d(), lanes) * h.scale();
                    max = Math.max(max, s);
                    long[] got = scores.get(at++);
                    assertEquals(t, got[0], "head " + hi + ": position of score " + t);
                    if ((int) got[1] != Float.floatToRawIntBits(s)) {
                        throw new AssertionError("head " + hi + " (n " + h.n() + ", d " + h.d() + "), score " + t
                                + ": expected " + s + " (0x" + Integer.toHexString(Float.floatToRawIntBits(s))
                                + "), got " + Float.intBitsToFloat((int) got[1]) + " (0x"
                                + Long.toHexString(got[1]) + ")");
                    }
                }
                assertEquals(Float.floatToRawIntBits(max), (int) maxima.get(hi), "head " + hi + ": maximum");
            }
            assertEquals(at, scores.size(), "no extra scores");
        }

        private BigInteger beat(short[] values, int from) {
            BigInteger word = BigInteger.ZERO;
            for (int e = width - 1; e >= 0; e--) {
                word = word.shiftLeft(16).or(BigInteger.valueOf(values[from + e] & 0xFFFF));
            }
            return word;
        }

        private float[] decode(short[] stored) {
            float[] out = new float[stored.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = storage.decode(stored[i]);
            }
            return out;
        }
    }

    /** Random stored values: mostly moderate, some large, zeros of both signs, subnormals, repeated rows (ties). */
    private static Head randomHead(Random random, int n, int d, StorageFormat storage) {
        short[] q = new short[d];
        short[] k = new short[n * d];
        for (int i = 0; i < d; i++) {
            q[i] = value(random, storage);
        }
        for (int t = 0; t < n; t++) {
            if (t > 0 && random.nextInt(8) == 0) {
                System.arraycopy(k, (t - 1) * d, k, t * d, d);   // a tie with the previous row's score
                continue;
            }
            for (int i = 0; i < d; i++) {
                k[t * d + i] = value(random, storage);
            }
        }
        float scale = (float) (1.0 / StrictMath.sqrt(d));
        return new Head(n, d, q, k, scale);
    }

    private static short value(Random random, StorageFormat storage) {
        int pick = random.nextInt(20);
        float v = switch (pick) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> (float) (random.nextGaussian() * 1e-6);       // fp16 subnormals
            case 3 -> (float) (random.nextGaussian() * 3000);        // large
            default -> (float) (random.nextGaussian() * 2);
        };
        return storage.encode(v);
    }

    private static void rounds(SimFixture fixture, int lanes, int width, int maxHeadDim, int maxPositions,
                               StorageFormat storage, int[] dims, int[] contexts) {
        Bench bench = new Bench(fixture, lanes, width, maxHeadDim, maxPositions, storage);
        Random random = fixture.random();
        List<Head> heads = new ArrayList<>();
        for (int d : dims) {
            for (int n : contexts) {
                heads.add(randomHead(random, n, d, storage));
            }
        }
        bench.run(heads, random, random.nextBoolean() ? 1.0 : 0.4);
    }

    @SimTest
    void simSmallShapesFp16(SimFixture fixture) {
        // L = 16, W = 4 (sim-small's 64-bit port): head dims 4 (one beat), 8 (stories260K), 24 and 32.
        rounds(fixture, 16, 4, 32, 512, StorageFormat.FP16, new int[] {4, 8, 24, 32}, new int[] {1, 2, 15, 17, 40});
    }

    @SimTest
    void kv260ShapesBf16(SimFixture fixture) {
        // L = 16, W = 8 (a 128-bit port): head dim 96 (bitnet_b1_58-large), 16 and 40 (not a multiple of L).
        rounds(fixture, 16, 8, 96, 4096, StorageFormat.BF16, new int[] {96, 16, 40}, new int[] {1, 2, 17, 33});
    }

    @SimTest
    void oneLaneAndEqualWidth(SimFixture fixture) {
        rounds(fixture, 1, 1, 8, 64, StorageFormat.FP16, new int[] {1, 8}, new int[] {1, 3});
        rounds(fixture, 4, 4, 16, 64, StorageFormat.FP16, new int[] {4, 12}, new int[] {2, 5});
    }
}
