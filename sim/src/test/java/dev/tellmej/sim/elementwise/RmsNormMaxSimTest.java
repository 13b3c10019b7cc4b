package dev.tellmej.sim.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.elementwise.RmsNormMax;
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
 * RMS-MAX in Verilator against the model's {@code ExactOps.rmsNorm} (N13 with the lane-ordered sum of N5) and
 * the absmax of its stored output (N6.1), bit for bit, for L = 1, 2 and 16, with as many physical lanes as
 * partial sums (W = L) and with fewer (W = L/2, L/8, L/4): seeded random tokens (scales from
 * 2^-20 to 2^20, zeros, subnormals, overflowing sums, NaN) and the RMSNorm inputs captured from the
 * stories260K student, all under random stalls on every stream.
 */
class RmsNormMaxSimTest {
    /** One token's case: stored input, stored gains, eps. */
    private record Token(float[] x, float[] gamma, float eps) {}

    @SimTest
    void oneLaneMatchesTheModel(SimFixture fixture) {
        run(fixture, 1, 1, 64, StorageFormat.FP16, 6, true);
    }

    @SimTest
    void twoLanesMatchTheModel(SimFixture fixture) {
        run(fixture, 2, 2, 64, StorageFormat.FP16, 6, true);
    }

    @SimTest
    void twoLanesOnOneMultiplierMatchTheModel(SimFixture fixture) {
        // L/W = 2 rotations, a beat every 3 cycles: the adder's output feeds the next addition directly.
        run(fixture, 2, 1, 64, StorageFormat.FP16, 6, true);
    }

    @SimTest
    void sixteenLanesMatchTheModel(SimFixture fixture) {
        run(fixture, 16, 16, 64, StorageFormat.FP16, 12, true);
    }

    @SimTest
    void sixteenLanesOnTwoMultipliersMatchTheModel(SimFixture fixture) {
        // L/W = 8 rotations, a beat per cycle.
        run(fixture, 16, 2, 64, StorageFormat.FP16, 12, true);
    }

    @SimTest
    void sixteenLanesAtTheBoardWidthWithBfloat16(SimFixture fixture) {
        run(fixture, 16, 4, 1536, StorageFormat.BF16, 3, false);
    }

