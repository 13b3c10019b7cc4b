package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.attention.AttentionShape;
import dev.tellmej.accel.attention.AttentionUnit;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@link AttentionUnit} in Verilator against the AXI memory model holding a KV head, bit for bit against
 * {@code ExactOps.attentionHead} (NUMERICS.md N15) for every slot: decode of one query (MHA), GQA groups sharing
 * the head's K and V, prefill blocks whose tokens attend to consecutive contexts (the causal mask), both at once,
 * a block that continues a cache, contexts 1 to the build's maximum across many chunks, head dimensions 8 to 96,
 * fp16 and bf16, under random DDR latency, bandwidth caps, query stalls and output backpressure. Refused
 * commands (no slots, too many, no positions, a context beyond the maximum) report their error code and the unit
 * serves the next command; an SLVERR on a K row is reported as DDR_ERROR and the next command is exact again.
 */
class AttentionUnitTest {
    private record Bench(SimModel sim, AttentionShape shape, AttentionRunner runner, AxiMemory memory) {
        static Bench open(SimFixture fixture, AttentionShape shape, AxiMemoryConfig ddr, double outReady) {
            return open(fixture, shape, ddr, outReady, 1);
        }

        /** A unit with room in its DDR model for {@code heads} KV heads ({@link AttentionRunner#runAll}). */
        static Bench open(SimFixture fixture, AttentionShape shape, AxiMemoryConfig ddr, double outReady, int heads) {
            Design<AttentionUnit> design = Hdl.elaborate(() -> new AttentionUnit(shape));
            SimModel sim = fixture.open(design);
            AxiMemory memory = sim.axiMemory((int) AttentionRunner.memoryBytes(shape, heads), ddr);
            Random random = fixture.random();
            AttentionRunner runner = new AttentionRunner(sim, design.top(), memory, random,
                    0.5 + random.nextDouble() / 2, outReady);
            sim.reset();
            return new Bench(sim, shape, runner, memory);
        }

        void check(AttentionRunner.Job job) {
            runner.load(job);
            long work = (long) job.lastPositions() * (job.headDim() / shape.width()) * 2 * job.queries().length;
            AttentionRunner.Run run = runner.run(job, 20_000 + 40 * work);
            assertEquals(ErrorCode.NONE.code(), run.doneCode(), "done code");
            for (int s = 0; s < job.queries().length; s++) {
                assertArrayEquals(AttentionRunner.expected(job, s, shape.lanes(), shape.storage()), run.outputs()[s],
                        "slot " + s + " of " + job.queries().length + " (" + job.positions(s) + " positions, d "
                                + job.headDim() + ")");
            }
            assertEquals(1, sim.peek(runner.idle()), "idle after the command");
        }

        /** Runs the jobs back to back and checks each one's code and outputs; returns the runs. */
        List<AttentionRunner.Run> checkAll(List<AttentionRunner.Job> jobs, List<ErrorCode> codes) {
            long work = 0;
            for (AttentionRunner.Job job : jobs) {
                work += (long) job.lastPositions() * (job.headDim() / shape.width()) * 2 * job.queries().length;
            }
            List<AttentionRunner.Run> runs = runner.runAll(jobs, 20_000L * jobs.size() + 40 * work);
            for (int i = 0; i < jobs.size(); i++) {
                AttentionRunner.Job job = jobs.get(i);
                AttentionRunner.Run run = runs.get(i);
                assertEquals(codes.get(i).code(), run.doneCode(), "done code of command " + i);
                if (codes.get(i) != ErrorCode.NONE) {
                    continue;
                }
                for (int s = 0; s < job.queries().length; s++) {
                    assertArrayEquals(AttentionRunner.expected(job, s, shape.lanes(), shape.storage()),
                            run.outputs()[s], "command " + i + ", slot " + s + " of " + job.queries().length + " ("
                                    + job.positions(s) + " positions, d " + job.headDim() + ")");
                }
            }
            assertEquals(1, sim.peek(runner.idle()), "idle after the commands");
            return runs;
        }

