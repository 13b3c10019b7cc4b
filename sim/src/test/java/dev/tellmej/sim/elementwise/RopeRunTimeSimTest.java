package dev.tellmej.sim.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.elementwise.ElementwiseDesigns;
import dev.tellmej.accel.elementwise.Rope;
import dev.tellmej.accel.elementwise.RopeRunTime;
import dev.tellmej.accel.elementwise.RopeTable;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.numerics.ExactOps;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.Port;
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
import java.util.function.Supplier;

/**
 * RoPE with a run-time head dimension and pair style ({@code Rope.runtime}) in Verilator, bit for bit against
 * N14.2 ({@code ExactOps.rotate}) and the storage rounding (N17.2.3) with the cos and sin the unit's table holds:
 * <ul>
 *   <li>the kv260 unit (L 2, heads up to 96, two table rows) on the stories260K student's 120 captured q and k
 *       vectors (heads of 8, positions 0 to 11) in its own adjacent style, equal to the model's rotated values;
 *       the same vectors half-split, and bypassed ({@code st(x)}); the rows written from the image's table layout
 *       (per position d/2 cos then d/2 sin) as the kernel writes them, each row reloaded for a later position
 *       while the other one is in use;
 *   <li>seeded random vectors of one to three heads at four shapes (L 1, 2, 4, 16; fp16 and bf16): random head
 *       dimensions (multiples of 2L up to the maximum), both styles and bypassed vectors switching from one
 *       vector to the next, a random row per head, random table contents with zeros, ones, infinities and NaNs,
 *       inputs with zeros of both signs, subnormals, infinities, NaNs and products that overflow; rows rewritten
 *       while others are in use; some batches with the N14.1 table of a random head dimension and positions up to
 *       4,000;
 *   <li>without stalls: a head's first result and a steady stream at one beat per cycle, measured;
 *   <li>a {@code head_beats} the unit cannot take stops the simulation.
 * </ul>
 * Random stalls on {@code in} and {@code out}; the run-time inputs are set for each vector as its first beat is
 * offered and are random between vectors. The fixture prints the seed of a failing run.
 */
class RopeRunTimeSimTest {
    @SimTest
    void theStudentsQkOnTheKv260Unit(SimFixture fixture) {
        Bench bench = new Bench(fixture, () -> ElementwiseDesigns.ropeRunTime(AcceleratorConfig.kv260()),
                StorageFormat.FP16, 0.8, 0.7);
        StudentActivations student = StudentActivations.get();
        int d = student.config().headDim();
        float theta = student.config().ropeTheta();
        assertEquals(RopeStyle.ADJACENT, student.config().ropeStyle(), "the student's pair style");
        assertEquals(2, bench.rows, "the kv260 unit holds two rows");
        long[] endOfPosition = new long[StudentActivations.POSITIONS];
        int vectors = 0;
        for (int position = 0; position < StudentActivations.POSITIONS; position++) {
            int row = position % bench.rows;
            // The row held position - 2: reload it once that position's vectors have left.
            if (position >= bench.rows) {
                bench.waitForBeats(endOfPosition[position - bench.rows]);
            }
            bench.writeImageRow(row, imageRow(theta, d, position), d);
            for (StudentActivations.Rotation r : student.rotations) {
                if (r.position() != position) {
                    continue;
                }
                String what = "position " + position + ", vector of " + r.before().length;
                Vector rotated = bench.send(r.before(), d, true, false, row, what + ", adjacent");
                for (int i = 0; i < r.after().length; i++) {
                    assertEquals(Vectors.bits16(StorageFormat.FP16, r.after()[i]), rotated.want()[i],
                            "the reference is the model's rotation: " + what + ", element " + i);
                }
                bench.send(r.before(), d, false, false, row, what + ", half-split");
                bench.send(r.before(), d, true, true, row, what + ", bypassed");
                vectors += 3;
            }
            endOfPosition[position] = bench.beatsSent();
        }
        bench.finish();
        System.out.printf("Rope runtime kv260 on the student (d = %d): %d vectors bit-exact in %d cycles%n", d,
                vectors, bench.sim.cycle());
    }

