package dev.tellmej.sim.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.elementwise.RmsNormMax;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.numerics.ActivationQuantizer;
import dev.tellmej.model.numerics.ExactOps;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimStopException;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * RMS-MAX with a run-time length ({@code RmsNormMax.runtime}) in Verilator, bit for bit: a normalized token
 * against the model's {@code ExactOps.rmsNorm} with its own n and the absmax of its stored output, a bypassed
 * token against its own input and N6.1's absmax of it (the raw maximum: NaN, canonical, if any value is a NaN
 * of any payload; -0 as +0; no clamp). Seeded random groups of tokens (a group: tokens one after another with
 * the same length, mode and eps, as one QUANTIZE instruction sends them; the settings change between groups)
 * with lengths from W to the maximum, bypassed groups among normalized ones, eps from 0 to 0.25, zeros, infinities
 * and NaNs, under random stalls on the input, the gamma stream and the output; at the kv260 shape also every
 * RMSNorm and every quantization input of the stories260K student, and a run without stalls that measures a
 * token's cycles in both modes. The fixture prints the seed of a failing run.
 */
class RmsNormMaxRunTimeSimTest {
    /** One token: stored x and gains as bit patterns (no gains when bypassed). */
    private record Token(short[] x, short[] gamma) {}

    /** Tokens sent back to back with one setting of the run-time inputs and eps. */
    private record Group(int n, boolean bypass, float eps, List<Token> tokens) {}

    private static final float[] EPS = {1e-5f, 1e-6f, 0f, 0.25f};

    @SimTest
    void boardShapeTakesAnyLengthAndBypassedTokens(SimFixture fixture) {
        Bench bench = new Bench(fixture, 16, 4, 4096, StorageFormat.FP16, 0.8, 0.7, 0.6);
        List<Group> groups = randomGroups(fixture.random(), bench, 14);
        groups.addAll(specialGroups(fixture.random(), bench));
        groups.addAll(studentGroups(bench));
        bench.run(groups);
    }

    @SimTest
    void boardShapeWithoutStallsTakesTwoPassesForABypassedToken(SimFixture fixture) {
        Bench bench = new Bench(fixture, 16, 4, 4096, StorageFormat.FP16, 1.0, 1.0, 1.0);
        Random random = fixture.random();
        int n = 4096;
        long normalized = bench.cyclesPerToken(new Group(n, false, 1e-5f, List.of(bench.normalized(random, n),
                bench.normalized(random, n), bench.normalized(random, n), bench.normalized(random, n))));
        long bypassed = bench.cyclesPerToken(new Group(n, true, 1e-5f, List.of(bench.bypassed(random, n),
                bench.bypassed(random, n), bench.bypassed(random, n), bench.bypassed(random, n))));
        int beats = n / 4;
        System.out.printf("RmsNormMax runtime L=16 W=4 n=%d without stalls: %d cycles per normalized token, %d per"
                + " bypassed token (%s)%n", n, normalized, bypassed, bench.top.passes());
        assertTrue(bypassed <= 2L * beats + 8, "a bypassed token took " + bypassed + " cycles");
        assertTrue(normalized <= (long) beats * bench.top.beatInterval + 2L * beats + 200,
                "a normalized token took " + normalized + " cycles");
        // The absmax must be complete at the first output beat: the largest magnitude (or a NaN) in the last beat,
        // single-beat tokens (the first read right after the only write), and lengths switching between groups.
        List<Group> tight = new ArrayList<>();
        for (short special : new short[] {0x7BFF, (short) 0xFC00, 0x7C01, 0x7E00}) {
            Token token = bench.bypassed(random, 64);
            Arrays.fill(token.x(), (short) 0x3C00);
            token.x()[63] = special;
            tight.add(new Group(64, true, 0f, List.of(token)));
        }
        tight.add(new Group(4, true, 0f, List.of(bench.bypassed(random, 4), bench.bypassed(random, 4))));
        tight.add(new Group(4, false, 1e-5f, List.of(bench.normalized(random, 4), bench.normalized(random, 4))));
        tight.add(new Group(8, true, 0f, List.of(bench.bypassed(random, 8))));
        tight.addAll(randomGroups(random, bench, 6));
        bench.run(tight);
    }

    @SimTest
    void twoPartialsOnOneMultiplierBypassAtABeatPerCycle(SimFixture fixture) {
        // L/W = 2: a normalized token takes a beat every 3 cycles, a bypassed one a beat per cycle.
        Bench bench = new Bench(fixture, 2, 1, 64, StorageFormat.FP16, 0.9, 0.7, 0.6);
        bench.run(randomAndSpecialGroups(fixture.random(), bench, 30));
    }

