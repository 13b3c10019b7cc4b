package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;

/**
 * The engine's output queue: a {@link CreditBuffer} behind the lookup lanes. The sweep issues a block's last
 * step (the one that completes a row group's sums) only while a credit is left ({@link #room}), so every sum
 * in flight has a FIFO slot waiting and the lanes never stall, whatever the consumer of {@code results} does.
 */
final class ResultQueue extends Area {
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
        Vec<SInt> shape = vec(config.columns(), sint(TlmmConfig.ACCUMULATOR_BITS));
        issued = wire("result_issued", bool());
        sums = wire("lane_sums", Flow.of(shape));
        CreditBuffer<Vec<SInt>> buffer = new CreditBuffer<>("result", shape, depth(config));
        room = buffer.available().named("room");
        drained = buffer.drained().named("results_drained");
        buffer.issue(issued);
        buffer.connect(sums).connectTo(results);
    }

    /** FIFO words: the results of two full passes through the buffer read and the lanes, and some slack. */
    static int depth(TlmmConfig config) {
        return 2 * (WeightBuffer.READ_LATENCY + LookupLane.latency(config)) + 8;
    }
}
