package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.tlmm.TlmmCommand;
import dev.tellmej.accel.tlmm.TlmmConfig;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.ternary.TernaryMatrix;
import dev.tellmej.model.ternary.TlmmIndex;
import dev.tellmej.model.ternary.TlmmReference;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The TLMM engine in Verilator, bit-exact against the model's TLMM reference (NUMERICS.md N7): several
 * (T, Q, P) configurations, awkward shapes, extreme activations, zero rows and columns, several tiles and
 * token chunks, random DDR latency and output backpressure, and the full-size shapes of bitnet_b1_58-large.
 */
class TlmmEngineTest {
    /** T = 5, Q = 4, two 64-bit ports (two words a cycle each), a small buffer so tiles alternate. */
    /** The sim-small engine with activation room for 4,096 inputs: the full-size shapes at T = 5, Q = 4. */
    static final TlmmConfig SIM_WIDE = new TlmmConfig("sim-wide", 5, 4, 2, 64, 5, 16384, 4, 274, 128, 16, 4);
    static final TlmmConfig SIM_SMALL = AcceleratorConfig.simSmall().tlmmConfig();
    /** The KV260's DDR peak in bytes per cycle of a 250 MHz kernel (76.8): more than the sim-small ports take. */
    static final double KV260_DDR_AT_250_MHZ = AcceleratorConfig.kv260().memory().ddrPeakGBps() * 1000 / 250;
    static final TlmmConfig SMALL_TILES = new TlmmConfig("small-tiles", 5, 4, 2, 64, 5, 128, 3, 40, 32, 16, 4);
    /** T = 28 (two buffer words per index word), Q = 2 on one 128-bit port. */
    static final TlmmConfig WIDE_TABLES = new TlmmConfig("wide-tables", 28, 2, 1, 128, 28, 256, 2, 16, 64, 16, 2);
    /** T = 8, Q = 4 on four 32-bit ports, one word a cycle each. */
    static final TlmmConfig NARROW_PORTS = new TlmmConfig("narrow-ports", 8, 4, 4, 32, 4, 256, 2, 16, 64, 16, 4);

    static TernaryMatrix randomMatrix(int rows, int cols, Random random) {
        return TernaryMatrix.random(rows, cols, 1f, random);
    }

    /** Random int8 activations, with a share of the extremes -128 and 127. */
    static byte[][] randomActivations(int tokens, int cols, Random random) {
        byte[][] x = new byte[tokens][cols];
        for (byte[] token : x) {
            random.nextBytes(token);
            for (int i = 0; i < cols; i++) {
                int pick = random.nextInt(10);
                if (pick == 0) {
                    token[i] = -128;
                } else if (pick == 1) {
                    token[i] = 127;
                }
            }
        }
        return x;
    }

    private record Setup(SimModel sim, TlmmRunner harness) {}

    private static Setup open(SimFixture fixture, TlmmConfig config, AxiMemoryConfig memory, double activationValid,
            double resultReady) {
        Design<TlmmEngine> design = Hdl.elaborate(() -> new TlmmEngine(config));
        SimModel sim = fixture.open(design);
        AxiMemory ddr = sim.axiMemory(8 << 20, memory);
        TlmmRunner harness = new TlmmRunner(sim, design.top(), ddr, fixture.random(), activationValid, resultReady);
        sim.reset();
        return new Setup(sim, harness);
    }

    private static void check(TlmmRunner harness, TernaryMatrix m, byte[][] x, String what) {
        TlmmRunner.Run run = harness.run(m, x);
        int[][] expected = TlmmReference.matMat(m, x);
        for (int t = 0; t < x.length; t++) {
            assertArrayEquals(expected[t], run.accumulators()[t], what + ", token " + t);
        }
    }