    @SimTest
    void theKv260UnitOnRandomHeads(SimFixture fixture) {
        random(fixture, () -> ElementwiseDesigns.ropeRunTime(AcceleratorConfig.kv260()), StorageFormat.FP16, 30);
    }

    @SimTest
    void fourLanesThreeRowsOnRandomHeads(SimFixture fixture) {
        random(fixture, () -> Rope.runtime(4, 64, 3, StorageFormat.FP16), StorageFormat.FP16, 40);
    }

    @SimTest
    void oneLaneWithBfloat16OnRandomHeads(SimFixture fixture) {
        random(fixture, () -> Rope.runtime(1, 16, 4, StorageFormat.BF16), StorageFormat.BF16, 60);
    }

    @SimTest
    void sixteenLanesOnRandomHeads(SimFixture fixture) {
        random(fixture, () -> Rope.runtime(16, 128, 2, StorageFormat.FP16), StorageFormat.FP16, 30);
    }

    /** The kernel's unit: four lanes on two physical ones (its RoPE pass feeds a word every other cycle). */
    @SimTest
    void fourLanesOnTwoPhysicalOnRandomHeads(SimFixture fixture) {
        random(fixture, () -> Rope.runtime(4, 2, 96, 8, StorageFormat.FP16), StorageFormat.FP16, 30);
    }

    @SimTest
    void fourLanesOnOnePhysicalWithBfloat16OnRandomHeads(SimFixture fixture) {
        random(fixture, () -> Rope.runtime(4, 1, 32, 2, StorageFormat.BF16), StorageFormat.BF16, 30);
    }

    @SimTest
    void lanesOnHalfThePhysicalLanesTakeABeatEveryOtherCycle(SimFixture fixture) {
        Bench bench = new Bench(fixture, () -> Rope.runtime(4, 2, 96, 8, StorageFormat.FP16), StorageFormat.FP16,
                1.0, 1.0);
        Random random = fixture.random();
        for (int row = 0; row < bench.rows; row++) {
            int pairs = bench.maxHeadDim / 2;
            bench.writeTableRow(row, randomTable(random, pairs), randomTable(random, pairs));
        }
        Timing timing = new Timing(bench);
        int d = bench.maxHeadDim;
        for (int v = 0; v < 6; v++) {
            bench.send(Vectors.random(random, 2 * d), d, v % 2 == 0, v == 5, random.nextInt(bench.rows),
                    "vector " + v);
        }
        bench.finish();
        long span = timing.outs.getLast() - timing.outs.getFirst() + 1;
        System.out.printf("Rope runtime L 4 on 2 physical lanes, heads of %d: %d beats out in %d cycles%n", d,
                timing.outs.size(), span);
        assertEquals(2L * timing.outs.size() - 1, span, "a beat every other cycle");
    }

    @SimTest
    void withoutStallsHeadsFlowAtOneBeatPerCycle(SimFixture fixture) {
        Bench bench = new Bench(fixture, () -> ElementwiseDesigns.ropeRunTime(AcceleratorConfig.kv260()),
                StorageFormat.FP16, 1.0, 1.0);
        Random random = fixture.random();
        for (int row = 0; row < bench.rows; row++) {
            int pairs = bench.maxHeadDim / 2;
            bench.writeTableRow(row, randomTable(random, pairs), randomTable(random, pairs));
        }
        Timing timing = new Timing(bench);
        int d = bench.maxHeadDim;
        int heads = 0;
        for (int v = 0; v < 12; v++) {
            int h = 1 + random.nextInt(3);
            bench.send(Vectors.random(random, h * d), d, v % 3 != 1, v % 4 == 3, random.nextInt(bench.rows),
                    "vector " + v);
            heads += h;
        }
        bench.finish();
        int headBeats = d / bench.lanes;
        long first = timing.outs.getFirst() - timing.ins.getFirst();
        long span = timing.outs.getLast() - timing.outs.getFirst() + 1;
        System.out.printf("Rope runtime kv260 without stalls, heads of %d: first result %d cycles after the first"
                + " beat (head_beats %d + latency %d + %d), %d heads' %d beats out in %d cycles%n", d, first,
                headBeats, bench.top.latency, first - headBeats - bench.top.latency, heads, timing.outs.size(), span);
        assertEquals(headBeats + bench.top.latency + 1, first, "cycles from a head's first beat to its first result");
        assertEquals(timing.outs.size(), span, "one beat per cycle");
        assertEquals(timing.ins.size(), timing.ins.getLast() - timing.ins.getFirst() + 1, "the input never waits");
    }

