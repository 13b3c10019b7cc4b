package dev.tellmej.sim.axi;

import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.AxiBurstWriter;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Watches an {@link AxiBurstWriter} every cycle. It checks each AW burst with a {@link BurstTracker}; that W
 * carries exactly the bursts' beats in order, with {@code wlast} on each burst's final beat, and never drops
 * {@code wvalid} inside a burst (a burst's data is buffered before its address goes out); that at most
 * {@code outstandingBursts} bursts await a response, as {@code outstanding} says; that {@code buffered} is
 * the beats taken in and not yet given to a burst, within the FIFO; that a command's {@code done} comes
 * only after every burst of it has been acknowledged; and that the read half is idle.
 */
final class WriterChecker implements CycleListener {
    private final BurstTracker tracker;
    private final int maxBursts;
    private final int capacity;
    private final Port awvalid;
    private final Port awready;
    private final Port awaddr;
    private final Port awlen;
    private final Port awsize;
    private final Port awburst;
    private final Port wvalid;
    private final Port wready;
    private final Port wlast;
    private final Port bvalid;
    private final Port bready;
    private final Port dataValid;
    private final Port dataReady;
    private final Port doneValid;
    private final Port doneError;
    private final Port outstanding;
    private final Port buffered;
    private final Port arvalid;
    private final Port rready;
    private final Deque<Long> burstLengths = new ArrayDeque<>();
    private final List<Boolean> doneErrors = new ArrayList<>();
    private long beatInBurst;
    private long pushed;
    private long responses;
    private long bursts;
    private long maxOutstandingSeen;

    WriterChecker(SimModel sim, AxiBurstWriter top, AxiBurstConfig config, List<BurstTraffic.Command> commands) {
        this.tracker = new BurstTracker("AW", config, commands);
        this.maxBursts = config.outstandingBursts();
        int depth = 2 * config.burstBeats();
        boolean blockRam = (long) depth * config.axi().dataWidth() > 16384;
        this.capacity = blockRam ? depth + 1 : depth;  // a block-RAM FIFO holds one more word in its output stage
        awvalid = sim.port(top.axi.awvalid);
        awready = sim.port(top.axi.awready);
        awaddr = sim.port(top.axi.awaddr);
        awlen = sim.port(top.axi.awlen);
        awsize = sim.port(top.axi.awsize);
        awburst = sim.port(top.axi.awburst);
        wvalid = sim.port(top.axi.wvalid);
        wready = sim.port(top.axi.wready);
        wlast = sim.port(top.axi.wlast);
        bvalid = sim.port(top.axi.bvalid);
        bready = sim.port(top.axi.bready);
        dataValid = sim.port(top.data.valid);
        dataReady = sim.port(top.data.ready);
        doneValid = sim.port(top.done.valid);
        doneError = sim.port(top.done.payload.error());
        outstanding = sim.port(top.outstanding);
        buffered = sim.port(top.buffered);
        arvalid = sim.port(top.axi.arvalid);
        rready = sim.port(top.axi.rready);
        sim.onCycle(this);
    }

    @Override
    public void beforeEdge(SimModel sim, long cycle) {
        String at = " (cycle " + cycle + ")";
        check(!arvalid.isHigh() && rready.isHigh(), "the read half is not idle" + at);
        check(bready.isHigh(), "bready low" + at);
        long awaiting = bursts - responses;
        check(outstanding.get() == awaiting, "outstanding says " + outstanding.get() + ", " + awaiting + " await" + at);
        check(awaiting <= maxBursts, awaiting + " bursts await a response, more than " + maxBursts + at);
        maxOutstandingSeen = Math.max(maxOutstandingSeen, awaiting);
        long unclaimed = pushed - tracker.beatsIssued();
        check(buffered.get() == unclaimed,
                "buffered says " + buffered.get() + ", " + unclaimed + " beats unclaimed" + at);
        check(unclaimed >= 0 && unclaimed <= capacity, unclaimed + " unclaimed beats, the FIFO holds " + capacity + at);
        if (beatInBurst > 0) {
            check(wvalid.isHigh(), "wvalid dropped inside a burst, after beat " + beatInBurst + at);
        }
        if (wvalid.isHigh()) {
            check(!burstLengths.isEmpty(), "W data before its burst's address" + at);
        }
        if (doneValid.isHigh()) {
            int command = doneErrors.size();
            long needed = tracker.burstsThrough(command);
            check(responses >= needed, "done for command " + command + " after " + responses + " responses; its bursts"
                    + " and the earlier ones need " + needed + at);
            doneErrors.add(doneError.isHigh());
        }

        if (awvalid.isHigh() && awready.isHigh()) {
            tracker.issued(awaddr.get(), (int) awlen.get(), (int) awsize.get(), (int) awburst.get(), cycle);
            burstLengths.add(awlen.get() + 1);
            bursts++;
        }
        if (wvalid.isHigh() && wready.isHigh()) {
            long length = burstLengths.getFirst();
            beatInBurst++;
            boolean last = beatInBurst == length;
            check(wlast.isHigh() == last, "wlast " + (last ? "missing on" : "set on") + " beat " + beatInBurst + " of "
                    + length + at);
            if (last) {
                burstLengths.poll();
                beatInBurst = 0;
            }
        }
        if (bvalid.isHigh() && bready.isHigh()) {
            responses++;
        }
        if (dataValid.isHigh() && dataReady.isHigh()) {
            pushed++;
        }
    }

    /** The error flag of each command's done pulse so far, in order. */
    List<Boolean> doneErrors() {
        return List.copyOf(doneErrors);
    }

    long maxOutstandingSeen() {
        return maxOutstandingSeen;
    }

    /** Every burst was issued and acknowledged. */
    boolean drained() {
        return tracker.finished() && responses == bursts;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
