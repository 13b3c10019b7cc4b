package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.SyncFifo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bursts in flight on a shared port, oldest first: for each, the client it belongs to and the ID that client
 * gave it. One ID downstream keeps the memory's answers in this order, so the oldest entry says where the next R
 * beat or B response goes. A LUT-RAM {@link SyncFifo} of {@code max(2, burstsInFlight)} words of
 * {@code log2(clients)} (at least 1) + ID bits with its head in a register; an entry pushed at an edge is at the
 * head after it (latency 1).
 * With the parts {@link AxiReadArbiter} and {@link AxiWriteArbiter} share: their address round robin, parameter
 * checks and Verilog name.
 */
final class BurstRoutes {
    /** At least one burst is recorded. */
    final Bool valid;
    /** The oldest burst's client. */
    final UInt client;
    /** The ID its client gave it; null without IDs. */
    final UInt id;
    /** Bursts recorded: 0 to {@code burstsInFlight}. */
    final UInt occupancy;
    private final SyncFifo fifo;
    private final int indexBits;
    private final String name;
    private final int burstsInFlight;
    private Bool fullFlag;

    /** A FIFO instance named {@code name}; it keeps the clients' IDs if {@code withIds} and the port has IDs. */
    BurstRoutes(String name, Axi4Config config, int clients, int burstsInFlight, boolean withIds) {
        indexBits = indexBits(clients);
        int idBits = withIds ? config.idWidth() : 0;
        // The head in a register: the route picks the client's valid, ready and data at once (the LUT RAM's read
        // lay at the start of the paths through the routing into the clients).
        fifo = instance(name, SyncFifo.withHeadRegister(indexBits + idBits, Math.max(2, burstsInFlight)));
        valid = fifo.pop.valid;
        Bits head = fifo.pop.payload;
        client = head.slice(indexBits - 1, 0).asUInt();
        id = idBits == 0 ? null : head.slice(indexBits + idBits - 1, indexBits).asUInt();
        occupancy = fifo.occupancy.resize(bitsFor(burstsInFlight));
        this.name = name;
        this.burstsInFlight = burstsInFlight;
    }

    /** Records a burst of client {@code clientIndex} with its ID (ignored without IDs) at the edge of {@code when}. */
    void push(Bool when, UInt clientIndex, UInt clientId) {
        fifo.push.valid.set(when);
        fifo.push.payload.set(id == null ? clientIndex.asBits() : cat(clientId, clientIndex));
    }

    /**
     * {@code burstsInFlight} bursts are recorded: no other may start. A flip-flop {@code <name>_full}, set with the
     * pushes and pops (for timing: the occupancy's sum and compare lay on the path into the clients' address
     * ready); a simulation assertion holds it equal to the occupancy's compare.
     */
    Bool full() {
        if (fullFlag == null) {
            Bool atLimit = fifo.occupancy.ge(burstsInFlight);
            Bool oneBelow = fifo.occupancy.eq(burstsInFlight - 1);
            Bool pushed = fifo.push.fire();
            Bool popped = fifo.pop.fire();
            fullFlag = reg(name + "_full", bool(), 0);
            fullFlag.set(atLimit.and(popped.not().or(pushed)).or(oneBelow.and(pushed).and(popped.not())));
            assertAlways(fullFlag.eq(atLimit), "BurstRoutes " + name + ": the full flag follows the bursts recorded");
        }
        return fullFlag;
    }

    /** Forgets the oldest burst at the edge where {@code when} holds. */
    void pop(Bool when) {
        fifo.pop.ready.set(when);
    }

    /**
     * Fewer than {@code burstsInFlight} bursts are recorded (for assertions: the arbiters push only below
     * {@link #full}; the FIFO itself, with its head register, takes one more).
     */
    Bool room() {
        return fifo.occupancy.lt(burstsInFlight);
    }

    /** An address a client presented, tagged with the client's index. */
    record Request(AxiAddress address, UInt client) {}

    /**
     * The clients' address channels (AR or AW) through one {@link Stream#roundRobin} named {@code name}, each
     * request tagged with its client's index ({@link #indexBits} wide).
     */
    static Stream<Request> roundRobin(String name, List<Stream<AxiAddress>> channels) {
        int indexBits = indexBits(channels.size());
        List<Stream<Request>> requests = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            int index = i;
            requests.add(channels.get(i).map(a -> new Request(a, U(index, indexBits))));
        }
        return Stream.roundRobin(name, requests);
    }

    /** {@code w}, {@code n}, {@code o}, then {@code a} unless the address is 64 bits and {@code i} with IDs. */
    static Map<String, Object> verilogParameters(Axi4Config config, int clients, int burstsInFlight) {
        Map<String, Object> names = new LinkedHashMap<>();
        names.put("w", config.dataWidth());
        names.put("n", clients);
        names.put("o", burstsInFlight);
        if (config.addressWidth() != 64) {
            names.put("a", config.addressWidth());
        }
        if (config.idWidth() > 0) {
            names.put("i", config.idWidth());
        }
        return names;
    }

    /** Bits of a client index: log2 of the clients, at least 1. */
    static int indexBits(int clients) {
        return Math.max(1, log2Up(clients));
    }

    /**
     * Refuses parameters an arbiter cannot build, naming each problem and what to do.
     *
     * @param who the arbiter's class name, for the message
     */
    static void check(String who, Axi4Config config, int clients, int burstsInFlight) {
        if (config == null) {
            throw new InvalidParameterException(Locations.capture(), who + " needs the shared port's Axi4Config");
        }
        List<String> problems = new ArrayList<>();
        if (clients < 1) {
            problems.add("it needs at least one client, got " + clients + " (a port nobody uses needs no arbiter:"
                    + " tie it off with Axi4.tieOffReadChannels() or tieOffWriteChannels())");
        } else if (clients > MAX_CLIENTS) {
            problems.add("at most " + MAX_CLIENTS + " clients share a port, got " + clients + " (the round-robin"
                    + " choice grows with the square of the clients; share in two levels)");
        }
        if (burstsInFlight < 1 || burstsInFlight > MAX_IN_FLIGHT) {
            problems.add("bursts in flight must be 1.." + MAX_IN_FLIGHT + ", got " + burstsInFlight + " (enough to"
                    + " cover the memory's latency: about (latency + 4) / burst beats, and no more than the memory"
                    + " accepts)");
        }
        if (!problems.isEmpty()) {
            throw new InvalidParameterException(Locations.capture(), who + ": " + String.join("; ", problems));
        }
    }

    /** Most clients of one arbiter. */
    static final int MAX_CLIENTS = 32;
    /** Most bursts in flight downstream. */
    static final int MAX_IN_FLIGHT = 64;
}
