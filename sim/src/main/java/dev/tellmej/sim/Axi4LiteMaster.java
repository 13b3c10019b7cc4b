package dev.tellmej.sim;

import dev.tellmej.hdl.lib.axi.Axi4Lite;

/**
 * Drives a design's AXI4-Lite slave port (a kernel's {@code s_axi_control}) the way a host does: one
 * transaction at a time, stepping the model until it completes. Each call takes as many cycles as the
 * design needs; a transaction that does not complete within {@link #timeoutCycles} cycles throws a
 * {@link SimTimeoutException}, and a response other than OKAY an {@link IllegalStateException}. The
 * channels the design drives (B, R) are checked natively ({@link ProtocolChecker#axi}).
 *
 * <pre>{@code
 * Axi4LiteMaster host = new Axi4LiteMaster(sim, top.control);
 * host.write64(0x10, sourceAddress);
 * host.write(0x00, 1);                           // ap_start
 * while ((host.read(0x00) & 2) == 0) {}          // poll ap_done
 * }</pre>
 */
public final class Axi4LiteMaster {
    private final SimModel sim;
    private final Port awvalid, awready, awaddr, wvalid, wready, wdata, wstrb, bvalid, bready, bresp;
    private final Port arvalid, arready, araddr, rvalid, rready, rdata, rresp;
    private long timeoutCycles = 10_000;

    /** A master for the top-level slave port {@code port}; drives its valids and readies low. */
    public Axi4LiteMaster(SimModel sim, Axi4Lite port) {
        this.sim = sim;
        awvalid = sim.port(port.awvalid);
        awready = sim.port(port.awready);
        awaddr = sim.port(port.awaddr);
        wvalid = sim.port(port.wvalid);
        wready = sim.port(port.wready);
        wdata = sim.port(port.wdata);
        wstrb = sim.port(port.wstrb);
        bvalid = sim.port(port.bvalid);
        bready = sim.port(port.bready);
        bresp = sim.port(port.bresp);
        arvalid = sim.port(port.arvalid);
        arready = sim.port(port.arready);
        araddr = sim.port(port.araddr);
        rvalid = sim.port(port.rvalid);
        rready = sim.port(port.rready);
        rdata = sim.port(port.rdata);
        rresp = sim.port(port.rresp);
        for (Port p : new Port[] {awvalid, wvalid, bready, arvalid, rready}) {
            p.set(0);
        }
        ProtocolChecker.axi(sim, port);
    }

    /** Cycles a transaction may take before it counts as hung (default 10,000). */
    public Axi4LiteMaster timeoutCycles(long cycles) {
        this.timeoutCycles = cycles;
        return this;
    }

    /** Writes the 32-bit word {@code data} at byte address {@code address} (all byte strobes). */
    public void write(long address, long data) {
        write(address, data, 0xf);
    }

    /** Writes the bytes of {@code data} enabled by {@code strobe} (bit i: byte i). */
    public void write(long address, long data, int strobe) {
        awaddr.set(address);
        awvalid.set(1);
        wdata.set(data & 0xffff_ffffL);
        wstrb.set(strobe);
        wvalid.set(1);
        bready.set(1);
        boolean addressSent = false;
        boolean dataSent = false;
        long start = sim.cycle();
        while (!addressSent || !dataSent) {
            boolean addressNow = !addressSent && awready.get() != 0;
            boolean dataNow = !dataSent && wready.get() != 0;
            tick(start, "AXI4-Lite write to 0x" + Long.toHexString(address) + " (address and data)");
            if (addressNow) {
                addressSent = true;
                awvalid.set(0);
            }
            if (dataNow) {
                dataSent = true;
                wvalid.set(0);
            }
        }
        while (bvalid.get() == 0) {
            tick(start, "AXI4-Lite write response for 0x" + Long.toHexString(address));
        }
        long response = bresp.get();
        tick(start, "AXI4-Lite write response for 0x" + Long.toHexString(address));
        bready.set(0);
        if (response != 0) {
            throw new IllegalStateException("AXI4-Lite write to 0x" + Long.toHexString(address) + " got response "
                    + response + " in cycle " + sim.cycle());
        }
    }

    /** Writes a 64-bit value as two words, the low one at {@code address}, the high one at {@code address + 4}. */
    public void write64(long address, long value) {
        write(address, value & 0xffff_ffffL);
        write(address + 4, value >>> 32);
    }

    /** Reads the 32-bit word at byte address {@code address}. */
    public long read(long address) {
        araddr.set(address);
        arvalid.set(1);
        rready.set(1);
        long start = sim.cycle();
        while (arready.get() == 0) {
            tick(start, "AXI4-Lite read address 0x" + Long.toHexString(address));
        }
        tick(start, "AXI4-Lite read address 0x" + Long.toHexString(address));
        arvalid.set(0);
        while (rvalid.get() == 0) {
            tick(start, "AXI4-Lite read data from 0x" + Long.toHexString(address));
        }
        long data = rdata.get();
        long response = rresp.get();
        tick(start, "AXI4-Lite read data from 0x" + Long.toHexString(address));
        rready.set(0);
        if (response != 0) {
            throw new IllegalStateException("AXI4-Lite read of 0x" + Long.toHexString(address) + " got response "
                    + response + " in cycle " + sim.cycle());
        }
        return data;
    }

    /** Reads a 64-bit value from two words, the low one at {@code address}. */
    public long read64(long address) {
        return read(address) | read(address + 4) << 32;
    }

    private void tick(long start, String what) {
        if (sim.cycle() - start >= timeoutCycles) {
            throw new SimTimeoutException(what, timeoutCycles, sim.cycle());
        }
        sim.step(1);
    }
}
