package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.attention.KvCacheWriter;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@link KvCacheWriter} in Verilator against the AXI memory model: tokens' K and V rows for random layers, kinds
 * and positions land exactly where {@link KvCacheLayout} says, for the kv260 and sim-small ports, under random
 * DDR latency, bandwidth caps and producer stalls; one done per command; an injected SLVERR is reported on the
 * command it hit and nowhere else.
 */
class KvCacheWriterTest {
    /** A token's rows for one layer and kind, and the memory they should end up in. */
    private record Write(int layer, int kind, int position, byte[][] rows) {}

    private static final class Bench {
        final SimModel sim;
        final KvCacheWriter top;
        final AxiMemory memory;
        final KvCacheLayout layout;
        final int beatBytes;
        final List<Boolean> doneErrors = new ArrayList<>();

        Bench(SimFixture fixture, AcceleratorConfig config, KvCacheLayout layout, AxiMemoryConfig ddr) {
            AxiBurstConfig bursts = KvCacheWriter.bursts(config);
            Design<KvCacheWriter> design = Hdl.elaborate(() -> new KvCacheWriter(bursts));
            this.sim = fixture.open(design);
            this.top = design.top();
            this.layout = layout;
            this.beatBytes = bursts.axi().dataBytes();
            this.memory = sim.axiMemory(Math.max(1 << 16, layout.totalBytes() + 4096), ddr);
            memory.attach(top.axi);
            sim.onCycle(new CycleListener() {
                @Override
                public void beforeEdge(SimModel s, long cycle) {
                    if (s.peek(top.done.valid) != 0) {
                        doneErrors.add(s.peek(top.done.payload.error()) != 0);
                    }
                }
            });
            sim.reset();
        }

        /** Sends the writes at the given producer rates and waits for every done. */
        void run(List<Write> writes, Random random, double commandRate, double rowRate) {
            StreamDriver commands = new StreamDriver(sim, top.command, new Random(random.nextLong()), commandRate);
            StreamDriver rows = new StreamDriver(sim, top.rows, new Random(random.nextLong()), rowRate);
            long stride = layout.rowOffset(0, 1 % layout.kvHeads(), 0, 0) - layout.rowOffset(0, 0, 0, 0);
            int rowBeats = (int) (layout.rowBytes() / beatBytes);
            for (Write w : writes) {
                long address = layout.rowOffset(w.layer(), 0, w.kind(), w.position());
                commands.push(BigInteger.valueOf(address)
                        .or(BigInteger.valueOf(layout.kvHeads() == 1 ? 0 : stride).shiftLeft(64))
                        .or(BigInteger.valueOf(layout.kvHeads()).shiftLeft(96))
                        .or(BigInteger.valueOf(rowBeats).shiftLeft(104)));
                for (byte[] row : w.rows()) {
                    for (int b = 0; b < rowBeats; b++) {
                        byte[] beat = new byte[beatBytes];
                        System.arraycopy(row, b * beatBytes, beat, 0, beatBytes);
                        rows.push(littleEndian(beat));
                    }
                }
            }
            int expected = doneErrors.size() + writes.size();
            sim.runUntil(() -> doneErrors.size() >= expected && commands.idle() && rows.idle(),
                    20_000 + 400L * writes.size() * layout.kvHeads());
            sim.step(20);
            assertEquals(expected, doneErrors.size(), "one done per command");
            assertEquals(1, sim.peek(top.idle), "idle after the last acknowledgement");
        }