        void refuse(AttentionRunner.Job job, ErrorCode code) {
            assertEquals(code.code(), runner.refuse(job), "refusal of " + job.firstPositions() + " positions, "
                    + job.tokens() + " tokens, " + job.heads() + " heads");
            sim.step(5);
            assertEquals(1, sim.peek(runner.idle()), "idle after a refusal");
        }
    }

    /**
     * The small unit the fp16 tests share (one Verilator build): two ports a pass (a pass beat of 8 values, chunks
     * 0, 2, ... on the first port of a pass and 1, 3, ... on the second), context 256, 4 slots, chunks of 8 rows.
     */
    private static AttentionShape twoPorts() {
        return small(StorageFormat.FP16, 2, 256, 4, 8, false);
    }

    /** A small unit with one port a pass. */
    private static AttentionShape small(StorageFormat storage, int context, int slots, int chunkRows) {
        return small(storage, 1, context, slots, chunkRows, false);
    }

    private static AttentionShape small(StorageFormat storage, int ports, int context, int slots, int chunkRows,
            boolean serialTrees) {
        return new AttentionShape(16, 4, ports, 32, context, slots, chunkRows, storage,
                AxiBurstConfig.of(Axi4Config.of(64), AttentionShape.BURST_BEATS, AttentionShape.OUTSTANDING),
                serialTrees);
    }

    private static AxiMemoryConfig randomDdr(Random random) {
        return AxiMemoryConfig.DEFAULT.withLatency(1 + random.nextInt(40), 1)
                .withJitter(random.nextInt(8), random.nextLong()).withMaxOutstanding(1 + random.nextInt(6))
                .withBandwidth(random.nextBoolean() ? 0 : 2 + random.nextInt(7));
    }

    private static AttentionRunner.Job empty(int firstPositions, int tokens, int heads) {
        return new AttentionRunner.Job(firstPositions, tokens, heads, 8, new short[0], new short[0],
                new short[Math.max(0, tokens * heads)][8]);
    }

    @SimTest
    void decodeOfOneQueryAcrossChunks(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = Bench.open(fixture, twoPorts(), randomDdr(random), 0.7);
        // Heads of 8, 2, 3, 5, 1 and 7 beats: with two ports a pass, an odd count leaves the last pass beat half
        // past the row.
        int[] dims = {32, 8, 12, 20, 4, 28};
        int[] contexts = {1, 2, 7, 8, 9, 15, 17, 33, 100, 256};
        for (int i = 0; i < contexts.length; i++) {
            bench.check(AttentionRunner.randomJob(random, StorageFormat.FP16, contexts[i], 1, 1, dims[i % dims.length]));
        }
    }

    @SimTest
    void gqaAndPrefillSlotsShareTheRows(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = Bench.open(fixture, small(StorageFormat.BF16, 128, 6, 16), randomDdr(random), 1.0);
        bench.check(AttentionRunner.randomJob(random, StorageFormat.BF16, 40, 1, 4, 32));   // GQA: a token's 4 heads
        bench.check(AttentionRunner.randomJob(random, StorageFormat.BF16, 1, 6, 1, 16));    // prefill from position 0
        bench.check(AttentionRunner.randomJob(random, StorageFormat.BF16, 14, 3, 2, 24));   // 3 tokens x 2 heads at 13
        bench.check(AttentionRunner.randomJob(random, StorageFormat.BF16, 123, 6, 1, 32));  // up to the last position
        bench.check(AttentionRunner.randomJob(random, StorageFormat.BF16, 17, 5, 1, 4));    // N_pe - 1 tokens, d = W
    }

