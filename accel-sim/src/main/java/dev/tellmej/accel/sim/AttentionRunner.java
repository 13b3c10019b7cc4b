package dev.tellmej.accel.sim;

import dev.tellmej.accel.attention.AttentionShape;
import dev.tellmej.accel.attention.AttentionUnit;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.model.numerics.ExactOps;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs commands on a simulated {@link AttentionUnit}: writes a KV head's K and V rows into the DDR model, sends
 * the command and the slots' queries, collects each slot's output and the done code, and counts the cycles.
 * {@link #expected} gives what NUMERICS.md N15 says a slot's output is ({@code ExactOps.attentionHead}). Used by
 * the unit's tests and by {@code tellme bench attention}.
 */
public final class AttentionRunner {
    /** Where the head's K rows start in the DDR model; its V rows follow after the whole context's K rows. */
    public static final long KEY_BASE = 0x1000;

    /**
     * One command's data: slot {@code token x heads + head} attends to {@code firstPositions + token} positions.
     *
     * @param firstPositions positions the first token attends to (its position + 1)
     * @param tokens         consecutive tokens
     * @param heads          query heads per token
     * @param headDim        d, a multiple of the unit's W
     * @param keys           stored K rows, position-major ({@code lastPositions() x d}, or more)
     * @param values         stored V rows, the same shape
     * @param queries        each slot's stored query (d values)
     */
    public record Job(int firstPositions, int tokens, int heads, int headDim, short[] keys, short[] values,
                      short[][] queries) {
        /** Positions the last slot attends to: the rows the unit reads. */
        public int lastPositions() {
            return firstPositions + tokens - 1;
        }

        /** Positions slot {@code s} attends to. */
        public int positions(int slot) {
            return firstPositions + slot / heads;
        }
    }

    /**
     * A command's result.
     *
     * @param outputs   each slot's output (d stored values), in slot order; empty when refused, meaningless after
     *                  a DDR error
     * @param doneCode  the {@link dev.tellmej.accel.protocol.ErrorCode} value of {@code done}
     * @param cycles    cycles from the command's acceptance to {@code done}
     * @param bytesRead bytes the unit read from the DDR model
     */
    public record Run(short[][] outputs, int doneCode, long cycles, long bytesRead) {}

    private final SimModel sim;
    private final AttentionUnit top;
    private final AttentionShape shape;
    private final AxiMemory ddr;
    private final long valueBase;
    private final StreamDriver commands;
    private final StreamDriver queries;
    private final StreamMonitor out;
    private final List<Integer> doneCodes = new ArrayList<>();
    private final List<Long> doneCycles = new ArrayList<>();

    /**
     * Attaches the DDR model (at least {@link #memoryBytes} bytes) to the unit's port and drivers to its streams.
     *
     * @param queryValid probability that a query beat is offered in a cycle
     * @param outReady   probability that an output beat is taken in a cycle
     */
    public AttentionRunner(SimModel sim, AttentionUnit top, AxiMemory ddr, Random random, double queryValid,
                           double outReady) {
        this.sim = sim;
        this.top = top;
        this.shape = top.shape;
        this.ddr = ddr;
        this.valueBase = valueBase(shape);
        top.keyAxi.forEach(ddr::attach);
        top.valueAxi.forEach(ddr::attach);
        this.commands = new StreamDriver(sim, top.command, new Random(random.nextLong()), 1.0);
        this.queries = new StreamDriver(sim, top.queries, new Random(random.nextLong()), queryValid);
        this.out = new StreamMonitor(sim, top.out, new Random(random.nextLong()), outReady);
        sim.onCycle(new CycleListener() {
            @Override
            public void beforeEdge(SimModel s, long cycle) {
                if (s.peek(top.done.valid) != 0) {
                    doneCodes.add((int) s.peek(top.done.payload.errorCode()));
                    doneCycles.add(cycle);
                }
            }
        });
    }

    private static long valueBase(AttentionShape shape) {
        return KEY_BASE + align((long) shape.maxHeadDim() * 2 * shape.context());
    }

    private static long align(long bytes) {
        return (bytes + 4095) / 4096 * 4096;
    }

    /** Bytes of DDR model a unit of {@code shape} needs: a whole context of K rows and of V rows. */
    public static long memoryBytes(AttentionShape shape) {
        return memoryBytes(shape, 1);
    }

    /**
     * Bytes of DDR model for {@code heads} KV heads ({@link #runAll}): head i's K rows at {@link #keyAddress(int)},
     * its V rows after them, each a whole context.
     */
    public static long memoryBytes(AttentionShape shape, int heads) {
        return KEY_BASE + 2L * heads * align((long) shape.maxHeadDim() * 2 * shape.context()) + 4096;
    }

    private long region() {
        return valueBase - KEY_BASE;
    }

    /** The unit's {@code idle} output. */
    public dev.tellmej.hdl.Bool idle() {
        return top.idle;
    }

    /** The byte address of the first K row (a test may inject errors there). */
    public long keyAddress() {
        return KEY_BASE;
    }

    /** The byte address of KV head {@code head}'s first K row in {@link #runAll}'s layout. */
    public long keyAddress(int head) {
        return KEY_BASE + 2 * head * region();
    }

    /** The byte address of KV head {@code head}'s first V row in {@link #runAll}'s layout. */
    public long valueAddress(int head) {
        return keyAddress(head) + region();
    }

    /** Writes the job's K and V rows at the addresses the commands name. */
    public void load(Job job) {
        load(job, 0);
    }

    private void load(Job job, int head) {
        MemorySegment bytes = ddr.bytes();
        int d = job.headDim();
        int rows = Math.min(job.lastPositions(), job.keys().length / d);   // none for a command to be refused
        for (int t = 0; t < rows; t++) {
            for (int i = 0; i < d; i++) {
                long offset = (long) t * d * 2 + 2L * i;
                bytes.set(ValueLayout.JAVA_SHORT_UNALIGNED, keyAddress(head) + offset, job.keys()[t * d + i]);
                bytes.set(ValueLayout.JAVA_SHORT_UNALIGNED, valueAddress(head) + offset, job.values()[t * d + i]);
            }
        }
    }

    /**
     * Loads each job as its own KV head (job i at {@link #keyAddress(int) keyAddress(i)}, the DDR model holding
     * {@link #memoryBytes(AttentionShape, int)}), sends all their commands and queries at once, the unit taking
     * each when it can, and collects every done code and output. A job with no queries is sent as a command the
     * unit must refuse. The cycles of each run count from the first command's send to the job's done.
     */
    public List<Run> runAll(List<Job> jobs, long maxCycles) {
        return runAll(jobs, java.util.stream.IntStream.range(0, jobs.size()).boxed().toList(), maxCycles);
    }

    /**
     * {@link #runAll(List, long)} with job i on KV head {@code heads.get(i)}: the jobs of one head share its rows
     * (the blocks of a prompt), the one reaching furthest is loaded.
     */
    public List<Run> runAll(List<Job> jobs, List<Integer> heads, long maxCycles) {
        int before = out.received().size();
        int dones = doneCodes.size();
        long start = sim.cycle();
        long bytesBefore = ddr.counters().bytesRead();
        java.util.Map<Integer, Job> furthest = new java.util.TreeMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            furthest.merge(heads.get(i), jobs.get(i), (x, y) -> y.lastPositions() > x.lastPositions() ? y : x);
        }
        furthest.forEach((head, job) -> load(job, head));
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            send(job, heads.get(i), job.queries().length > 0);
        }
        sim.runUntil(() -> doneCodes.size() >= dones + jobs.size(), maxCycles);
        if (doneCodes.size() < dones + jobs.size()) {
            throw new IllegalStateException("the attention unit finished " + (doneCodes.size() - dones) + " of "
                    + jobs.size() + " commands within " + maxCycles + " cycles");
        }
        List<Run> runs = new java.util.ArrayList<>();
        int at = before;
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            int code = doneCodes.get(dones + i);
            boolean refused = code == ErrorCode.BAD_FIELD.code() || code == ErrorCode.CONTEXT_OVERFLOW.code();
            int beats = refused ? 0 : job.queries().length * (job.headDim() / shape.width());
            int from = at;
            sim.runUntil(() -> out.received().size() >= from + beats, 1_000);
            runs.add(new Run(collect(job, from, refused), code, doneCycles.get(dones + i) - start,
                    i == jobs.size() - 1 ? ddr.counters().bytesRead() - bytesBefore : 0));
            at += beats;
        }
        if (out.received().size() != at) {
            throw new IllegalStateException("the unit sent " + (out.received().size() - before) + " output beats, "
                    + (at - before) + " expected");
        }
        return runs;
    }

    private short[][] collect(Job job, int from, boolean refused) {
        int beats = job.headDim() / shape.width();
        short[][] outputs = new short[refused ? 0 : job.queries().length][job.headDim()];
        for (int s = 0; s < outputs.length; s++) {
            for (int b = 0; b < beats; b++) {
                BigInteger word = out.received().get(from + s * beats + b);
                for (int x = 0; x < shape.width(); x++) {
                    outputs[s][b * shape.width() + x] = (short) word.shiftRight(16 * x).intValue();
                }
            }
        }
        return outputs;
    }

    /** Runs {@code job} (its rows already {@link #load loaded}) and returns the outputs, the code and the cycles. */
    public Run run(Job job, long maxCycles) {
        int beats = job.headDim() / shape.width();
        int before = out.received().size();
        int dones = doneCodes.size();
        long start = sim.cycle();
        long bytesBefore = ddr.counters().bytesRead();
        send(job, 0, true);
        sim.runUntil(() -> doneCodes.size() > dones, maxCycles);
        if (doneCodes.size() <= dones) {
            throw new IllegalStateException("the attention unit did not finish within " + maxCycles + " cycles");
        }
        int code = doneCodes.get(dones);
        long cycles = doneCycles.get(dones) - start;
        // A refused command sends nothing; a taken one sends every slot's output (meaningless after DDR_ERROR).
        boolean refused = code == ErrorCode.BAD_FIELD.code() || code == ErrorCode.CONTEXT_OVERFLOW.code();
        int expectedBeats = refused ? 0 : job.queries().length * beats;
        sim.runUntil(() -> out.received().size() >= before + expectedBeats, 1_000);
        short[][] outputs = collect(job, before, refused);
        if (out.received().size() != before + expectedBeats) {
            throw new IllegalStateException("the unit sent " + (out.received().size() - before) + " output beats, "
                    + expectedBeats + " expected");
        }
        return new Run(outputs, code, cycles, ddr.counters().bytesRead() - bytesBefore);
    }

    /** Sends a command without its queries (one the unit must refuse) and returns its done code. */
    public int refuse(Job job) {
        int dones = doneCodes.size();
        send(job, 0, false);
        sim.runUntil(() -> doneCodes.size() > dones, 1_000);
        if (doneCodes.size() <= dones) {
            throw new IllegalStateException("the attention unit neither refused nor took the command");
        }
        return doneCodes.get(dones);
    }

    private void send(Job job, int head, boolean withQueries) {
        int beats = job.headDim() / shape.width();
        commands.push(BigInteger.valueOf(keyAddress(head))
                .or(BigInteger.valueOf(valueAddress(head)).shiftLeft(64))
                .or(BigInteger.valueOf(job.firstPositions() & 0xFFFFFFFFL).shiftLeft(128))
                .or(BigInteger.valueOf(job.tokens() & 0xFF).shiftLeft(160))
                .or(BigInteger.valueOf(job.heads() & 0xFF).shiftLeft(168))
                .or(BigInteger.valueOf(beats & 0xFF).shiftLeft(176))
                .or(BigInteger.valueOf(Float.floatToRawIntBits(scale(job.headDim())) & 0xFFFFFFFFL).shiftLeft(184)));
        if (withQueries) {
            for (short[] q : job.queries()) {
                for (int b = 0; b < beats; b++) {
                    BigInteger word = BigInteger.ZERO;
                    for (int x = shape.width() - 1; x >= 0; x--) {
                        word = word.shiftLeft(16).or(BigInteger.valueOf(q[b * shape.width() + x] & 0xFFFF));
                    }
                    queries.push(word);
                }
            }
        }
    }

    /** The score scale C = 1 / sqrt(d) the commands carry (binary32). */
    public static float scale(int headDim) {
        return (float) (1.0 / StrictMath.sqrt(headDim));
    }

    /** Slot {@code slot}'s output by N15: {@code ExactOps.attentionHead} over the positions it attends to. */
    public static short[] expected(Job job, int slot, int lanes, StorageFormat storage) {
        int n = job.positions(slot);
        int d = job.headDim();
        float[] o = new float[d];
        ExactOps.attentionHead(decode(job.queries()[slot], storage), 0, decode(job.keys(), storage),
                decode(job.values(), storage), 0, d, n, d, scale(d), lanes, storage, new float[n], o, 0);
        short[] stored = new short[d];
        for (int i = 0; i < d; i++) {
            stored[i] = storage.encode(o[i]);
        }
        return stored;
    }

    private static float[] decode(short[] stored, StorageFormat storage) {
        float[] out = new float[stored.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = storage.decode(stored[i]);
        }
        return out;
    }

    /**
     * A job of random stored values: mostly Gaussian, with zeros of both signs, tiny and large magnitudes, and
     * repeated key rows (ties in the maximum).
     */
    public static Job randomJob(Random random, StorageFormat storage, int firstPositions, int tokens, int heads,
                                int headDim) {
        int rows = firstPositions + tokens - 1;
        short[] k = new short[rows * headDim];
        short[] v = new short[rows * headDim];
        for (int t = 0; t < rows; t++) {
            boolean repeat = t > 0 && random.nextInt(8) == 0;
            for (int i = 0; i < headDim; i++) {
                k[t * headDim + i] = repeat ? k[(t - 1) * headDim + i] : value(random, storage);
                v[t * headDim + i] = value(random, storage);
            }
        }
        short[][] q = new short[tokens * heads][headDim];
        for (short[] row : q) {
            for (int i = 0; i < headDim; i++) {
                row[i] = value(random, storage);
            }
        }
        return new Job(firstPositions, tokens, heads, headDim, k, v, q);
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
}
