package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.bits;
import static dev.tellmej.hdl.Hdl.bool;
import static dev.tellmej.hdl.Hdl.uint;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwInterface;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * An AXI4 memory-mapped interface, flattened the way Vitis expects an RTL kernel's master ports:
 * declared as {@code out("m_axi_gmem", Axi4.master(config))} it becomes {@code m_axi_gmem_awvalid},
 * {@code m_axi_gmem_awready}, {@code m_axi_gmem_awaddr}, ..., {@code m_axi_gmem_rlast}. Members the slave
 * drives (the readies of AW, W and AR, and all of B and R except their readies) are flipped, so
 * {@code out(...)} makes the master side and {@code in(...)} the slave side.
 *
 * <p>Signals: AW and AR carry {@code addr}, {@code len} (beats - 1), {@code size} (log2 bytes per beat),
 * {@code burst} and, when the configuration has IDs, {@code id}; W carries {@code data}, {@code strb},
 * {@code last}; B {@code resp} (and {@code id}); R {@code data}, {@code resp}, {@code last} (and
 * {@code id}). Cache, protection, QoS, region, lock and user signals are left out (their defaults apply).
 *
 * <p>{@link #aw()}, {@link #w()}, {@link #b()}, {@link #ar()} and {@link #r()} view each channel as a
 * {@link Stream} over the same signals, for the stream operators.
 */
public final class Axi4 implements HwInterface {
    private final Axi4Config config;
    public final Bool awvalid;
    public final Bool awready;
    public final UInt awaddr;
    public final UInt awlen;
    public final UInt awsize;
    public final Bits awburst;
    /** Null when the configuration has no IDs. */
    public final UInt awid;
    public final Bool wvalid;
    public final Bool wready;
    public final Bits wdata;
    public final Bits wstrb;
    public final Bool wlast;
    public final Bool bvalid;
    public final Bool bready;
    public final Bits bresp;
    /** Null when the configuration has no IDs. */
    public final UInt bid;
    public final Bool arvalid;
    public final Bool arready;
    public final UInt araddr;
    public final UInt arlen;
    public final UInt arsize;
    public final Bits arburst;
    /** Null when the configuration has no IDs. */
    public final UInt arid;
    public final Bool rvalid;
    public final Bool rready;
    public final Bits rdata;
    public final Bits rresp;
    public final Bool rlast;
    /** Null when the configuration has no IDs. */
    public final UInt rid;

    private Axi4(Axi4Config config, List<Object> v) {
        this.config = config;
        boolean ids = config.idWidth() > 0;
        int i = 0;
        awvalid = (Bool) v.get(i++);
        awready = (Bool) v.get(i++);
        awaddr = (UInt) v.get(i++);
        awlen = (UInt) v.get(i++);
        awsize = (UInt) v.get(i++);
        awburst = (Bits) v.get(i++);
        awid = ids ? (UInt) v.get(i++) : null;
        wvalid = (Bool) v.get(i++);
        wready = (Bool) v.get(i++);
        wdata = (Bits) v.get(i++);
        wstrb = (Bits) v.get(i++);
        wlast = (Bool) v.get(i++);
        bvalid = (Bool) v.get(i++);
        bready = (Bool) v.get(i++);
        bresp = (Bits) v.get(i++);
        bid = ids ? (UInt) v.get(i++) : null;
        arvalid = (Bool) v.get(i++);
        arready = (Bool) v.get(i++);
        araddr = (UInt) v.get(i++);
        arlen = (UInt) v.get(i++);
        arsize = (UInt) v.get(i++);
        arburst = (Bits) v.get(i++);
        arid = ids ? (UInt) v.get(i++) : null;
        rvalid = (Bool) v.get(i++);
        rready = (Bool) v.get(i++);
        rdata = (Bits) v.get(i++);
        rresp = (Bits) v.get(i++);
        rlast = (Bool) v.get(i++);
        rid = ids ? (UInt) v.get(i) : null;
    }

    /** A template of the interface; {@code out(name, ...)} declares the master side. */
    public static Axi4 master(Axi4Config config) {
        return template(config);
    }

    /** The same template; {@code in(name, ...)} declares the slave side. */
    public static Axi4 slave(Axi4Config config) {
        return template(config);
    }

    private static Axi4 template(Axi4Config config) {
        List<Object> v = new ArrayList<>();
        addAddress(v, config);
        v.addAll(List.of(bool(), bool(), bits(config.dataWidth()), bits(config.dataBytes()), bool()));
        v.addAll(List.of(bool(), bool(), bits(2)));
        if (config.idWidth() > 0) {
            v.add(uint(config.idWidth()));
        }
        addAddress(v, config);
        v.addAll(List.of(bool(), bool(), bits(config.dataWidth()), bits(2), bool()));
        if (config.idWidth() > 0) {
            v.add(uint(config.idWidth()));
        }
        return new Axi4(config, v);
    }

    private static void addAddress(List<Object> v, Axi4Config config) {
        v.addAll(List.of(bool(), bool(), uint(config.addressWidth()), uint(8), uint(3), bits(2)));
        if (config.idWidth() > 0) {
            v.add(uint(config.idWidth()));
        }
    }

    /** The widths this interface was made with. */
    public Axi4Config config() {
        return config;
    }

    @Override
    public List<Member> members() {
        List<Member> m = new ArrayList<>();
        m.add(new Member("awvalid", awvalid, false));
        m.add(new Member("awready", awready, true));
        m.add(new Member("awaddr", awaddr, false));
        m.add(new Member("awlen", awlen, false));
        m.add(new Member("awsize", awsize, false));
        m.add(new Member("awburst", awburst, false));
        if (awid != null) {
            m.add(new Member("awid", awid, false));
        }
        m.add(new Member("wvalid", wvalid, false));
        m.add(new Member("wready", wready, true));
        m.add(new Member("wdata", wdata, false));
        m.add(new Member("wstrb", wstrb, false));
        m.add(new Member("wlast", wlast, false));
        m.add(new Member("bvalid", bvalid, true));
        m.add(new Member("bready", bready, false));
        m.add(new Member("bresp", bresp, true));
        if (bid != null) {
            m.add(new Member("bid", bid, true));
        }
        m.add(new Member("arvalid", arvalid, false));
        m.add(new Member("arready", arready, true));
        m.add(new Member("araddr", araddr, false));
        m.add(new Member("arlen", arlen, false));
        m.add(new Member("arsize", arsize, false));
        m.add(new Member("arburst", arburst, false));
        if (arid != null) {
            m.add(new Member("arid", arid, false));
        }
        m.add(new Member("rvalid", rvalid, true));
        m.add(new Member("rready", rready, false));
        m.add(new Member("rdata", rdata, true));
        m.add(new Member("rresp", rresp, true));
        m.add(new Member("rlast", rlast, true));
        if (rid != null) {
            m.add(new Member("rid", rid, true));
        }
        return m;
    }

    @Override
    public HwInterface withMembers(List<Object> values) {
        return new Axi4(config, values);
    }

    /**
     * For a master that never writes: AW and W idle (valid low, payloads zero, full-width INCR, ID 0) and B
     * accepted, so a stray response cannot hang the interconnect. Call in the module that drives the port.
     */
    public void tieOffWriteChannels() {
        awvalid.set(false);
        awaddr.set(0);
        awlen.set(0);
        awsize.set(config.fullSize());
        awburst.set(AxiAddress.BURST_INCR);
        if (awid != null) {
            awid.set(0);
        }
        wvalid.set(false);
        wdata.set(0);
        wstrb.set(0);
        wlast.set(false);
        bready.set(true);
    }

    /** For a master that never reads: AR idle (valid low, payload zero, full-width INCR, ID 0) and R accepted. */
    public void tieOffReadChannels() {
        arvalid.set(false);
        araddr.set(0);
        arlen.set(0);
        arsize.set(config.fullSize());
        arburst.set(AxiAddress.BURST_INCR);
        if (arid != null) {
            arid.set(0);
        }
        rready.set(true);
    }

    /**
     * The slave's side of write channels nobody serves: {@code awready} and {@code wready} low (a write is never
     * taken), {@code bvalid} low, {@code bresp} OKAY, {@code bid} 0. Call it in the module that declares a slave
     * port, or in the parent of a child master whose write half goes nowhere (a reader's, beside a writer's on one
     * port).
     */
    @dev.tellmej.hdl.ElaborationHelper
    public void tieOffWriteChannelsAsSlave() {
        awready.set(false);
        wready.set(false);
        bvalid.set(false);
        bresp.set(0);
        if (bid != null) {
            bid.set(0);
        }
    }

    /**
     * The slave's side of read channels nobody serves: {@code arready} low (a read is never taken), {@code rvalid}
     * low, {@code rdata} zero, {@code rresp} OKAY, {@code rlast} low, {@code rid} 0; where to call it as for
     * {@link #tieOffWriteChannelsAsSlave}.
     */
    @dev.tellmej.hdl.ElaborationHelper
    public void tieOffReadChannelsAsSlave() {
        arready.set(false);
        rvalid.set(false);
        rdata.set(0);
        rresp.set(0);
        rlast.set(false);
        if (rid != null) {
            rid.set(0);
        }
    }

    /**
     * {@link dev.tellmej.hdl.Hdl#forward} restricted to AR and R: members flowing with the interface go from
     * {@code inner} to {@code outer}, flipped ones from {@code outer} to {@code inner}. With {@code outer} a
     * master port of the module under construction and {@code inner} a child's master port, the child's reads
     * go out through the port; a second child's writes can share it through {@link #forwardWriteChannels}.
     * For two slave ports the arguments swap: {@code forwardReadChannels(child, own)}.
     */
    @dev.tellmej.hdl.ElaborationHelper
    public static void forwardReadChannels(Axi4 outer, Axi4 inner) {
        dev.tellmej.hdl.Hdl.forward(outer.ar(), inner.ar());
        dev.tellmej.hdl.Hdl.forward(inner.r(), outer.r());
    }

    /** {@link dev.tellmej.hdl.Hdl#forward} restricted to AW, W and B, as {@link #forwardReadChannels} for AR and R. */
    @dev.tellmej.hdl.ElaborationHelper
    public static void forwardWriteChannels(Axi4 outer, Axi4 inner) {
        dev.tellmej.hdl.Hdl.forward(outer.aw(), inner.aw());
        dev.tellmej.hdl.Hdl.forward(outer.w(), inner.w());
        dev.tellmej.hdl.Hdl.forward(inner.b(), outer.b());
    }

    /** The write address channel as a stream (master to slave). */
    public Stream<AxiAddress> aw() {
        return new Stream<>(awvalid, awready, new AxiAddress(awaddr, awlen, awsize, awburst, awid));
    }

    /** The write data channel as a stream (master to slave). */
    public Stream<AxiWriteData> w() {
        return new Stream<>(wvalid, wready, new AxiWriteData(wdata, wstrb, wlast));
    }

    /** The write response channel as a stream (slave to master). */
    public Stream<AxiWriteResponse> b() {
        return new Stream<>(bvalid, bready, new AxiWriteResponse(bresp, bid));
    }

    /** The read address channel as a stream (master to slave). */
    public Stream<AxiAddress> ar() {
        return new Stream<>(arvalid, arready, new AxiAddress(araddr, arlen, arsize, arburst, arid));
    }

    /** The read data channel as a stream (slave to master). */
    public Stream<AxiReadData> r() {
        return new Stream<>(rvalid, rready, new AxiReadData(rdata, rresp, rlast, rid));
    }
}