    private static void run(SimFixture fixture, int lanes, int width, int n, StorageFormat storage, int randomTokens,
            boolean realTokens) {
        Random random = fixture.random();
        List<Token> tokens = new ArrayList<>();
        float eps = 1e-5f;
        for (int t = 0; t < randomTokens; t++) {
            float[] x = Vectors.stored(storage, Vectors.random(random, n));
            if (t == 1) {
                java.util.Arrays.fill(x, 0f);                  // ss = 0: r = rsqrt(eps)
            } else if (t == 2) {
                x[random.nextInt(n)] = storage.round(3e38f);    // squares overflow: ss = inf, r = 0
            } else if (t == 3 && storage == StorageFormat.FP16) {
                x[random.nextInt(n)] = Float.NaN;               // NaN propagates; the absmax is NaN
            }
            float[] gamma = Vectors.stored(storage, Vectors.random(random, n));
            tokens.add(new Token(x, gamma, t % 2 == 0 ? eps : 1e-6f));
        }
        if (n == 64) {
            tokens.addAll(orderSensitive(random, lanes, n, storage, eps));
        }
        if (realTokens) {
            StudentActivations student = StudentActivations.get();
            for (StudentActivations.Norm norm : student.norms) {
                if (norm.in().length == n) {
                    tokens.add(new Token(norm.in(), norm.gamma(), norm.eps()));
                }
            }
        }
        // eps is a steady input: run each distinct eps as its own batch.
        Design<RmsNormMax> design = Hdl.elaborate(() -> new RmsNormMax(lanes, width, n, storage));
        RmsNormMax top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        StreamDriver in = new StreamDriver(sim, top.in, fixture.random(1), 0.8);
        StreamDriver gamma = new StreamDriver(sim, top.gamma, fixture.random(2), 0.7);
        StreamMonitor out = new StreamMonitor(sim, top.out, fixture.random(3), 0.6);
        int beats = n / width;
        int checked = 0;
        for (float batchEps : tokens.stream().map(Token::eps).distinct().toList()) {
            List<Token> batch = tokens.stream().filter(t -> t.eps() == batchEps).toList();
            sim.poke(top.eps, Float.floatToRawIntBits(batchEps) & 0xFFFF_FFFFL);
            for (Token token : batch) {
                for (int b = 0; b < beats; b++) {
                    in.push(beat(storage, token.x(), b, width));
                    gamma.push(beat(storage, token.gamma(), b, width));
                }
            }
            int expectedBeats = checked + batch.size() * beats;
            sim.runUntil(() -> out.count() == expectedBeats, (long) batch.size() * beats * 40 + 2_000);
            List<BigInteger> received = out.received();
            for (int t = 0; t < batch.size(); t++) {
                Token token = batch.get(t);
                float[] expected = new float[n];
                ExactOps.rmsNorm(token.x(), n, token.gamma(), token.eps(), lanes, storage, expected);
                long absMax = Vectors.bits32(Vectors.absMax(expected));
                for (int b = 0; b < beats; b++) {
                    Packed.Reader reader = new Packed.Reader(received.get(checked + t * beats + b));
                    for (int lane = 0; lane < width; lane++) {
                        int i = b * width + lane;
                        long got = reader.next(16);
                        long want = Vectors.bits16(storage, expected[i]);
                        int token1 = t;
                        assertEquals(want, got, () -> String.format("token %d (eps %s), y[%d]: hardware 0x%04X, model 0x%04X",
                                token1, batchEps, i, got, want));
                    }
                    assertEquals(absMax, reader.next(32), "token " + t + ": absmax on beat " + b);
                    assertEquals(b == beats - 1, reader.nextBit(), "last flag on beat " + b);
                }
            }
            checked = expectedBeats;
        }
        sim.step(50);
        assertEquals(checked, out.count(), "nothing extra comes out");
        assertTrue(in.idle() && gamma.idle());
        System.out.printf("RmsNormMax L=%d W=%d n=%d %s: %d tokens bit-exact in %d cycles%n", lanes, width, n, storage,
                tokens.size(), sim.cycle());
    }

    /**
     * Tokens whose stored output changes with the lane count: the sum of squares of N5 rounds differently with
     * other L, and the difference survives storage rounding. They prove the test tells the lane orders apart
     * (most tokens do not: storage rounding absorbs a last-bit change of r).
     */
    private static List<Token> orderSensitive(Random random, int lanes, int n, StorageFormat storage, float eps) {
        List<Token> found = new ArrayList<>();
        for (int attempt = 0; attempt < 200_000 && found.size() < 4; attempt++) {
            float[] x = new float[n];
            float[] gamma = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = storage.round((float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(12) - 6)));
                gamma[i] = storage.round((float) (1 + random.nextGaussian() * 0.1));
            }
            float[] mine = new float[n];
            ExactOps.rmsNorm(x, n, gamma, eps, lanes, storage, mine);
            for (int other : new int[] {1, 2, 16}) {
                float[] theirs = new float[n];
                ExactOps.rmsNorm(x, n, gamma, eps, other, storage, theirs);
                if (other != lanes && !java.util.Arrays.equals(mine, theirs)) {
                    found.add(new Token(x, gamma, eps));
                    break;
                }
            }
        }
        assertEquals(4, found.size(), "tokens whose output depends on the lane order");
        return found;
    }

    /** Beat b of a stored vector: L values of 16 bits, lane 0 least significant. */
    private static BigInteger beat(StorageFormat storage, float[] v, int b, int lanes) {
        Packed packed = new Packed();
        for (int lane = 0; lane < lanes; lane++) {
            packed.add(Vectors.bits16(storage, v[b * lanes + lane]), 16);
        }
        return packed.value();
    }
}