    @SimTest
    void awkwardShapesExtremesAndZeroRowsAndColumnsAreExact(SimFixture fixture) {
        for (TlmmConfig config : new TlmmConfig[] {SIM_SMALL, WIDE_TABLES, NARROW_PORTS}) {
            Setup setup = open(fixture, config, AxiMemoryConfig.DEFAULT.withLatency(24, 4).withJitter(16, fixture.seed()),
                    0.8, 0.6);
            Random random = fixture.random(config.tables());
            int block = config.blockInputs();
            int[][] shapes = {{1, 1}, {5, block}, {config.columns() * 3 + 1, block + 1}, {13, 3 * block - 2}, {9, 2}};
            for (int[] shape : shapes) {
                TernaryMatrix m = randomMatrix(shape[0], shape[1], random);
                check(setup.harness(), m, randomActivations(1, shape[1], random),
                        config.name() + " " + shape[0] + "x" + shape[1]);
            }
            // A zero row, a zero column, and all activations at the extremes.
            TernaryMatrix m = randomMatrix(12, 2 * block + 4, random);
            byte[] indices = m.indices().clone();
            int groups = m.groups();
            for (int g = 0; g < groups; g++) {
                indices[3 * groups + g] = 0;
            }
            for (int r = 0; r < m.rows(); r++) {
                int[] w = {TlmmIndex.weight(indices[r * groups + 1], 0), TlmmIndex.weight(indices[r * groups + 1], 1),
                        TlmmIndex.weight(indices[r * groups + 1], 2)};
                indices[r * groups + 1] = (byte) TlmmIndex.encode(w[0], 0, w[2]);
            }
            TernaryMatrix zeros = new TernaryMatrix(m.rows(), m.cols(), groups, indices, 1f);
            byte[][] extremes = new byte[2][m.cols()];
            java.util.Arrays.fill(extremes[0], (byte) -128);
            java.util.Arrays.fill(extremes[1], (byte) 127);
            check(setup.harness(), zeros, extremes, config.name() + " zero row and column, extreme activations");
            TernaryMatrix ones = new TernaryMatrix(m.rows(), m.cols(), groups, filled(m.rows() * groups,
                    TlmmIndex.encode(-1, -1, -1)), 1f);
            check(setup.harness(), ones, extremes, config.name() + " all -1 weights (largest accumulators)");
        }
    }

    private static byte[] filled(int n, int index) {
        byte[] out = new byte[n];
        java.util.Arrays.fill(out, (byte) index);
        return out;
    }

    /**
     * Issue 19's trace: a command whose full tiles ask each port for 49 beats but only 2 index words. Port w0
     * takes its 2 words while its later bursts are still stalled; the engine used to start the next tile on it at
     * once, so those bursts' data landed in the next load. Now the port drains them before it is done, the
     * engine reports the error, and the next, consistent, command on the same engine is exact.
     */
    @SimTest
    void anInconsistentCommandSetsTheErrorAndNeverCorruptsTheNextLoad(SimFixture fixture) {
        Setup setup = open(fixture, SMALL_TILES, AxiMemoryConfig.DEFAULT.withLatency(30, 4).withJitter(20, fixture.seed()),
                0.9, 0.9);
        Random random = fixture.random(19);
        TernaryMatrix m = randomMatrix(130, 100, random);
        assertTrue(new TlmmLayout(SMALL_TILES, 130, 100).tiles() >= 3);
        byte[][] x = randomActivations(2, 100, random);
        TlmmRunner.Run bad = setup.harness().run(m, x, c -> new TlmmCommand(c.address(), c.blocks(),
                c.lastBlockClass(), c.tokens(), c.tiles(), c.tileGroups(), c.lastTileGroups(), c.regionStride(), 49,
                c.beatsLast(), 2, c.wordsLast()));
        assertTrue(bad.error(), "49 beats for 2 words is reported as an error");
        TlmmRunner.Run good = setup.harness().run(m, x);
        assertTrue(!good.error(), "the error is cleared by the next command");
        int[][] expected = TlmmReference.matMat(m, x);
        for (int t = 0; t < x.length; t++) {
            assertArrayEquals(expected[t], good.accumulators()[t], "the command after the inconsistent one, token " + t);
        }
    }

    @SimTest
    void severalTilesAndTokenChunksUnderBackpressure(SimFixture fixture) {
        Setup setup = open(fixture, SMALL_TILES, AxiMemoryConfig.DEFAULT.withLatency(40, 4).withJitter(30, fixture.seed())
                .withBandwidth(6.5), 0.5, 0.3);
        Random random = fixture.random(11);
        TernaryMatrix m = randomMatrix(130, 100, random);
        TlmmLayout layout = new TlmmLayout(SMALL_TILES, 130, 100);
        assertTrue(layout.tiles() >= 3, "tiles: " + layout.tiles());
        check(setup.harness(), m, randomActivations(8, 100, random), "130x100, 8 tokens in chunks of 3");
        check(setup.harness(), m, randomActivations(1, 100, random), "130x100 again, one token");
        TernaryMatrix other = randomMatrix(9, 40, random);
        check(setup.harness(), other, randomActivations(4, 40, random), "a second matrix after the first");
    }

    @SimTest
    void bitnetLargeShapesAtSmallTAndQ(SimFixture fixture) {
        Setup setup = open(fixture, SIM_WIDE, AxiMemoryConfig.DEFAULT.withLatency(60, 4)
                .withJitter(20, fixture.seed()).withBandwidth(KV260_DDR_AT_250_MHZ), 1.0, 0.9);
        Random random = fixture.random(13);
        for (int[] shape : new int[][] {{1536, 1536}, {4096, 1536}, {1536, 4096}}) {
            TernaryMatrix m = randomMatrix(shape[0], shape[1], random);
            check(setup.harness(), m, randomActivations(1, shape[1], random), shape[0] + "x" + shape[1]);
        }
    }