    @SimTest
    void sixteenLanesAtOnceWithBfloat16(SimFixture fixture) {
        Bench bench = new Bench(fixture, 16, 16, 128, StorageFormat.BF16, 0.8, 0.7, 0.6);
        bench.run(randomAndSpecialGroups(fixture.random(), bench, 30));
    }

    @SimTest
    void oneLane(SimFixture fixture) {
        Bench bench = new Bench(fixture, 1, 1, 32, StorageFormat.FP16, 0.8, 0.7, 0.6);
        bench.run(randomAndSpecialGroups(fixture.random(), bench, 30));
    }

    @SimTest
    void aLengthAboveTheMaximumStopsTheSimulation(SimFixture fixture) {
        Bench bench = new Bench(fixture, 1, 1, 32, StorageFormat.FP16, 1.0, 1.0, 1.0);
        bench.sim.poke(bench.top.runTime().lengthBeats(), 33);
        bench.in.push(0x3C00);
        SimStopException stop = assertThrows(SimStopException.class, () -> bench.sim.step(4));
        assertTrue(stop.designMessage().contains("length_beats is 1 to 32 while a token's beats come in"),
                stop.getMessage());
    }

    private static List<Group> randomAndSpecialGroups(Random random, Bench bench, int count) {
        List<Group> groups = randomGroups(random, bench, count);
        groups.addAll(specialGroups(random, bench));
        return groups;
    }

    /**
     * One token per corner, each its own group of a random length: bypassed, each special pattern of
     * {@link Bench#specials()} once (NaNs of other payloads must give the canonical NaN as absmax), all +0, all
     * -0 (absmax +0: no clamp), only subnormals; normalized, all zeros, an infinity and a NaN.
     */
    private static List<Group> specialGroups(Random random, Bench bench) {
        List<Group> groups = new ArrayList<>();
        for (int special : bench.specials()) {
            int n = bench.width * (1 + random.nextInt(bench.maxN / bench.width));
            Token token = bench.bypassed(random, n, -1);
            token.x()[random.nextInt(n)] = (short) special;
            groups.add(new Group(n, true, 0f, List.of(token)));
        }
        for (int corner = 1; corner <= 3; corner++) {
            int n = bench.width * (1 + random.nextInt(bench.maxN / bench.width));
            groups.add(new Group(n, true, 0f, List.of(bench.bypassed(random, n, corner))));
        }
        for (int corner = 0; corner <= 2; corner++) {
            int n = bench.width * (1 + random.nextInt(bench.maxN / bench.width));
            groups.add(new Group(n, false, EPS[corner], List.of(bench.normalized(random, n, corner))));
        }
        return groups;
    }

