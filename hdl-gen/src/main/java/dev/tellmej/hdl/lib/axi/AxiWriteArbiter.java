package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * Shares the write half of one AXI4 master port among {@code clients} AXI4 masters: each client's
 * {@code m_axi} connects to a slave port {@link #clients} ({@code s_axi_<i>}), the shared port is {@link #axi}
 * ({@code m_axi}).
 *
 * <p><b>Arbitration</b> is per burst (AW), round robin, as {@link AxiReadArbiter}'s: a grant not yet accepted is
 * held, and a client that keeps {@code awvalid} high is granted within {@code clients - 1} grants to others.
 *
 * <p><b>Routing.</b> AXI4 has no write interleaving: W beats follow the order of the addresses. When a burst's
 * address is first presented downstream, its client goes into two FIFOs of {@code burstsInFlight} entries: the
 * W route, whose head selects the client whose beats pass to the shared W channel ({@code wdata},
 * {@code wstrb} and {@code wlast} through a multiplexer, {@code wready} back to that client only), forgotten on
 * {@code wlast}; and the B route (with the client's {@code awid}), whose head receives the next response
 * ({@code bresp} unchanged, SLVERR and DECERR included), forgotten per response. Every burst goes downstream
 * with ID 0, so the memory answers in order. AW waits while the B route is full (it empties last).
 *
 * <p><b>W before AW.</b> AXI4 lets a master raise {@code wvalid} before {@code awvalid}, and lets a slave hold
 * {@code awready} until it sees W. Recording the route when the address is presented, not when it is
 * accepted, lets a burst's W beats go downstream while its address waits, so neither kind of slave can
 * deadlock against this arbiter. A client's W beats wait ({@code wready} low) until its address is granted, as
 * AXI4 allows a slave to; so a client that sends W before AW still works, and one that needs its W taken before
 * it raises AW (which AXI4 forbids) would hang. {@link AxiBurstWriter} raises W only after its AW is accepted.
 *
 * <p><b>Latency.</b> AW as AR in {@link AxiReadArbiter}: none added. A burst's first W beat can pass in the
 * cycle after its address is first presented (the route FIFO's latency), so a writer that presents W with AW
 * loses one cycle per burst only when the W route was empty; consecutive bursts' beats follow each other
 * without a gap. B is combinational as R is. <b>Throughput</b>: one AW, one W beat and one B per cycle.
 * <b>Cost</b>: two LUT-RAM FIFOs of {@code max(2, burstsInFlight)} entries (log2 clients bits, plus the ID in
 * the B route) with their heads in registers, a flag, the round robin's two one-hot registers and flag; an
 * AND-OR multiplexer of the clients' addresses and a multiplexer of their W beats (data width + strobes + 1
 * bits) selected by the W route's head.
 *
 * <p><b>Head-of-line blocking.</b> W follows the order of the addresses, so a client whose address was granted
 * and whose data does not come holds W for everyone behind it. {@link AxiBurstWriter} issues an address only
 * when the burst's beats are all buffered, so writers built on it never hold W.
 *
 * <p><b>Checks.</b> Simulation-only assertions stop a run if a client withdraws {@code awvalid} before its
 * address is accepted (its recorded routes would be wrong), a response arrives with no burst recorded or
 * before its burst's address was accepted and its last W beat taken, or a client raises {@code arvalid}: the
 * read channels of the client ports are tied off ({@code arready}, {@code rvalid} low), reads go through
 * {@link AxiReadArbiter} or {@link AxiPortShare}. The shared port's read channels are tied off as a master's.
 *
 * <p>The Verilog module is {@code AxiWriteArbiter_w<data bits>_n<clients>_o<bursts in flight>}, with the
 * suffixes of {@link AxiReadArbiter}.
 */
public final class AxiWriteArbiter extends Module {
    /** The clients' ports, slave side: client i's {@code m_axi} connects to {@code clients.get(i)}. */
    public final List<Axi4> clients;
    /** The shared master port. */
    public final Axi4 axi;
    /** Bursts recorded whose response has not arrived: 0 to {@code burstsInFlight}. */
    public final UInt outstanding;

    /**
     * @param config         the widths of the shared port and of every client port
     * @param clients        clients sharing the port: 1 to 32
     * @param burstsInFlight bursts from address to response at once: 1 to 64; enough to cover the time from a
     *                       burst's address to its response
     */
    public AxiWriteArbiter(Axi4Config config, int clients, int burstsInFlight) {
        BurstRoutes.check("AxiWriteArbiter", config, clients, burstsInFlight);
        BurstRoutes.verilogParameters(config, clients, burstsInFlight).forEach(this::param);
        List<Axi4> ports = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ports.add(in("s_axi_" + i, Axi4.slave(config)));
        }
        this.clients = List.copyOf(ports);
        axi = out("m_axi", Axi4.master(config));
        outstanding = out("outstanding", uint(bitsFor(burstsInFlight)));

        // ---- AW: one burst at a time, round robin; its routes are recorded when it is first presented ----
        BurstRoutes wRoutes = new BurstRoutes("w_routes", config, clients, burstsInFlight, false);
        BurstRoutes bRoutes = new BurstRoutes("b_routes", config, clients, burstsInFlight, true);
        Presented presented = area(new Presented(axi.awvalid, axi.awready));
        Stream<BurstRoutes.Request> granted = BurstRoutes.roundRobin("aw", ports.stream().map(Axi4::aw).toList());
        // A presented address stays presented: only a new one waits for a free route.
        Bool noRoute = bRoutes.full().and(presented.waiting.not()).named("aw_no_route");
        AxiAddress address = granted.payload.address();
        axi.awvalid.set(granted.valid.and(noRoute.not()));
        axi.awaddr.set(address.addr);
        axi.awlen.set(address.len);
        axi.awsize.set(address.size);
        axi.awburst.set(address.burst);
        if (axi.awid != null) {
            axi.awid.set(0);
        }
        granted.ready.set(axi.awready.and(noRoute.not()));
        wRoutes.push(presented.first, granted.payload.client(), null);
        bRoutes.push(presented.first, granted.payload.client(), address.id);
        assertAlways(presented.first.not().or(wRoutes.room()), "AxiWriteArbiter: the W route has room whenever the"
                + " B route has (it empties first)");

        // ---- W: the beats of the client at the W route's head; wlast ends its burst ----
        List<Bool> valids = new ArrayList<>();
        List<AxiWriteData> beats = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Axi4 client = ports.get(i);
            client.wready.set(axi.wready.and(wRoutes.valid).and(wRoutes.client.eq(i)));
            valids.add(client.wvalid);
            beats.add(client.w().payload);
        }
        AxiWriteData beat = new Vec<>(beats).get("w_routed", wRoutes.client);
        axi.wvalid.set(wRoutes.valid.and(new Vec<>(valids).get("w_routed_valid", wRoutes.client)));
        axi.wdata.set(beat.data);
        axi.wstrb.set(beat.strb);
        axi.wlast.set(beat.last);
        wRoutes.pop(axi.wvalid.and(axi.wready).and(axi.wlast));

        // ---- B: each response to the client of the oldest burst ----
        List<Bool> readies = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Axi4 client = ports.get(i);
            client.bvalid.set(axi.bvalid.and(bRoutes.valid).and(bRoutes.client.eq(i)));
            client.bresp.set(axi.bresp);
            if (client.bid != null) {
                client.bid.set(bRoutes.id);
            }
            readies.add(client.bready);
        }
        axi.bready.set(bRoutes.valid.and(new Vec<>(readies).get("b_routed_ready", bRoutes.client)));
        bRoutes.pop(axi.bvalid.and(axi.bready));
        outstanding.set(bRoutes.occupancy);
        // The oldest burst may be answered once its address was accepted (all but a waiting one were) and its
        // last beat taken (the W route holds only bursts whose last beat is still to come).
        UInt accepted = bRoutes.occupancy.sub(presented.waiting.asUInt().zext(bRoutes.occupancy.width()));
        Bool answerable = bRoutes.occupancy.gt(wRoutes.occupancy).and(accepted.ne(0)).named("b_answerable");
        assertAlways(axi.bvalid.not().or(answerable), "AxiWriteArbiter: a write response arrived with no burst"
                + " recorded, or before its burst's address was accepted and its last W beat taken");
        assertAlways(presented.waiting.not().or(axi.awvalid), "AxiWriteArbiter: a client withdrew awvalid before"
                + " its address was accepted (AXI4 forbids it; the routes recorded for it would misroute W and B)");

        // ---- the read channels: no client reads here ----
        for (int i = 0; i < clients; i++) {
            Axi4 client = ports.get(i);
            client.tieOffReadChannelsAsSlave();
            assertAlways(client.arvalid.not(), "AxiWriteArbiter: client " + i + " raised arvalid; this arbiter shares"
                    + " writes only (share reads with AxiReadArbiter or AxiPortShare)");
        }
        axi.tieOffReadChannels();
    }

    /** Whether the address on AW was presented in an earlier cycle and still waits for {@code awready}. */
    private static final class Presented extends Area {
        /** The address is presented for the first time: record its routes. */
        final Bool first;
        /** It was presented before and not accepted (so it is presented now, its routes recorded). */
        final Bool waiting;

        Presented(Bool valid, Bool ready) {
            super("aw_presented", "remembers that the address on AW was presented and not yet accepted, so its"
                    + " routes are recorded once");
            waiting = reg("aw_presented_before", bool(), 0);
            waiting.set(valid.and(ready.not()));
            first = valid.and(waiting.not()).named("aw_first_presented");
        }
    }
}
