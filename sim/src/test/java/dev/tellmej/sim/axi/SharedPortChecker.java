package dev.tellmej.sim.axi;

import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches the shared port of a {@link SharedPortTop} every cycle. Fairness: each downstream AR (AW) handshake is
 * exactly one client's, and a client that keeps its address valid is granted within {@code clients - 1} grants to
 * others (the round robin's promise). Routing: with IDs, every burst goes downstream with ID 0 and every R beat
 * and B response reaches its client with the ID that engine used. Bookkeeping: the arbiters' {@code outstanding}
 * counts equal the bursts in flight seen on the port (a write counts from the cycle its address is first
 * presented, when its routes are recorded) and never exceed the routes. The AXI rules of the shared port itself
 * (valid held, payload stable, wlast placement, 4 KB) are the memory model's built-in checks.
 */
final class SharedPortChecker implements CycleListener {
    private final int inFlight;
    private final Port arRequests;
    private final Port arGrants;
    private final Port awRequests;
    private final Port awGrants;
    private final Port arvalid;
    private final Port arready;
    private final Port awvalid;
    private final Port awready;
    private final Port rvalid;
    private final Port rready;
    private final Port rlast;
    private final Port bvalid;
    private final Port bready;
    private final Port arid;
    private final Port awid;
    private final List<Port> clientRvalid = new ArrayList<>();
    private final List<Port> clientRid = new ArrayList<>();
    private final List<Port> clientBvalid = new ArrayList<>();
    private final List<Port> clientBid = new ArrayList<>();
    private final Port readsOutstanding;
    private final Port writesOutstanding;
    private final long[] arWaits = new long[SharedPortTop.READERS];
    private final long[] awWaits = new long[SharedPortTop.WRITERS];
    private final long[] arGranted = new long[SharedPortTop.READERS];
    private final long[] awGranted = new long[SharedPortTop.WRITERS];
    private long maxArWait;
    private long maxAwWait;
    private long readBursts;
    private long readsDone;
    private long writesRecorded;
    private long writeResponses;
    private boolean awPresentedBefore;
    private long maxReadsInFlight;
    private long maxWritesInFlight;

    SharedPortChecker(SimModel sim, SharedPortTop top, int inFlight) {
        this.inFlight = inFlight;
        arRequests = sim.port(top.arRequests);
        arGrants = sim.port(top.arGrants);
        awRequests = sim.port(top.awRequests);
        awGrants = sim.port(top.awGrants);
        arvalid = sim.port(top.axi.arvalid);
        arready = sim.port(top.axi.arready);
        awvalid = sim.port(top.axi.awvalid);
        awready = sim.port(top.axi.awready);
        rvalid = sim.port(top.axi.rvalid);
        rready = sim.port(top.axi.rready);
        rlast = sim.port(top.axi.rlast);
        bvalid = sim.port(top.axi.bvalid);
        bready = sim.port(top.axi.bready);
        arid = top.axi.arid == null ? null : sim.port(top.axi.arid);
        awid = top.axi.awid == null ? null : sim.port(top.axi.awid);
        top.rvalids.forEach(p -> clientRvalid.add(sim.port(p)));
        top.rids.forEach(p -> clientRid.add(sim.port(p)));
        top.bvalids.forEach(p -> clientBvalid.add(sim.port(p)));
        top.bids.forEach(p -> clientBid.add(sim.port(p)));
        readsOutstanding = sim.port(top.readsOutstanding);
        writesOutstanding = sim.port(top.writesOutstanding);
        sim.onCycle(this);
    }

    @Override
    public void beforeEdge(SimModel sim, long cycle) {
        String at = " (cycle " + cycle + ")";
        long reads = readBursts - readsDone;
        check(readsOutstanding.get() == reads, "the read arbiter counts " + readsOutstanding.get()
                + " bursts in flight, the port shows " + reads + at);
        long writes = writesRecorded - writeResponses;
        check(writesOutstanding.get() == writes, "the write arbiter counts " + writesOutstanding.get()
                + " bursts recorded, the port shows " + writes + at);
        check(reads <= inFlight && writes <= inFlight, reads + " reads and " + writes + " writes in flight, more"
                + " than the " + inFlight + " routes" + at);
        maxReadsInFlight = Math.max(maxReadsInFlight, reads);
        maxWritesInFlight = Math.max(maxWritesInFlight, writes);

        boolean arFire = arvalid.isHigh() && arready.isHigh();
        grants("AR", arRequests.get(), arGrants.get(), arFire, arWaits, arGranted, at);
        if (arFire) {
            maxArWait = Math.max(maxArWait, lastWait);
            readBursts++;
            check(arid == null || arid.get() == 0, "AR went downstream with ID " + (arid == null ? 0 : arid.get())
                    + at);
        }
        boolean awFire = awvalid.isHigh() && awready.isHigh();
        grants("AW", awRequests.get(), awGrants.get(), awFire, awWaits, awGranted, at);
        if (awFire) {
            maxAwWait = Math.max(maxAwWait, lastWait);
            check(awid == null || awid.get() == 0, "AW went downstream with ID " + (awid == null ? 0 : awid.get())
                    + at);
        }
        if (awvalid.isHigh() && !awPresentedBefore) {
            writesRecorded++;
        }
        awPresentedBefore = awvalid.isHigh() && !awready.isHigh();
        if (rvalid.isHigh() && rready.isHigh() && rlast.isHigh()) {
            readsDone++;
        }
        if (bvalid.isHigh() && bready.isHigh()) {
            writeResponses++;
        }
        for (int k = 0; k < clientRvalid.size(); k++) {
            check(!clientRvalid.get(k).isHigh() || clientRid.get(k).get() == k + 1, "reader " + k + " got an R beat"
                    + " with ID " + clientRid.get(k).get() + ", it uses " + (k + 1) + at);
        }
        for (int k = 0; k < clientBvalid.size(); k++) {
            check(!clientBvalid.get(k).isHigh() || clientBid.get(k).get() == k + 5, "writer " + k + " got a response"
                    + " with ID " + clientBid.get(k).get() + ", it uses " + (k + 5) + at);
        }
    }

    private long lastWait;

    /** One channel's grants: exactly one client per handshake, none without; waits counted per client. */
    private void grants(String channel, long requests, long grantBits, boolean fire, long[] waits, long[] granted,
            String at) {
        check(fire ? Long.bitCount(grantBits) == 1 : grantBits == 0, channel + " handshake " + fire
                + " with client grants " + Long.toBinaryString(grantBits) + at);
        check((grantBits & ~requests) == 0, channel + " granted a client that did not request" + at);
        int winner = fire ? Long.numberOfTrailingZeros(grantBits) : -1;
        for (int k = 0; k < waits.length; k++) {
            if ((requests >> k & 1) == 0) {
                waits[k] = 0;
            } else if (k == winner) {
                lastWait = waits[k];
                check(waits[k] <= waits.length - 1, channel + " client " + k + " was granted after " + waits[k]
                        + " grants to others, more than " + (waits.length - 1) + at);
                waits[k] = 0;
                granted[k]++;
            } else if (fire) {
                waits[k]++;
                check(waits[k] <= waits.length - 1, channel + " client " + k + " has waited " + waits[k]
                        + " grants to others, more than " + (waits.length - 1) + at);
            }
        }
    }

    /** Every read burst delivered and every write burst acknowledged. */
    boolean drained() {
        return readBursts == readsDone && writesRecorded == writeResponses;
    }

    /** The most grants to others a client waited through before its own, on AR and on AW. */
    long maxArWait() {
        return maxArWait;
    }

    long maxAwWait() {
        return maxAwWait;
    }

    /** Grants per client so far. */
    long[] arGranted() {
        return arGranted.clone();
    }

    long[] awGranted() {
        return awGranted.clone();
    }

    long maxReadsInFlight() {
        return maxReadsInFlight;
    }

    long maxWritesInFlight() {
        return maxWritesInFlight;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
