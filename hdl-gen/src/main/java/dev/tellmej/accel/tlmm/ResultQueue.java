package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's output queue: a {@link CreditBuffer} behind the lookup lanes. The sweep issues a block's last
 * step (the one that completes a row group's sums) only while a credit is left ({@link #room}), so every sum
 * in flight has a FIFO slot waiting and the lanes never stall, whatever the consumer of {@code results} does.
 *
 * <p>It holds {@link TlmmConfig#resultBeats()} beats of Q sums, each kept in {@link TlmmConfig#accumulatorBits()}
 * bits (every sum fits them; a simulation assertion checks it) and sign-extended on the way out. A deep queue
 * (block RAM from {@link #BLOCK_RAM_BEATS} beats on) lets the sweep finish a tile's last block while a consumer
 * slower than a beat a cycle (the kernel's epilogues) still takes its results, so the tile's buffer half is
 * released and the next tile's blocks start sooner.
 */
final class ResultQueue extends Area {
    /** From this depth on the FIFO is in block RAM, below it in LUT RAM. */
    static final int BLOCK_RAM_BEATS = 64;

    /** A last step may be issued this cycle. */
    final Bool room;
    /** Nothing is in flight or queued. */
    final Bool drained;
    /** Event, raised by the sweep: it issued a step that will produce a result. */
    final Bool issued;
    /** The lanes' sums (Q per beat), driven by the lookup lanes. */
    final Flow<Vec<SInt>> sums;

    ResultQueue(TlmmConfig config, Stream<Vec<SInt>> results) {
        super("result_queue", "queues the lanes' sums for the results stream; its credits let the sweep issue a"
                + " result-producing step only when a FIFO slot is waiting for it");
        int columns = config.columns();
        int kept = config.accumulatorBits();
        Vec<SInt> shape = vec(columns, sint(TlmmConfig.ACCUMULATOR_BITS));
        issued = wire("result_issued", bool());
        sums = wire("lane_sums", Flow.of(shape));
        int depth = config.resultBeats();
        Vec<SInt> narrow = vec(columns, sint(kept));
        CreditBuffer<Vec<SInt>> buffer = new CreditBuffer<>("result", narrow, depth,
                depth >= BLOCK_RAM_BEATS ? RamStyle.BLOCK : RamStyle.DISTRIBUTED);
        room = buffer.available().named("room");
        drained = buffer.drained().named("results_drained");
        buffer.issue(issued);
        List<SInt> kepts = new ArrayList<>();
        for (int q = 0; q < columns; q++) {
            SInt sum = sums.payload.get(q);
            if (kept < TlmmConfig.ACCUMULATOR_BITS) {
                assertAlways(sums.valid.not().or(sum.resize(kept).resize(TlmmConfig.ACCUMULATOR_BITS).eq(sum)),
                        "ResultQueue: the sum of lane " + q + " fits " + kept + " bits");
            }
            kepts.add(sum.resize(kept));
        }
        Stream<Vec<SInt>> queued = buffer.connect(new Flow<>(sums.valid, new Vec<>(kepts)));
        results.valid.set(queued.valid);
        queued.ready.set(results.ready);
        for (int q = 0; q < columns; q++) {
            results.payload.get(q).set(queued.payload.get(q).resize(TlmmConfig.ACCUMULATOR_BITS));
        }
    }
}