    @SimTest
    void randomShapesTokensAndStallsStayExact(SimFixture fixture) {
        for (TlmmConfig config : new TlmmConfig[] {SMALL_TILES, NARROW_PORTS}) {
            Random random = fixture.random(config.ports());
            Setup setup = open(fixture, config, AxiMemoryConfig.DEFAULT.withLatency(1 + random.nextInt(50), 4)
                    .withJitter(40, fixture.seed()).withMaxOutstanding(1 + random.nextInt(4)),
                    0.2 + 0.8 * random.nextDouble(), 0.2 + 0.8 * random.nextDouble());
            for (int round = 0; round < 25; round++) {
                int rows = 1 + random.nextInt(60);
                int cols = 1 + random.nextInt(config.maxBlocks() * config.blockInputs() / 2);
                int tokens = 1 + random.nextInt(2 * config.maxTokens());
                TernaryMatrix m = randomMatrix(rows, cols, random);
                check(setup.harness(), m, randomActivations(tokens, cols, random),
                        config.name() + " round " + round + ": " + rows + "x" + cols + ", " + tokens + " tokens");
            }
        }
    }

    @SimTest
    void theEngineIsIdleBetweenCommandsAndCountsItsCycles(SimFixture fixture) {
        Setup setup = open(fixture, SIM_SMALL, AxiMemoryConfig.DEFAULT, 1.0, 1.0);
        Random random = fixture.random(17);
        TernaryMatrix m = randomMatrix(16, 60, random);
        TlmmRunner.Run first = setup.harness().run(m, randomActivations(1, 60, random));
        TlmmRunner.Run second = setup.harness().run(m, randomActivations(1, 60, random));
        assertTrue(first.cycles() > 0 && second.cycles() > 0);
        assertEquals(first.cycles(), second.cycles(), 8, "the same product takes the same time");
    }

    /**
     * Running ahead (docs/tlmm.md): products back to back, each next one prefetched while the one before runs, with
     * random DDR latency and backpressure, several tiles, token chunks and one-tile matrices: every product exact,
     * and the sequence faster than without the prefetches. A prefetch that the next command is not (it is
     * discarded, its tile possibly still streaming in), and a drop at the end, leave the next products exact.
     */
    @SimTest
    void prefetchedProductsBackToBackAreExactAndFaster(SimFixture fixture) {
        for (TlmmConfig config : new TlmmConfig[] {SMALL_TILES, SIM_SMALL}) {
            Random random = fixture.random(13 + config.ports());
            List<TernaryMatrix> ms = new ArrayList<>();
            List<byte[][]> xs = new ArrayList<>();
            int[][] shapes = {{130, 100}, {12, 40}, {70, 2 * config.blockInputs() + 3}, {40, 100}, {9, 7}};
            int[] tokens = {1, 2 * config.maxTokens() + 1, 1, 3, 1};
            for (int i = 0; i < shapes.length; i++) {
                ms.add(randomMatrix(shapes[i][0], shapes[i][1], random));
                xs.add(randomActivations(tokens[i], shapes[i][1], random));
            }
            long[] cycles = new long[2];
            for (int pass = 0; pass < 2; pass++) {
                boolean prefetch = pass == 1;
                Setup setup = open(fixture, config, AxiMemoryConfig.DEFAULT.withLatency(40, 4)
                        .withJitter(30, fixture.seed()), 0.9, 0.8);
                int[] during = prefetch ? new int[] {1, 2, 3, 4, -1} : new int[] {-1, -1, -1, -1, -1};
                List<TlmmRunner.Run> runs = setup.harness().runSequence(ms, xs, during, false);
                checkAll(ms, xs, runs, config.name() + (prefetch ? " prefetched" : " in turn"));
                cycles[pass] = runs.getFirst().cycles();
                if (prefetch) {
                    // Prefetches the next command is not: the tile read for it is dropped when another command
                    // comes, and the last one by the drop.
                    List<TlmmRunner.Run> wrong = setup.harness().runSequence(ms, xs, new int[] {2, 4, 0, -1, 1}, true);
                    checkAll(ms, xs, wrong, config.name() + " wrong prefetches");
                    assertEquals(0, setup.sim().peek(setup.harness().top().loading));
                    checkAll(ms, xs, setup.harness().runSequence(ms, xs, during, false), config.name() + " after");
                }
            }
            assertTrue(cycles[1] < cycles[0], config.name() + ": " + cycles[1] + " cycles prefetched, " + cycles[0]
                    + " in turn");
        }
    }

    private static void checkAll(List<TernaryMatrix> ms, List<byte[][]> xs, List<TlmmRunner.Run> runs, String what) {
        for (int i = 0; i < ms.size(); i++) {
            int[][] expected = TlmmReference.matMat(ms.get(i), xs.get(i));
            for (int t = 0; t < xs.get(i).length; t++) {
                assertArrayEquals(expected[t], runs.get(i).accumulators()[t], what + ", product " + i + ", token " + t);
            }
        }
    }
}