    /**
     * The serial trees (the score pass's one adder a level, a row every 8 cycles; the value pass's four first-level
     * adders, an element every 2 cycles, fed while the next beat is gathered): heads of 1 to 8 beats a row (the
     * short ones padded to 8), GQA and prefill blocks, each output bit for bit with N15.
     */
    @SimTest
    void theSerialTreesAreExactAtEveryHeadSize(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = Bench.open(fixture, small(StorageFormat.BF16, 1, 128, 6, 16, true), randomDdr(random), 0.8);
        for (int d : new int[] {4, 8, 16, 24, 32}) {
            bench.check(AttentionRunner.randomJob(random, StorageFormat.BF16, 1 + random.nextInt(60), 1, 1, d));
        }
        bench.check(AttentionRunner.randomJob(random, StorageFormat.BF16, 40, 1, 4, 32));   // GQA
        bench.check(AttentionRunner.randomJob(random, StorageFormat.BF16, 14, 3, 2, 8));    // prefill x GQA, short rows
        bench.check(AttentionRunner.randomJob(random, StorageFormat.BF16, 123, 6, 1, 32));  // to the last position
    }

    @SimTest
    void badCommandsAreRefusedAndTheNextOneRuns(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = Bench.open(fixture, twoPorts(), AxiMemoryConfig.DEFAULT, 1.0);
        bench.refuse(empty(254, 4, 1), ErrorCode.CONTEXT_OVERFLOW);
        bench.refuse(empty(257, 1, 1), ErrorCode.CONTEXT_OVERFLOW);
        bench.refuse(empty(0x7FFFFFFF, 1, 1), ErrorCode.CONTEXT_OVERFLOW);
        bench.refuse(empty(3, 0, 1), ErrorCode.BAD_FIELD);
        bench.refuse(empty(3, 1, 0), ErrorCode.BAD_FIELD);
        bench.refuse(empty(3, 5, 1), ErrorCode.BAD_FIELD);
        bench.refuse(empty(3, 3, 3), ErrorCode.BAD_FIELD);
        bench.refuse(empty(0, 1, 1), ErrorCode.BAD_FIELD);
        bench.check(AttentionRunner.randomJob(random, StorageFormat.FP16, 253, 4, 1, 32));  // reaches position 255
    }

