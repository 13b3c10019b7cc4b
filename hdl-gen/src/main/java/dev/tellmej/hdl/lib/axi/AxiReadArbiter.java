package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * Shares the read half of one AXI4 master port among {@code clients} AXI4 masters: each client's
 * {@code m_axi} connects to a slave port {@link #clients} ({@code s_axi_<i>}), the shared port is {@link #axi}
 * ({@code m_axi}).
 *
 * <p><b>Arbitration</b> is per burst (AR), round robin: the next grant goes to the first requesting client
 * after the one granted last, and a grant the memory has not yet accepted is held, so {@code araddr} never
 * changes under a waiting {@code arvalid}. A client that keeps {@code arvalid} high is granted within
 * {@code clients - 1} grants to others, whatever they do.
 *
 * <p><b>Routing.</b> Every burst goes downstream with ID 0, so the memory answers in order. Each accepted AR
 * records its client (and the client's {@code arid}) in a FIFO of {@code burstsInFlight} entries; R beats go
 * to the client at its head, which is forgotten on {@code rlast}. {@code rdata}, {@code rresp} and
 * {@code rlast} go to every client unchanged (SLVERR and DECERR included); only {@code rvalid} is routed, and
 * {@code rid} is the recorded ID. {@code rready} downstream is the routed client's {@code rready}, so a client
 * that stalls holds the R channel but never gets another's data. AR waits while the FIFO is full.
 *
 * <p><b>Latency.</b> None added: an AR is presented downstream in the cycle the client presents it and
 * accepted in the cycle the memory accepts it (when the FIFO has room); R is combinational, a few LUT levels
 * each way: {@code rvalid} through an AND with the decoded head (a LUT-RAM read of a registered pointer),
 * {@code rready} through a multiplexer selected by the same head. The data itself passes on wires. There is
 * no register slice: a full one would cost two data-wide registers (256 flip-flops at 128 bits) for a path of
 * two or three LUTs; put a {@code Stream.fullPipe} on a client's side when timing needs it. AR's path is
 * longer: the clients' {@code arvalid}s through the round robin's choice to the address multiplexer.
 * <b>Throughput</b>: one AR per cycle, one R beat per cycle, no bubble between bursts of different clients.
 *
 * <p><b>Head-of-line blocking.</b> The memory answers in order, so a client that holds {@code rready} low holds
 * the R channel for every burst behind its own. {@link AxiBurstReader} never does (a burst is issued only with
 * room for all its beats), so readers built on it cannot block one another.
 * <b>Cost</b>: the FIFO (LUT RAM of {@code max(2, burstsInFlight)} x (log2 clients + ID bits), its head in a
 * register, two pointers, a counter); the round robin's two one-hot registers of {@code clients} bits and a
 * flag (none for one client); an AND-OR multiplexer of the clients' addresses; a decoder of the FIFO's head and
 * a multiplexer of the {@code rready}s.
 *
 * <p><b>Checks.</b> Simulation-only assertions stop a run if an R beat arrives with no burst recorded, or a
 * client raises {@code awvalid} or {@code wvalid}: the write channels of the client ports are tied off
 * ({@code awready}, {@code wready}, {@code bvalid} low); writes go through {@link AxiWriteArbiter} or
 * {@link AxiPortShare}. The shared port's write channels are tied off as a master's.
 *
 * <p>The Verilog module is {@code AxiReadArbiter_w<data bits>_n<clients>_o<bursts in flight>}, plus
 * {@code _a<address bits>} unless 64 and {@code _i<ID bits>} with IDs.
 */
public final class AxiReadArbiter extends Module {
    /** The clients' ports, slave side: client i's {@code m_axi} connects to {@code clients.get(i)}. */
    public final List<Axi4> clients;
    /** The shared master port. */
    public final Axi4 axi;
    /** Bursts accepted downstream whose last beat has not arrived: 0 to {@code burstsInFlight}. */
    public final UInt outstanding;

    /**
     * @param config         the widths of the shared port and of every client port
     * @param clients        clients sharing the port: 1 to 32
     * @param burstsInFlight bursts the memory may hold at once (address accepted, last beat not arrived): 1 to 64;
     *                       enough to cover its latency, about (latency + 4) / beats per burst
     */
    public AxiReadArbiter(Axi4Config config, int clients, int burstsInFlight) {
        BurstRoutes.check("AxiReadArbiter", config, clients, burstsInFlight);
        BurstRoutes.verilogParameters(config, clients, burstsInFlight).forEach(this::param);
        List<Axi4> ports = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ports.add(in("s_axi_" + i, Axi4.slave(config)));
        }
        this.clients = List.copyOf(ports);
        axi = out("m_axi", Axi4.master(config));
        outstanding = out("outstanding", uint(bitsFor(burstsInFlight)));

        // ---- AR: one burst at a time, round robin, while a route is free ----
        BurstRoutes routes = new BurstRoutes("r_routes", config, clients, burstsInFlight, true);
        Stream<BurstRoutes.Request> granted = BurstRoutes.roundRobin("ar", ports.stream().map(Axi4::ar).toList());
        AxiAddress address = granted.payload.address();
        Bool noRoute = routes.full();
        axi.arvalid.set(granted.valid.and(noRoute.not()));
        axi.araddr.set(address.addr);
        axi.arlen.set(address.len);
        axi.arsize.set(address.size);
        axi.arburst.set(address.burst);
        if (axi.arid != null) {
            axi.arid.set(0);
        }
        granted.ready.set(axi.arready.and(noRoute.not()));
        routes.push(axi.arvalid.and(axi.arready), granted.payload.client(), address.id);

        // ---- R: every beat to the client of the oldest burst; rlast ends its burst ----
        List<Bool> readies = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Axi4 client = ports.get(i);
            Bool routed = routes.valid.and(routes.client.eq(i)).named("r_to_" + i);
            client.rvalid.set(axi.rvalid.and(routed));
            client.rdata.set(axi.rdata);
            client.rresp.set(axi.rresp);
            client.rlast.set(axi.rlast);
            if (client.rid != null) {
                client.rid.set(routes.id);
            }
            readies.add(client.rready);
        }
        axi.rready.set(routes.valid.and(new Vec<>(readies).get("r_routed_ready", routes.client)));
        routes.pop(axi.rvalid.and(axi.rready).and(axi.rlast));
        outstanding.set(routes.occupancy);
        assertAlways(axi.rvalid.not().or(routes.valid), "AxiReadArbiter: an R beat arrived with no burst recorded"
                + " (the memory answered a read no client made)");

        // ---- the write channels: no client writes here ----
        for (int i = 0; i < clients; i++) {
            Axi4 client = ports.get(i);
            client.tieOffWriteChannelsAsSlave();
            assertAlways(client.awvalid.or(client.wvalid).not(), "AxiReadArbiter: client " + i + " raised awvalid"
                    + " or wvalid; this arbiter shares reads only (share writes with AxiWriteArbiter or AxiPortShare)");
        }
        axi.tieOffWriteChannels();
    }
}
