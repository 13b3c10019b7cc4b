package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.AxiBurstWriter;

/**
 * Writes one token's K (or V) rows into the KV cache in DDR, one row per KV head, at the addresses of
 * {@code dev.tellmej.accel.protocol.KvCacheLayout}: a command names the first head's row address and the stride
 * between heads ({@code 2 x positions x rowBytes} in that layout), the head count and the beats per row; the
 * rows follow on {@link #rows}, head by head, each {@code rowBeats} full beats of the port (a row is
 * {@code headDim} stored values, so {@code headDim x 2} must be a multiple of the beat's bytes, which the
 * configuration checks). The library's {@link AxiBurstWriter} does the bursts, one command per row.
 *
 * <p>{@link #done} pulses once per command, when every row of it has been acknowledged, with {@code error} set if
 * any burst was answered with SLVERR or DECERR; a BARRIER waits for it before attention reads the cache.
 * Commands may follow one another before the previous one is done (up to {@link #COMMANDS_IN_FLIGHT}).
 *
 * <p>Two processes: {@link RowIssue} cuts a command into one writer command per head; {@link Completion}
 * counts the writer's acknowledgements against each command's head count. Named
 * {@code KvCacheWriter_w<data bits>_b<burst beats>_o<outstanding>}.
 */
public final class KvCacheWriter extends Module {
    /** Commands accepted but not yet done, at most. */
    public static final int COMMANDS_IN_FLIGHT = 4;

    /**
     * One token's rows of one layer and kind.
     *
     * @param address    byte address of KV head 0's row (beat-aligned), 64 bits
     * @param headStride bytes from one head's row to the next head's, 32 bits
     * @param heads      rows to write (KV heads), at least 1
     * @param rowBeats   full beats per row, at least 1
     */
    public record Command(UInt address, UInt headStride, UInt heads, UInt rowBeats) {}

    /** A command done: {@code error} when a burst of it failed. */
    public record Done(Bool error) {}

    public final Stream<Command> command;
    /** The rows' beats, head by head. */
    public final Stream<Bits> rows;
    public final Flow<Done> done;
    /** No command in progress or awaiting its acknowledgements. */
    public final Bool idle;
    public final Axi4 axi;

    /** Beats per burst of the KV-cache port: a kv260 row (96 fp16 values) is 12 beats of 128 bits. */
    public static final int BURST_BEATS = 16;
    /** Bursts awaiting their responses, enough to cover the DDR's write latency at one row per 12 cycles. */
    public static final int OUTSTANDING = 4;

    /** The writer of build {@code config}: on its KV-cache port (the last data port), as wide as every port. */
    public static KvCacheWriter of(AcceleratorConfig config) {
        return new KvCacheWriter(bursts(config));
    }

    /** The burst engine parameters of build {@code config}'s KV-cache port. */
    public static AxiBurstConfig bursts(AcceleratorConfig config) {
        return AxiBurstConfig.of(Axi4Config.of(config.memory().portBits()), BURST_BEATS, OUTSTANDING);
    }

    public KvCacheWriter(AxiBurstConfig config) {
        param("w", config.axi().dataWidth());
        param("b", config.burstBeats());
        param("o", config.outstandingBursts());
        command = in("command", Stream.of(new Command(uint(64), uint(32), uint(8), uint(16))));
        rows = in("rows", Stream.of(bits(config.axi().dataWidth())));
        done = out("done", Flow.of(new Done(bool())));
        idle = out("idle", bool());
        axi = out("m_axi", Axi4.master(config.axi()));

        AxiBurstWriter writer = instance("writer", new AxiBurstWriter(config));
        forward(axi, writer.axi);
        rows.map(AxiBurstWriter.WriteBeat::full).connectTo(writer.data);

        // Each accepted command's head count waits here for its acknowledgements.
        Stream<UInt> headCounts = wire("head_count", Stream.of(uint(8)));
        // The oldest command's head count comes from a register after the queue (for timing: the queue's LUT RAM
        // read and the compare with the acknowledgements lay on the path into the queue's own pointers).
        Stream<UInt> pending = headCounts.queue("head_counts", COMMANDS_IN_FLIGHT).stage("pending_heads");
        RowIssue issue = area(new RowIssue(command, headCounts, writer));
        Completion completion = area(new Completion(pending, writer.done, done));
        idle.set(issue.busy.not().and(completion.waiting.not()).and(writer.idle));
    }

    /** Takes a command and gives the writer one command per head, each a stride further on. */
    static final class RowIssue extends Area {
        final Bool busy;

        RowIssue(Stream<Command> command, Stream<UInt> headCounts, AxiBurstWriter writer) {
            super("issue", "cuts a command into one writer command per KV head");
            busy = reg("busy", bool(), 0);
            UInt address = reg("address", uint(64), 0);
            UInt stride = reg("stride", uint(32), 0);
            UInt headsLeft = reg("heads_left", uint(8), 0);
            UInt rowBeats = reg("row_beats", uint(16), 0);

            // A command enters when none is being cut and its head count has a place in the queue.
            command.ready.set(busy.not().and(headCounts.ready));
            headCounts.valid.set(command.valid.and(busy.not()));
            headCounts.payload.set(command.payload.heads());
            assertAlways(command.fire().not().or(command.payload.heads().ne(0))
                    .and(command.fire().not().or(command.payload.rowBeats().ne(0))),
                    "KvCacheWriter: a command writes at least one row of at least one beat");

            // A head's command is offered only while the writer's command stage is empty, so it is taken at once
            // and the cut moves on its own offer. A row is a burst of several beats, so the cycle between commands
            // costs nothing.
            Bool offered = writer.offer("offered", busy, address, rowBeats, "KvCacheWriter: a head's command");
            when(command.fire(), () -> {
                busy.set(true);
                address.set(command.payload.address());
                stride.set(command.payload.headStride());
                headsLeft.set(command.payload.heads());
                rowBeats.set(command.payload.rowBeats());
            }).elseWhen(offered, () -> {
                address.set(address.add(stride.resize(64)).trunc(64));
                headsLeft.set(headsLeft.sub(1).trunc(8));
                when(headsLeft.eq(1), () -> busy.set(false));
            });
        }
    }

    /** Counts the writer's acknowledgements; a command is done when it has one per head. */
    static final class Completion extends Area {
        final Bool waiting;

        Completion(Stream<UInt> pending, Flow<AxiBurstWriter.WriteDone> rowDone, Flow<Done> done) {
            super("completion", "one done per command once each of its rows is acknowledged");
            UInt acknowledged = reg("acknowledged", uint(8), 0);
            Bool failed = reg("failed", bool(), 0);
            Bool doneValid = reg("finished", bool(), 0);
            Bool doneError = reg("finished_error", bool(), 0);
            waiting = pending.valid;
            Bool lastRow = rowDone.valid.and(acknowledged.add(1).trunc(8).eq(pending.payload)).named("last_row");
            pending.ready.set(lastRow);
            assertAlways(rowDone.valid.not().or(pending.valid), "KvCacheWriter: a row acknowledged with no command"
                    + " waiting for it");
            doneValid.set(lastRow);
            doneError.set(failed.or(rowDone.payload.error()));
            when(lastRow, () -> {
                acknowledged.set(0);
                failed.set(false);
            }).elseWhen(rowDone.valid, () -> {
                acknowledged.set(acknowledged.add(1).trunc(8));
                failed.set(failed.or(rowDone.payload.error()));
            });
            done.valid.set(doneValid);
            done.payload.error().set(doneError);
        }
    }
}
