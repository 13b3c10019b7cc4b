package dev.tellmej.sim.axi;

import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import java.util.List;

/**
 * Watches an {@link AxiBurstReader} every cycle (a test bench's scoreboard of its AXI side). It checks each
 * AR burst with a {@link BurstTracker}, and the invariants the reader promises: {@code rready} is high
 * whenever {@code rvalid} is (the R channel never stalls); the credits stay within 0..FIFO depth and equal
 * the depth minus the beats requested and not yet delivered (so they can neither leak nor go negative); at
 * most {@code outstandingBursts} bursts are in flight, as its {@code outstanding} output says; the write
 * half is idle ({@code awvalid} and {@code wvalid} low, {@code bready} high).
 */
final class ReaderChecker implements CycleListener {
    private final BurstTracker tracker;
    private final int depth;
    private final int maxBursts;
    private final Port arvalid;
    private final Port arready;
    private final Port araddr;
    private final Port arlen;
    private final Port arsize;
    private final Port arburst;
    private final Port rvalid;
    private final Port rready;
    private final Port rlast;
    private final Port dataValid;
    private final Port dataReady;
    private final Port credits;
    private final Port outstanding;
    private final Port awvalid;
    private final Port wvalid;
    private final Port bready;
    private long requested;
    private long delivered;
    private long burstsAccepted;
    private long burstsReturned;
    private long maxOutstandingSeen;

    ReaderChecker(SimModel sim, AxiBurstReader top, AxiBurstConfig config, List<BurstTraffic.Command> commands) {
        this.tracker = new BurstTracker("AR", config, commands);
        this.depth = Math.max(2, config.outstandingBursts() * config.burstBeats());
        this.maxBursts = config.outstandingBursts();
        arvalid = sim.port(top.axi.arvalid);
        arready = sim.port(top.axi.arready);
        araddr = sim.port(top.axi.araddr);
        arlen = sim.port(top.axi.arlen);
        arsize = sim.port(top.axi.arsize);
        arburst = sim.port(top.axi.arburst);
        rvalid = sim.port(top.axi.rvalid);
        rready = sim.port(top.axi.rready);
        rlast = sim.port(top.axi.rlast);
        dataValid = sim.port(top.data.valid);
        dataReady = sim.port(top.data.ready);
        credits = sim.port(top.credits);
        outstanding = sim.port(top.outstanding);
        awvalid = sim.port(top.axi.awvalid);
        wvalid = sim.port(top.axi.wvalid);
        bready = sim.port(top.axi.bready);
        sim.onCycle(this);
    }

    @Override
    public void beforeEdge(SimModel sim, long cycle) {
        String at = " (cycle " + cycle + ")";
        check(!awvalid.isHigh() && !wvalid.isHigh() && bready.isHigh(), "the write half is not idle" + at);
        check(!rvalid.isHigh() || rready.isHigh(), "rready low while rvalid is high: the R channel stalled" + at);
        long credit = credits.get();
        check(credit <= depth, "credits " + credit + " exceed the FIFO depth " + depth + at);
        check(credit == depth - requested + delivered, "credits " + credit + ", but the depth " + depth + " minus "
                + (requested - delivered) + " beats requested and not delivered is " + (depth - requested + delivered)
                + at);
        long inFlight = burstsAccepted - burstsReturned;
        check(outstanding.get() == inFlight,
                "outstanding says " + outstanding.get() + ", " + inFlight + " in flight" + at);
        check(inFlight <= maxBursts, inFlight + " bursts in flight, more than " + maxBursts + at);
        maxOutstandingSeen = Math.max(maxOutstandingSeen, inFlight);

        if (arvalid.isHigh() && arready.isHigh()) {
            tracker.issued(araddr.get(), (int) arlen.get(), (int) arsize.get(), (int) arburst.get(), cycle);
            requested += arlen.get() + 1;
            burstsAccepted++;
        }
        if (rvalid.isHigh() && rready.isHigh() && rlast.isHigh()) {
            burstsReturned++;
        }
        if (dataValid.isHigh() && dataReady.isHigh()) {
            delivered++;
        }
    }

    /** Every command's bursts were issued and all their data delivered. */
    boolean drained() {
        return tracker.finished() && delivered == requested;
    }

    long maxOutstandingSeen() {
        return maxOutstandingSeen;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