    @SimTest
    void aHeadBeatsTheUnitCannotTakeStopsTheSimulation(SimFixture fixture) {
        Design<RopeRunTime> design = Hdl.elaborate(() -> Rope.runtime(2, 16, 2, StorageFormat.FP16));
        RopeRunTime top = design.top();
        for (int headBeats : new int[] {3, 0, 10}) {
            SimModel sim = fixture.open(design);
            sim.reset();
            sim.poke(top.runTime.headBeats(), headBeats);
            sim.poke(top.in.valid, true);
            SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(4));
            assertTrue(stop.designMessage().contains("head_beats is even and 2 to 8 while a vector's beats come in"),
                    stop.getMessage());
        }
        SimModel sim = fixture.open(design);
        sim.reset();
        sim.poke(top.runTime.headBeats(), 4);
        sim.poke(top.in.valid, true);
        sim.step(2);
        sim.poke(top.runTime.headBeats(), 6);
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(2));
        assertTrue(stop.designMessage().contains("head_beats stays the same within a head"), stop.getMessage());
    }

    /**
     * Batches of one to four vectors (random head dimension, style, bypass, rows per head) after rewriting one
     * table row, once the vectors that read it have left; every fourth batch a new N14.1 table for one head
     * dimension in every row, used by that batch alone.
     */
    private static void random(SimFixture fixture, Supplier<RopeRunTime> unit, StorageFormat storage, int batches) {
        Bench bench = new Bench(fixture, unit, storage, 0.8, 0.7);
        Random random = fixture.random();
        int half = bench.maxHeadDim / 2;
        long[] rowFree = new long[bench.rows];
        for (int row = 0; row < bench.rows; row++) {
            bench.writeTableRow(row, randomTable(random, half), randomTable(random, half));
        }
        int vectors = 0;
        for (int batch = 0; batch < batches; batch++) {
            int count = 1 + random.nextInt(4);
            if (batch % 4 == 3) {
                // The image's table of one head dimension at random positions: every row rewritten.
                bench.waitForBeats(bench.beatsSent());
                int d = randomHeadDim(random, bench);
                int[] positions = new int[bench.rows];
                for (int row = 0; row < bench.rows; row++) {
                    positions[row] = random.nextInt(4_001);
                    bench.writeImageRow(row, imageRow(10_000f, d, positions[row]), d);
                }
                for (int v = 0; v < count; v++) {
                    int heads = 1 + random.nextInt(3);
                    bench.send(input(random, heads * d), d, random.nextBoolean(), random.nextInt(5) == 0,
                            rowsOf(random, bench, heads), "batch " + batch + " (positions " + Arrays.toString(positions)
                                    + ")");
                }
                Arrays.fill(rowFree, bench.beatsSent());
            } else {
                int row = random.nextInt(bench.rows);
                bench.waitForBeats(rowFree[row]);
                bench.writeTableRow(row, randomTable(random, half), randomTable(random, half));
                for (int v = 0; v < count; v++) {
                    int d = randomHeadDim(random, bench);
                    int heads = 1 + random.nextInt(3);
                    int[] rows = rowsOf(random, bench, heads);
                    bench.send(input(random, heads * d), d, random.nextBoolean(), random.nextInt(5) == 0, rows,
                            "batch " + batch);
                    for (int r : rows) {
                        rowFree[r] = bench.beatsSent();
                    }
                }
            }
            vectors += count;
        }
        bench.finish();
        System.out.printf("Rope runtime L=%d maxd=%d rows=%d %s: %d batches, %d vectors bit-exact in %d cycles%n",
                bench.lanes, bench.maxHeadDim, bench.rows, storage, batches, vectors, bench.sim.cycle());
    }

    /** An even number of beats: d a multiple of 2L up to the maximum (at times the smallest or the largest). */
    private static int randomHeadDim(Random random, Bench bench) {
        int steps = bench.maxHeadDim / (2 * bench.lanes);
        int step = switch (random.nextInt(4)) {
            case 0 -> 1;
            case 1 -> steps;
            default -> 1 + random.nextInt(steps);
        };
        return 2 * bench.lanes * step;
    }

    private static int[] rowsOf(Random random, Bench bench, int heads) {
        int[] rows = new int[heads];
        int row = random.nextInt(bench.rows);
        for (int h = 0; h < heads; h++) {
            rows[h] = random.nextInt(3) == 0 ? random.nextInt(bench.rows) : row;
        }
        return rows;
    }

    /** Vectors' values with, now and then, infinities, NaNs, subnormals and magnitudes whose products overflow. */
    private static float[] input(Random random, int n) {
        float[] x = Vectors.random(random, n);
        if (random.nextInt(3) == 0) {
            float[] specials = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                    Float.intBitsToFloat(0xFFC0_0001), Float.MIN_VALUE, -Float.MIN_NORMAL / 3, Float.MAX_VALUE,
                    -3e38f, 0f, -0f};
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                x[random.nextInt(n)] = specials[random.nextInt(specials.length)];
            }
        }
        return x;
    }

    /** A table half (cos or sin of every pair) of arbitrary binary32 values: the unit must not care. */
    private static float[] randomTable(Random random, int pairs) {
        float[] t = new float[pairs];
        float[] specials = {0f, -0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NaN, Float.MIN_VALUE, 2e38f};
        for (int i = 0; i < pairs; i++) {
            t[i] = switch (random.nextInt(6)) {
                case 0 -> specials[random.nextInt(specials.length)];
                case 1 -> (float) Math.scalb(random.nextGaussian(), random.nextInt(80) - 40);
                default -> (float) (2 * random.nextDouble() - 1);
            };
        }
        return t;
    }

    /** Position {@code p}'s row of the image's table (N14.1): d/2 cos, then d/2 sin, binary32. */
    private static float[] imageRow(float theta, int d, int position) {
        float[] row = new float[d];
        for (int i = 0; i < d / 2; i++) {
            row[i] = RopeTable.cos(theta, d, position, i);
            row[d / 2 + i] = RopeTable.sin(theta, d, position, i);
        }
        return row;
    }

    /** A vector sent: its values, head dimension, style, bypass, each head's row, and the expected stored bits. */
    private record Vector(float[] x, int headDim, boolean adjacent, boolean bypass, int[] rows, long[] want,
            String what, long firstBeat, long endBeat) {}

    /**
     * A run-time RoPE in Verilator: stream drivers, the run-time inputs set per vector as its first beat is
     * offered (random between vectors), the table as the unit holds it, and the reference check.
     */
    private static final class Bench {
        final RopeRunTime top;
        final SimModel sim;
        final int lanes;
        final int maxHeadDim;
        final int rows;
        private final StorageFormat storage;
        private final StreamDriver in;
        private final StreamMonitor out;
        private final float[][] cos;
        private final float[][] sin;
        private final List<Vector> vectors = new ArrayList<>();
        private long beats;
        private int checked;

        Bench(SimFixture fixture, Supplier<RopeRunTime> unit, StorageFormat storage, double inRate, double outRate) {
            Design<RopeRunTime> design = Hdl.elaborate(unit::get);
            top = design.top();
            this.storage = storage;
            lanes = top.in.payload.x().size();
            maxHeadDim = top.maxBeats * lanes;
            rows = top.rows;
            cos = new float[rows][maxHeadDim / 2];
            sin = new float[rows][maxHeadDim / 2];
            sim = fixture.open(design);
            sim.reset();
            in = new StreamDriver(sim, top.in, fixture.random(1), inRate);
            out = new StreamMonitor(sim, top.out, fixture.random(2), outRate);
            Random garbage = fixture.random(3);
            sim.onCycle(new CycleListener() {
                private int cursor;

                @Override
                public void afterEdge(SimModel s, long cycle) {
                    long next = in.sent();
                    while (cursor < vectors.size() && next >= vectors.get(cursor).endBeat()) {
                        cursor++;
                    }
                    RopeRunTime.RunTime inputs = top.runTime;
                    if (cursor < vectors.size()) {
                        Vector v = vectors.get(cursor);
                        s.poke(inputs.headBeats(), v.headDim() / lanes);
                        s.poke(inputs.adjacent(), v.adjacent());
                        s.poke(inputs.bypass(), v.bypass());
                    } else {
                        s.poke(inputs.headBeats(), garbage.nextInt(1 << s.port(inputs.headBeats()).width()));
                        s.poke(inputs.adjacent(), garbage.nextBoolean());
                        s.poke(inputs.bypass(), garbage.nextBoolean());
                    }
                }
            });
        }

        long beatsSent() {
            return beats;
        }

        /** Writes a row's cos and sin of every pair (maxHeadDim/2 each) through {@code table_write}. */
        void writeTableRow(int row, float[] cosRow, float[] sinRow) {
            int words = cosRow.length / lanes;
            for (int sine = 0; sine < 2; sine++) {
                float[] values = sine == 0 ? cosRow : sinRow;
                for (int g = 0; g < words; g++) {
                    writeWord(row, g, sine == 1, Arrays.copyOfRange(values, g * lanes, (g + 1) * lanes));
                }
            }
        }

        /**
         * Writes an image row (d/2 cos, then d/2 sin) as the kernel does: its word k of L values with {@code group
         * = k mod (d/2L)} and {@code sine = k >= d/2L}.
         */
        void writeImageRow(int row, float[] image, int d) {
            int groups = d / (2 * lanes);
            for (int k = 0; k < d / lanes; k++) {
                writeWord(row, k % groups, k >= groups, Arrays.copyOfRange(image, k * lanes, (k + 1) * lanes));
            }
        }

        private void writeWord(int row, int group, boolean sine, float[] values) {
            RopeRunTime.TableWrite w = top.tableWrite.payload;
            Packed packed = new Packed();
            for (float value : values) {
                packed.add(Float.floatToRawIntBits(value) & 0xFFFF_FFFFL, 32);
            }
            sim.poke(top.tableWrite.valid, true);
            sim.poke(w.row(), row);
            sim.poke(w.group(), group);
            sim.poke(w.sine(), sine);
            sim.poke(w.values(), packed.value());
            sim.step();
            sim.poke(top.tableWrite.valid, false);
            System.arraycopy(values, 0, sine ? sin[row] : cos[row], group * lanes, lanes);
        }

        /** Queues one vector (heads of d) with its settings and its expected output from the table as it is now. */
        Vector send(float[] x, int d, boolean adjacent, boolean bypass, int row, String what) {
            int[] headRows = new int[x.length / d];
            Arrays.fill(headRows, row);
            return send(x, d, adjacent, bypass, headRows, what);
        }

        Vector send(float[] x, int d, boolean adjacent, boolean bypass, int[] headRows, String what) {
            assertEquals(0, x.length % d);
            long[] want = new long[x.length];
            float[] pair = new float[2];
            for (int h = 0; h < x.length / d; h++) {
                int base = h * d;
                if (bypass) {
                    for (int i = 0; i < d; i++) {
                        want[base + i] = Vectors.bits16(storage, x[base + i]);
                    }
                    continue;
                }
                for (int i = 0; i < d / 2; i++) {
                    int a = adjacent ? base + 2 * i : base + i;
                    int b = adjacent ? a + 1 : a + d / 2;
                    ExactOps.rotate(x[a], x[b], cos[headRows[h]][i], sin[headRows[h]][i], pair);
                    want[a] = Vectors.bits16(storage, pair[0]);
                    want[b] = Vectors.bits16(storage, pair[1]);
                }
            }
            int beatsOfVector = x.length / lanes;
            int rowBits = sim.port(top.in.payload.row()).width();
            for (int b = 0; b < beatsOfVector; b++) {
                Packed packed = new Packed();
                for (int lane = 0; lane < lanes; lane++) {
                    packed.add(Float.floatToRawIntBits(x[b * lanes + lane]) & 0xFFFF_FFFFL, 32);
                }
                int head = b * lanes / d;
                in.push(packed.add(headRows[head], rowBits).add(b == beatsOfVector - 1).value());
            }
            Vector vector = new Vector(x, d, adjacent, bypass, headRows, want, what + " (d " + d
                    + (bypass ? ", bypassed" : adjacent ? ", adjacent" : ", half-split") + ")", beats,
                    beats + beatsOfVector);
            vectors.add(vector);
            beats += beatsOfVector;
            return vector;
        }

        /** Runs until {@code count} output beats have left, checking every vector complete by then. */
        void waitForBeats(long count) {
            sim.runUntil(() -> out.count() >= count, (count - out.count()) * 20 + 2_000);
            List<BigInteger> received = out.received();
            while (checked < vectors.size() && vectors.get(checked).endBeat() <= received.size()) {
                check(vectors.get(checked), received);
                checked++;
            }
        }

        /** Waits for every vector and checks that nothing more comes out. */
        void finish() {
            waitForBeats(beats);
            sim.step(40);
            assertEquals(beats, out.count(), "nothing extra comes out");
            assertTrue(in.idle(), "every beat was taken");
            assertEquals(vectors.size(), checked);
        }

        private void check(Vector v, List<BigInteger> received) {
            for (long beat = v.firstBeat(); beat < v.endBeat(); beat++) {
                Packed.Reader reader = new Packed.Reader(received.get((int) beat));
                for (int lane = 0; lane < lanes; lane++) {
                    int i = (int) (beat - v.firstBeat()) * lanes + lane;
                    long got = reader.next(16);
                    if (got != v.want()[i]) {
                        int head = i / v.headDim();
                        assertEquals(v.want()[i], got, String.format("%s, head %d (row %d), element %d (x 0x%08X):"
                                + " hardware 0x%04X, reference 0x%04X", v.what(), head, v.rows()[head],
                                i % v.headDim(), Float.floatToRawIntBits(v.x()[i]), got, v.want()[i]));
                    }
                }
                assertEquals(beat == v.endBeat() - 1, reader.nextBit(), v.what() + ": last flag on beat " + beat);
            }
        }
    }

    /** The cycles at which {@code in} and {@code out} transfer. */
    private static final class Timing implements CycleListener {
        final List<Long> ins = new ArrayList<>();
        final List<Long> outs = new ArrayList<>();
        private final Port inValid;
        private final Port inReady;
        private final Port outValid;
        private final Port outReady;

        Timing(Bench bench) {
            inValid = bench.sim.port(bench.top.in.valid);
            inReady = bench.sim.port(bench.top.in.ready);
            outValid = bench.sim.port(bench.top.out.valid);
            outReady = bench.sim.port(bench.top.out.ready);
            bench.sim.onCycle(this);
        }

        @Override
        public void beforeEdge(SimModel sim, long cycle) {
            if (inValid.isHigh() && inReady.isHigh()) {
                ins.add(cycle);
            }
            if (outValid.isHigh() && outReady.isHigh()) {
                outs.add(cycle);
            }
        }
    }
}