    /**
     * Commands sent back to back, so the score pass of each runs beside the value pass of the one before: decode
     * heads, GQA groups and prefill blocks of half the slots (they run beside one another), blocks of more than
     * half (they wait until the value side is free), refused commands among them (each done comes in its turn,
     * after the commands before it), every output bit for bit, under random DDR latency and output backpressure.
     */
    @SimTest
    void commandsBackToBackAreEachExactAndFinishInOrder(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = Bench.open(fixture, twoPorts(), randomDdr(random), 0.7, 12);
        List<AttentionRunner.Job> jobs = new ArrayList<>();
        List<ErrorCode> codes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int kind = i == 5 ? 9 : i == 8 ? 10 : random.nextInt(4);
            int first = 1 + random.nextInt(kind == 0 ? 256 : 120);
            int d = random.nextBoolean() ? 32 : 16;
            switch (kind) {
                case 9 -> jobs.add(refused(257, 1, 1));                  // beyond the context
                case 10 -> jobs.add(refused(3, 5, 1));                   // more slots than the unit has
                case 1 -> jobs.add(AttentionRunner.randomJob(random, StorageFormat.FP16, first, 1, 2, d));  // GQA
                case 2 -> jobs.add(AttentionRunner.randomJob(random, StorageFormat.FP16, first, 2, 1, d));  // block
                case 3 -> jobs.add(AttentionRunner.randomJob(random, StorageFormat.FP16, first, 3, 1, d));  // > half
                default -> jobs.add(AttentionRunner.randomJob(random, StorageFormat.FP16, first, 1, 1, d)); // decode
            }
            codes.add(kind == 9 ? ErrorCode.CONTEXT_OVERFLOW : kind == 10 ? ErrorCode.BAD_FIELD : ErrorCode.NONE);
        }
        bench.checkAll(jobs, codes);
    }

    /**
     * The overlap is real: eight decode heads back to back take at most three quarters of the cycles they take one
     * at a time (the score pass of each beside the value pass of the one before), with the same outputs.
     */
    @SimTest
    void backToBackHeadsOverlapTheirPasses(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = Bench.open(fixture, twoPorts(), AxiMemoryConfig.DEFAULT, 1.0, 8);
        List<AttentionRunner.Job> jobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            jobs.add(AttentionRunner.randomJob(random, StorageFormat.FP16, 100, 1, 1, 32));
        }
        long alone = 0;
        for (AttentionRunner.Job job : jobs) {
            bench.runner.load(job);
            alone += bench.runner.run(job, 100_000).cycles();
        }
        List<AttentionRunner.Run> runs = bench.checkAll(jobs, java.util.Collections.nCopies(8, ErrorCode.NONE));
        long together = runs.getLast().cycles();
        assertTrue(together * 4 <= alone * 3, "8 heads back to back took " + together + " cycles, one at a time "
                + alone);
    }

    /**
     * A V row answered SLVERR fails only its own command, while the commands before and after it, whose passes
     * run beside its own, finish exact.
     */
    @SimTest
    void aFailedValueReadFailsOnlyItsCommand(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = Bench.open(fixture, twoPorts(),
                AxiMemoryConfig.DEFAULT.withLatency(5, 1), 1.0, 3);
        List<AttentionRunner.Job> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jobs.add(AttentionRunner.randomJob(random, StorageFormat.FP16, 40, 1, 1, 32));
        }
        bench.memory.injectError(bench.runner.valueAddress(1) + 20L * 64, 64, AxiMemory.ErrorResponse.SLVERR);
        bench.checkAll(jobs, List.of(ErrorCode.NONE, ErrorCode.DDR_ERROR, ErrorCode.NONE));
    }

    private static AttentionRunner.Job refused(int firstPositions, int tokens, int heads) {
        return new AttentionRunner.Job(firstPositions, tokens, heads, 8, new short[0], new short[0], new short[0][]);
    }

    @SimTest
    void aFailedKeyReadIsReportedAndTheNextCommandIsExact(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = Bench.open(fixture, twoPorts(),
                AxiMemoryConfig.DEFAULT.withLatency(5, 1), 1.0);
        AttentionRunner.Job job = AttentionRunner.randomJob(random, StorageFormat.FP16, 20, 2, 1, 32);
        bench.runner.load(job);
        bench.memory.injectError(bench.runner.keyAddress() + 10L * 64, 64, AxiMemory.ErrorResponse.SLVERR);
        assertEquals(ErrorCode.DDR_ERROR.code(), bench.runner.run(job, 100_000).doneCode(), "a K row answered SLVERR");
        bench.check(AttentionRunner.randomJob(random, StorageFormat.FP16, 9, 1, 1, 32));   // rows before the fault
    }

    /**
     * kv260's unit (W = 8 on the 128-bit port, 8 slots, d up to 96, score buffer for 4,096 positions per slot):
     * the bitnet_b1_58-large head (96) in decode and in a prefill block, and a context at the build's maximum.
     */
    @SimTest
    void kv260Unit(SimFixture fixture) {
        Random random = fixture.random();
        AttentionShape shape = AttentionShape.of(AcceleratorConfig.kv260());
        Bench bench = Bench.open(fixture, shape, randomDdr(random), 0.8);
        bench.check(AttentionRunner.randomJob(random, StorageFormat.FP16, 70, 1, 1, 96));
        bench.check(AttentionRunner.randomJob(random, StorageFormat.FP16, 31, 8, 1, 96));
        bench.check(AttentionRunner.randomJob(random, StorageFormat.FP16, 9, 7, 1, 96));
        bench.check(AttentionRunner.randomJob(random, StorageFormat.FP16, shape.context(), 1, 1, 96));
    }
}
