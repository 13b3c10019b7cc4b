package dev.tellmej.sim.tlmm;

import dev.tellmej.accel.tlmm.TlmmConfig;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.ternary.TernaryMatrix;
import dev.tellmej.model.ternary.TlmmReference;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;

class TlmmScratchTest {
    @SimTest
    void cycles(SimFixture fixture) {
        for (TlmmConfig config : new TlmmConfig[] {TlmmConfig.simSmall(), TlmmConfig.kv260()}) {
            long t0 = System.nanoTime();
            Design<TlmmEngine> design = Hdl.elaborate(() -> new TlmmEngine(config));
            SimModel sim = fixture.open(design);
            System.out.printf("%s: build+load %.1f s%n", config.name(), (System.nanoTime() - t0) / 1e9);
            AxiMemory ddr = sim.axiMemory(16 << 20, AxiMemoryConfig.DEFAULT.withLatency(100, 4)
                    .withBandwidth(AxiMemoryConfig.KV260_DDR_BYTES_PER_CYCLE));
            TlmmHarness harness = new TlmmHarness(sim, design.top(), ddr, new Random(1), 1.0, 1.0);
            sim.reset();
            Random random = new Random(2);
            for (int[] shape : new int[][] {{1536, 1536}, {4096, 1536}, {1536, 4096}}) {
                for (int tokens : new int[] {1, 8}) {
                    TernaryMatrix m = TlmmEngineTest.randomMatrix(shape[0], shape[1], random);
                    byte[][] x = TlmmEngineTest.randomActivations(tokens, shape[1], random);
                    long w0 = System.nanoTime();
                    TlmmHarness.Run run = harness.run(m, x);
                    double wall = (System.nanoTime() - w0) / 1e9;
                    int[][] expected = TlmmReference.matMat(m, x);
                    boolean ok = java.util.Arrays.deepEquals(expected, run.accumulators());
                    TlmmLayout layout = new TlmmLayout(config, shape[0], shape[1]);
                    double ddrCycles = layout.bytesRead() / AxiMemoryConfig.KV260_DDR_BYTES_PER_CYCLE;
                    double computeCycles = (double) shape[0] * shape[1] * tokens / config.macsPerCycle();
                    double bound = Math.max(ddrCycles, computeCycles);
                    System.out.printf("%s %dx%d M=%d: %s cycles %d, ddr %.0f, compute %.0f, efficiency %.1f%% (wall %.1f s, %.0f cycles/s)%n",
                            config.name(), shape[0], shape[1], tokens, ok ? "exact" : "MISMATCH", run.cycles(), ddrCycles,
                            computeCycles, 100 * bound / run.cycles(), wall, run.cycles() / wall);
                }
            }
        }
    }
}
