package dev.tellmej.hdl.examples;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;

/**
 * A stream pipeline: add one to each word, register it, buffer it in a FIFO, and register the ready path
 * on the way out. Full throughput; latency 2 cycles from {@code in} to {@code out} when nothing stalls.
 */
public final class StreamPipeline extends Module {
    public final Stream<UInt> in;
    public final Stream<UInt> out;
    public final UInt fifoOccupancy;

    public StreamPipeline(int width, int fifoDepth) {
        param("w", width);
        param("d", fifoDepth);
        in = in("in", Stream.of(uint(width)));
        out = out("out", Stream.of(uint(width)));
        fifoOccupancy = out("fifo_occupancy", uint(bitsFor(fifoDepth)));

        Stream<UInt> incremented = in.map(word -> word.add(1)).stage("incremented");
        Stream.Queued<UInt> queued = incremented.queue("fifo", fifoDepth, RamStyle.DISTRIBUTED);
        queued.stream().s2mPipe("out_skid").connectTo(out);
        fifoOccupancy.set(queued.occupancy());
    }
}
