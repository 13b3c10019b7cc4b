package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.attention.AttentionShape;
import dev.tellmej.accel.attention.AttentionUnit;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.model.numerics.ExactOps;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@link AttentionUnit} in Verilator against the AXI memory model holding a KV head, bit for bit against
 * {@code ExactOps.attentionHead} (NUMERICS.md N15) for every slot: decode of one query (MHA), GQA groups sharing
 * the head's K and V, prefill blocks whose tokens attend to consecutive contexts (the causal mask), both at once,
 * contexts 1 to hundreds across many chunks, fp16 and bf16, under random DDR latency, bandwidth caps and output
 * backpressure; refused commands (no slots, too many, context overflow) report their error code and the unit
 * serves the next command; an SLVERR on a K row is reported as DDR_ERROR.
 */
class AttentionUnitTest {
    /** One command: the head's rows (the most any slot needs), the slots' queries, and where it starts. */
    private record Job(int firstPositions, int tokens, int heads, int d, short[] k, short[] v, short[][] q) {
        int lastPositions() {
            return firstPositions + tokens - 1;
        }
    }

    private static final long KEY_BASE = 0x1000;

    private static final class Bench {
        final AttentionShape shape;
        final SimModel sim;
        final AttentionUnit top;
        final AxiMemory memory;
        final List<Integer> doneCodes = new ArrayList<>();
        final StreamDriver commands;
        final StreamDriver queries;
        final StreamMonitor out;
        final long valueBase;

        Bench(SimFixture fixture, AttentionShape shape, AxiMemoryConfig ddr, double outRate) {
            this.shape = shape;
            Design<AttentionUnit> design = Hdl.elaborate(() -> new AttentionUnit(shape));
            this.sim = fixture.open(design);
            this.top = design.top();
            long rowBytes = (long) shape.maxHeadDim() * 2;
            this.valueBase = KEY_BASE + align(rowBytes * shape.context());
            this.memory = sim.axiMemory((int) (valueBase + align(rowBytes * shape.context()) + 4096), ddr);
            memory.attach(top.axi);
            sim.onCycle(new CycleListener() {
                @Override
                public void beforeEdge(SimModel s, long cycle) {
                    if (s.peek(top.done.valid) != 0) {
                        doneCodes.add((int) s.peek(top.done.payload.errorCode()));
                    }
                }
            });
            sim.reset();
            Random random = fixture.random();
            commands = new StreamDriver(sim, top.command, new Random(random.nextLong()), 1.0);
            queries = new StreamDriver(sim, top.queries, new Random(random.nextLong()), 0.5 + random.nextDouble() / 2);
            out = new StreamMonitor(sim, top.out, new Random(random.nextLong()), outRate);
        }

        private static long align(long bytes) {
            return (bytes + 4095) / 4096 * 4096;
        }

        void send(Job job, boolean withQueries) {
            int beats = job.d() / shape.width();
            float scale = (float) (1.0 / StrictMath.sqrt(job.d()));
            commands.push(BigInteger.valueOf(KEY_BASE)
                    .or(BigInteger.valueOf(valueBase).shiftLeft(64))
                    .or(BigInteger.valueOf(job.firstPositions() & 0xFFFFFFFFL).shiftLeft(128))
                    .or(BigInteger.valueOf(job.tokens()).shiftLeft(160))
                    .or(BigInteger.valueOf(job.heads()).shiftLeft(168))
                    .or(BigInteger.valueOf(beats).shiftLeft(176))
                    .or(BigInteger.valueOf(Float.floatToRawIntBits(scale) & 0xFFFFFFFFL).shiftLeft(184)));
            if (withQueries) {
                for (short[] q : job.q()) {
                    for (int b = 0; b < beats; b++) {
                        queries.push(beat(q, b * shape.width(), shape.width()));
                    }
                }
            }
        }

        /** Writes the job's rows into the memory, runs it and checks every slot's output. */
        void run(Job job, StorageFormat storage) {
            MemorySegment bytes = memory.bytes();
            int rowBytes = job.d() * 2;
            for (int t = 0; t < job.lastPositions(); t++) {
                for (int i = 0; i < job.d(); i++) {
                    bytes.set(ValueLayout.JAVA_SHORT_UNALIGNED, KEY_BASE + (long) t * rowBytes + 2L * i,
                            job.k()[t * job.d() + i]);
                    bytes.set(ValueLayout.JAVA_SHORT_UNALIGNED, valueBase + (long) t * rowBytes + 2L * i,
                            job.v()[t * job.d() + i]);
                }
            }
            int beats = job.d() / shape.width();
            int before = out.received().size();
            int dones = doneCodes.size();
            send(job, true);
            int expected = before + job.q().length * beats;
            long work = (long) job.lastPositions() * beats * 2 * job.q().length;
            sim.runUntil(() -> doneCodes.size() > dones, 20_000 + 30 * work);
            assertEquals(List.of(ErrorCode.NONE.code()), doneCodes.subList(dones, doneCodes.size()), "done code");
            assertEquals(expected, out.received().size(), "output beats");
            assertEquals(1, sim.peek(top.idle), "idle after the command");
            float[] k = decode(job.k(), storage);
            float[] v = decode(job.v(), storage);
            int at = before;
            for (int s = 0; s < job.q().length; s++) {
                int n = job.firstPositions() + s / job.heads();
                float[] o = new float[job.d()];
                ExactOps.attentionHead(decode(job.q()[s], storage), 0, k, v, 0, job.d(), n, job.d(),
                        (float) (1.0 / StrictMath.sqrt(job.d())), shape.lanes(), storage, new float[n], o, 0);
                for (int b = 0; b < beats; b++) {
                    BigInteger word = out.received().get(at++);
                    for (int x = 0; x < shape.width(); x++) {
                        int i = b * shape.width() + x;
                        int got = word.shiftRight(16 * x).intValue() & 0xFFFF;
                        assertEquals(storage.encode(o[i]) & 0xFFFF, got, "slot " + s + " (n " + n + ", d " + job.d()
                                + "): element " + i + " (expected " + o[i] + ", got " + storage.decode((short) got)
                                + ")");
                    }
                }
            }
        }