    /** Groups of one to three tokens of random length (a multiple of W, at times the shortest or longest). */
    private static List<Group> randomGroups(Random random, Bench bench, int count) {
        List<Group> groups = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            int beats = switch (random.nextInt(5)) {
                case 0 -> 1;
                case 1 -> bench.maxN / bench.width;
                default -> 1 + random.nextInt(bench.maxN / bench.width);
            };
            int n = beats * bench.width;
            boolean bypass = random.nextInt(3) == 0;
            List<Token> tokens = new ArrayList<>();
            for (int t = 1 + random.nextInt(3); t > 0; t--) {
                tokens.add(bypass ? bench.bypassed(random, n) : bench.normalized(random, n));
            }
            groups.add(new Group(n, bypass, EPS[random.nextInt(EPS.length)], tokens));
        }
        return groups;
    }

    /**
     * The student's real vectors: each RMSNorm (normalized, with its gains and eps), and each quantization
     * input (bypassed: its stored x, whose absmax clamped by N6.2 must be the mc the model quantized with).
     */
    private static List<Group> studentGroups(Bench bench) {
        StudentActivations student = StudentActivations.get();
        List<Group> groups = new ArrayList<>();
        for (StudentActivations.Norm norm : student.norms) {
            Token token = new Token(bench.encode(norm.in()), bench.encode(norm.gamma()));
            groups.add(new Group(norm.in().length, false, norm.eps(), List.of(token)));
        }
        for (StudentActivations.Quantization quantization : student.quantizations) {
            float[] x = Vectors.padded(quantization.x(), bench.width);
            float m = Vectors.absMax(x);
            float clamped = m > ActivationQuantizer.EPS || Float.isNaN(m) ? m : ActivationQuantizer.EPS;
            assertEquals(Float.floatToIntBits(quantization.mc()), Float.floatToIntBits(clamped),
                    "N6.2's clamp of the raw absmax is the model's mc");
            groups.add(new Group(x.length, true, 0f, List.of(new Token(bench.encode(x), null))));
        }
        return groups;
    }

    /** A run-time RMS-MAX in Verilator with its stream drivers, and the reference check of its output. */
    private static final class Bench {
        final RmsNormMax top;
        final SimModel sim;
        final StreamDriver in;
        final int width;
        final int maxN;
        private final int lanes;
        private final StorageFormat storage;
        private final StreamDriver gamma;
        private final StreamMonitor out;
        private long gammaBeats;
        private int checked;

        Bench(SimFixture fixture, int lanes, int width, int maxN, StorageFormat storage, double inRate,
                double gammaRate, double outRate) {
            Design<RmsNormMax> design = Hdl.elaborate(() -> RmsNormMax.runtime(lanes, width, maxN, storage));
            this.top = design.top();
            this.lanes = lanes;
            this.width = width;
            this.maxN = maxN;
            this.storage = storage;
            sim = fixture.open(design);
            sim.reset();
            in = new StreamDriver(sim, top.in, fixture.random(1), inRate);
            gamma = new StreamDriver(sim, top.gamma, fixture.random(2), gammaRate);
            out = new StreamMonitor(sim, top.out, fixture.random(3), outRate);
        }

        /** A token to normalize: stored x of one of Vectors' shapes (now and then zeros, an infinity, a NaN). */
        Token normalized(Random random, int n) {
            return normalized(random, n, random.nextInt(8));
        }

        /** A token to normalize; {@code corner} 0: all zeros, 1: an infinity, 2: a NaN, other: none. */
        Token normalized(Random random, int n, int corner) {
            float[] x = Vectors.stored(storage, Vectors.random(random, n));
            switch (corner) {
                case 0 -> Arrays.fill(x, random.nextBoolean() ? 0f : -0f);   // ss = 0: r = rsqrt(eps)
                case 1 -> x[random.nextInt(n)] = storage.round(3e38f);       // a square overflows: r = 0
                case 2 -> x[random.nextInt(n)] = Float.NaN;
                default -> { }
            }
            return new Token(encode(x), encode(Vectors.stored(storage, Vectors.random(random, n))));
        }

        /**
         * A token to bypass: stored values with, now and then, patterns the unit's own rounding never makes
         * (NaNs of other payloads and signs), infinities, subnormals and signed zeros, or all zeros.
         */
        Token bypassed(Random random, int n) {
            return bypassed(random, n, random.nextInt(8));
        }

        /**
         * A token to bypass; {@code corner} 0: one special pattern, 1: all +0, 2: all -0, 3: only subnormals,
         * other: none.
         */
        Token bypassed(Random random, int n, int corner) {
            short[] x = encode(Vectors.stored(storage, Vectors.random(random, n)));
            int[] specials = specials();
            switch (corner) {
                case 0 -> x[random.nextInt(n)] = (short) specials[random.nextInt(specials.length)];
                case 1 -> Arrays.fill(x, (short) 0);
                case 2 -> Arrays.fill(x, (short) 0x8000);
                case 3 -> {
                    for (int i = 0; i < n; i++) {
                        x[i] = (short) ((random.nextBoolean() ? 0x8000 : 0) | random.nextInt(0x100));  // subnormals
                    }
                }
                default -> { }
            }
            return new Token(x, null);
        }

        /**
         * Stored patterns for bypassed tokens: infinities, NaNs of other payloads and signs (which the unit's own
         * rounding never makes), the largest finite value, the smallest subnormal, -0.
         */
        int[] specials() {
            return storage == StorageFormat.FP16
                    ? new int[] {0x7C00, 0xFC00, 0x7C01, 0x7E55, 0xFE00, 0x7BFF, 0x0001, 0x8000}
                    : new int[] {0x7F80, 0xFF80, 0x7F81, 0x7FC1, 0xFFC0, 0x7F7F, 0x0001, 0x8000};
        }

        short[] encode(float[] v) {
            short[] bits = new short[v.length];
            for (int i = 0; i < v.length; i++) {
                bits[i] = storage.encode(v[i]);
            }
            return bits;
        }

        /** Sends each group with its settings, once the previous group has left, and checks every output beat. */
        void run(List<Group> groups) {
            int tokens = 0;
            for (Group group : groups) {
                send(group);
                tokens += group.tokens().size();
            }
            sim.step(50);
            assertEquals(checked, out.count(), "nothing extra comes out");
            assertTrue(in.idle() && gamma.idle(), "every beat was taken");
            System.out.printf("RmsNormMax runtime L=%d W=%d maxN=%d %s: %d groups, %d tokens bit-exact in %d"
                    + " cycles%n", lanes, width, maxN, storage, groups.size(), tokens, sim.cycle());
        }

        /** The cycles a group takes per token, from its first beat offered to its last beat out. */
        long cyclesPerToken(Group group) {
            long start = sim.cycle();
            send(group);
            return (sim.cycle() - start) / group.tokens().size();
        }

        private void send(Group group) {
            int n = group.n();
            int beats = n / width;
            RmsNormMax.RunTime inputs = top.runTime();
            sim.poke(inputs.lengthBeats(), beats);
            sim.poke(inputs.invN(), Float.floatToRawIntBits((float) (1.0 / n)) & 0xFFFF_FFFFL);
            sim.poke(inputs.bypass(), group.bypass());
            sim.poke(top.eps, Float.floatToRawIntBits(group.eps()) & 0xFFFF_FFFFL);
            for (Token token : group.tokens()) {
                assertEquals(n, token.x().length);
                for (int b = 0; b < beats; b++) {
                    in.push(beat(token.x(), b));
                    if (!group.bypass()) {
                        gamma.push(beat(token.gamma(), b));
                        gammaBeats++;
                    }
                }
            }
            int expected = checked + group.tokens().size() * beats;
            sim.runUntil(() -> out.count() == expected, (long) (expected - checked) * 40 + 2_000);
            assertEquals(gammaBeats, gamma.sent(), "gamma beats taken: one per beat of a normalized token only");
            List<BigInteger> received = out.received();
            for (int t = 0; t < group.tokens().size(); t++) {
                int first = checked + t * beats;
                check(group, t, received.subList(first, first + beats));
            }
            checked = expected;
        }

        private void check(Group group, int t, List<BigInteger> beats) {
            Token token = group.tokens().get(t);
            int n = group.n();
            float[] x = decode(token.x());
            long[] want = new long[n];
            float[] values;
            if (group.bypass()) {
                values = x;
                for (int i = 0; i < n; i++) {
                    want[i] = token.x()[i] & 0xFFFFL;
                }
            } else {
                values = new float[n];
                ExactOps.rmsNorm(x, n, decode(token.gamma()), group.eps(), lanes, storage, values);
                for (int i = 0; i < n; i++) {
                    want[i] = Vectors.bits16(storage, values[i]);
                }
            }
            long absMax = Vectors.bits32(Vectors.absMax(values));
            String what = String.format("token %d of a group of n = %d, %s, eps %s", t, n,
                    group.bypass() ? "bypassed" : "normalized", group.eps());
            for (int b = 0; b < beats.size(); b++) {
                Packed.Reader reader = new Packed.Reader(beats.get(b));
                for (int lane = 0; lane < width; lane++) {
                    int i = b * width + lane;
                    long got = reader.next(16);
                    if (got != want[i]) {
                        assertEquals(want[i], got, String.format("%s, y[%d] (x 0x%04X): hardware 0x%04X, reference"
                                + " 0x%04X", what, i, token.x()[i], got, want[i]));
                    }
                }
                long gotMax = reader.next(32);
                if (gotMax != absMax) {
                    assertEquals(absMax, gotMax, String.format("%s: absmax on beat %d: hardware 0x%08X, reference"
                            + " 0x%08X", what, b, gotMax, absMax));
                }
                assertEquals(b == beats.size() - 1, reader.nextBit(), what + ": last flag on beat " + b);
            }
        }

        private float[] decode(short[] bits) {
            float[] v = new float[bits.length];
            for (int i = 0; i < bits.length; i++) {
                v[i] = storage.decode(bits[i]);
            }
            return v;
        }

        /** Beat b: W values of 16 bits, lane 0 least significant. */
        private BigInteger beat(short[] v, int b) {
            Packed packed = new Packed();
            for (int lane = 0; lane < width; lane++) {
                packed.add(v[b * width + lane] & 0xFFFFL, 16);
            }
            return packed.value();
        }
    }
}