        /** Checks every row of {@code writes} (the last write of a place wins) and nothing else was touched. */
        void check(List<Write> writes, byte[] before) {
            byte[] expected = before.clone();
            for (Write w : writes) {
                for (int h = 0; h < w.rows().length; h++) {
                    long at = layout.rowOffset(w.layer(), h, w.kind(), w.position());
                    System.arraycopy(w.rows()[h], 0, expected, (int) at, w.rows()[h].length);
                }
            }
            byte[] actual = memory.bytes().asSlice(0, expected.length).toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < expected.length; i++) {
                if (actual[i] != expected[i]) {
                    throw new AssertionError("KV cache differs first at byte " + i + ": expected " + (expected[i] & 0xff)
                            + ", got " + (actual[i] & 0xff));
                }
            }
        }
    }

    private static BigInteger littleEndian(byte[] bytes) {
        byte[] big = new byte[bytes.length + 1];
        for (int i = 0; i < bytes.length; i++) {
            big[bytes.length - i] = bytes[i];
        }
        return new BigInteger(big);
    }

    private static List<Write> randomWrites(Random random, KvCacheLayout layout, int count) {
        List<Write> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[][] rows = new byte[layout.kvHeads()][(int) layout.rowBytes()];
            for (byte[] row : rows) {
                random.nextBytes(row);
            }
            out.add(new Write(random.nextInt(layout.layers()), random.nextInt(2), random.nextInt(layout.positions()),
                    rows));
        }
        return out;
    }

    private static void randomRounds(SimFixture fixture, AcceleratorConfig config, KvCacheLayout layout, int rounds) {
        Random random = fixture.random();
        for (int round = 0; round < rounds; round++) {
            AxiMemoryConfig ddr = AxiMemoryConfig.DEFAULT.withLatency(1 + random.nextInt(60), 1 + random.nextInt(40))
                    .withJitter(random.nextInt(11), random.nextLong()).withMaxOutstanding(1 + random.nextInt(6))
                    .withBandwidth(random.nextBoolean() ? 0 : 4 + random.nextInt(12));
            Bench bench = new Bench(fixture, config, layout, ddr);
            byte[] before = bench.memory.bytes().asSlice(0, layout.totalBytes()).toArray(ValueLayout.JAVA_BYTE);
            List<Write> writes = randomWrites(random, layout, 40);
            bench.run(writes, random, 0.3 + 0.7 * random.nextDouble(), random.nextBoolean() ? 1.0 : 0.5);
            bench.check(writes, before);
            assertTrue(bench.doneErrors.stream().noneMatch(e -> e), "no error without an injected one");
            bench.sim.close();
        }
    }

    /** kv260's 128-bit port with its model shape scaled down: 4 layers, 16 KV heads of 96, 64 positions. */
    @SimTest
    void kv260RowsLandWhereTheLayoutSays(SimFixture fixture) {
        randomRounds(fixture, AcceleratorConfig.kv260(), new KvCacheLayout(4, 16, 96, 64, 2), 3);
    }

    /** sim-small's 64-bit port with the stories260K shape: 5 layers, 4 KV heads of 8, 128 positions. */
    @SimTest
    void simSmallRowsLandWhereTheLayoutSays(SimFixture fixture) {
        randomRounds(fixture, AcceleratorConfig.simSmall(), new KvCacheLayout(5, 4, 8, 128, 2), 3);
    }

    /** One KV head (MHA of one head): the stride is never used. */
    @SimTest
    void aSingleHeadPerCommand(SimFixture fixture) {
        randomRounds(fixture, AcceleratorConfig.simSmall(), new KvCacheLayout(2, 1, 32, 16, 2), 1);
    }

    @SimTest
    void aFailedWriteIsReportedOnItsCommand(SimFixture fixture) {
        KvCacheLayout layout = new KvCacheLayout(2, 4, 8, 32, 2);
        Bench bench = new Bench(fixture, AcceleratorConfig.simSmall(), layout, AxiMemoryConfig.DEFAULT.withLatency(3, 5));
        Random random = fixture.random();
        List<Write> writes = randomWrites(random, layout, 6);
        Write victim = writes.get(3);
        long failing = layout.rowOffset(victim.layer(), 2, victim.kind(), victim.position());
        bench.memory.injectError(failing, layout.rowBytes(), AxiMemory.ErrorResponse.SLVERR);
        bench.run(writes, random, 1.0, 1.0);
        List<Boolean> expected = new ArrayList<>();
        for (Write w : writes) {
            boolean hit = false;
            for (int h = 0; h < layout.kvHeads(); h++) {
                long at = layout.rowOffset(w.layer(), h, w.kind(), w.position());
                hit |= at < failing + layout.rowBytes() && failing < at + layout.rowBytes();
            }
            expected.add(hit);
        }
        assertEquals(expected, bench.doneErrors, "the error is reported on the command whose row failed");
    }
}