        /** Sends a command the unit must refuse and checks its code; no queries go with it. */
        void refuse(Job job, ErrorCode code) {
            int dones = doneCodes.size();
            send(job, false);
            sim.runUntil(() -> doneCodes.size() > dones, 1_000);
            assertEquals(List.of(code.code()), doneCodes.subList(dones, doneCodes.size()), "refusal code");
            sim.step(5);
            assertEquals(1, sim.peek(top.idle), "idle after a refusal");
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
        float v = switch (random.nextInt(25)) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> (float) (random.nextGaussian() * 1e-6);
            case 3 -> (float) (random.nextGaussian() * 300);
            default -> (float) random.nextGaussian();
        };
        return storage.encode(v);
    }

    private static Job job(Random random, StorageFormat storage, int firstPositions, int tokens, int heads, int d) {
        int rows = firstPositions + tokens - 1;
        short[] k = new short[rows * d];
        short[] v = new short[rows * d];
        for (int t = 0; t < rows; t++) {
            boolean repeat = t > 0 && random.nextInt(8) == 0;
            for (int i = 0; i < d; i++) {
                k[t * d + i] = repeat ? k[(t - 1) * d + i] : value(random, storage);
                v[t * d + i] = value(random, storage);
            }
        }
        short[][] q = new short[tokens * heads][d];
        for (short[] row : q) {
            for (int i = 0; i < d; i++) {
                row[i] = value(random, storage);
            }
        }
        return new Job(firstPositions, tokens, heads, d, k, v, q);
    }

    private static AttentionShape small(StorageFormat storage, int context, int slots, int chunkRows) {
        return new AttentionShape(16, 4, 32, context, slots, chunkRows, storage,
                AxiBurstConfig.of(Axi4Config.of(64), AttentionShape.BURST_BEATS, AttentionShape.OUTSTANDING));
    }

    private static AxiMemoryConfig randomDdr(Random random) {
        return AxiMemoryConfig.DEFAULT.withLatency(1 + random.nextInt(40), 1)
                .withJitter(random.nextInt(8), random.nextLong()).withMaxOutstanding(1 + random.nextInt(6))
                .withBandwidth(random.nextBoolean() ? 0 : 2 + random.nextInt(7));
    }

    @SimTest
    void decodeOfOneQueryAcrossChunks(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = new Bench(fixture, small(StorageFormat.FP16, 256, 4, 8), randomDdr(random), 0.7);
        for (int n : new int[] {1, 2, 7, 8, 9, 15, 17, 33, 100, 256}) {
            bench.run(job(random, StorageFormat.FP16, n, 1, 1, random.nextBoolean() ? 32 : 8), StorageFormat.FP16);
        }
    }

    @SimTest
    void gqaAndPrefillSlotsShareTheRows(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = new Bench(fixture, small(StorageFormat.BF16, 128, 6, 16), randomDdr(random), 1.0);
        bench.run(job(random, StorageFormat.BF16, 40, 1, 4, 32), StorageFormat.BF16);    // GQA: 4 heads of a token
        bench.run(job(random, StorageFormat.BF16, 1, 6, 1, 16), StorageFormat.BF16);     // prefill from position 0
        bench.run(job(random, StorageFormat.BF16, 14, 3, 2, 24), StorageFormat.BF16);    // 3 tokens x 2 heads from 13
        bench.run(job(random, StorageFormat.BF16, 123, 6, 1, 32), StorageFormat.BF16);   // up to the last position
    }

    @SimTest
    void badCommandsAreRefusedAndTheNextOneRuns(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = new Bench(fixture, small(StorageFormat.FP16, 64, 4, 8), AxiMemoryConfig.DEFAULT, 1.0);
        bench.refuse(job(random, StorageFormat.FP16, 62, 4, 1, 8), ErrorCode.CONTEXT_OVERFLOW);
        bench.refuse(new Job(65, 1, 1, 8, new short[0], new short[0], new short[1][8]), ErrorCode.CONTEXT_OVERFLOW);
        bench.refuse(new Job(0x7FFFFFFF, 1, 1, 8, new short[0], new short[0], new short[1][8]),
                ErrorCode.CONTEXT_OVERFLOW);
        bench.refuse(new Job(3, 0, 1, 8, new short[0], new short[0], new short[0][8]), ErrorCode.BAD_FIELD);
        bench.refuse(new Job(3, 5, 1, 8, new short[0], new short[0], new short[5][8]), ErrorCode.BAD_FIELD);
        bench.refuse(new Job(0, 1, 1, 8, new short[0], new short[0], new short[1][8]), ErrorCode.BAD_FIELD);
        bench.run(job(random, StorageFormat.FP16, 61, 4, 1, 32), StorageFormat.FP16);   // reaches position 63
    }
}
