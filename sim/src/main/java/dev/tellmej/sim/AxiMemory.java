package dev.tellmej.sim;

import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Hdl;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A native AXI4 slave memory serving master ports of the design: the DDR behind an accelerator. It runs
 * inside every native cycle (no Java per cycle), with configurable read and write latency, seeded
 * latency jitter, a limit on bursts in flight and a bandwidth cap in bytes per cycle shared by all its
 * ports ({@link AxiMemoryConfig}), served round robin among the ports that want data (equal shares). FIXED, INCR and WRAP bursts are served; a burst crossing a 4 KB
 * boundary, a misplaced {@code wlast}, or a master changing a stalled channel's payload fails the run
 * with a {@link ProtocolViolationException}, an access outside the memory with an
 * {@link AxiAccessException}. Address ranges can be made to answer SLVERR or DECERR ({@link #injectError}).
 *
 * <p>The contents are {@link #bytes()}, shared with the model without copying: fill them before the
 * run, check them after (or between steps). The model keeps ports' write data in order of arrival and
 * returns read data in order of the read addresses.
 *
 * <pre>{@code
 * AxiMemory ddr = sim.axiMemory(1 << 20, AxiMemoryConfig.DEFAULT.withLatency(20, 10).withBandwidth(76.8));
 * ddr.attach(design.top().gmem);        // or ddr.attach("m_axi_gmem")
 * ddr.bytes().set(ValueLayout.JAVA_INT, 0, 42);
 * }</pre>
 */
public final class AxiMemory {
    private final SimModel model;
    private final int index;
    private final MemorySegment bytes;
    private final AxiMemoryConfig config;
    private final List<String> ports = new ArrayList<>();

    AxiMemory(SimModel model, int index, MemorySegment bytes, AxiMemoryConfig config) {
        this.model = model;
        this.index = index;
        this.bytes = bytes;
        this.config = config;
    }

    /** The memory's contents: byte {@code i} is AXI address {@code baseAddress + i}. */
    public MemorySegment bytes() {
        return bytes;
    }

    public AxiMemoryConfig config() {
        return config;
    }

    /**
     * Serves the AXI4 (or AXI4-Lite) master port whose signals are named {@code prefix_awvalid},
     * {@code prefix_awaddr}, ... Required: valid, ready, address and data of each channel group the port
     * has (a read-only master may lack AW, W and B, a write-only one AR and R); optional: len, size,
     * burst, id, strb, last, resp. The data width is the port's {@code rdata} (or {@code wdata}) width.
     */
    public AxiMemory attach(String prefix) {
        int[] signals = new int[AxiSignal.values().length];
        boolean reads = has(prefix, AxiSignal.ARVALID);
        boolean writes = has(prefix, AxiSignal.AWVALID);
        if (!reads && !writes) {
            throw new NotAPortException(model.topName() + " has no AXI master named " + prefix + " (no "
                    + prefix + "_arvalid or " + prefix + "_awvalid)");
        }
        int dataWidth = -1;
        for (AxiSignal signal : AxiSignal.values()) {
            boolean wanted = signal.readHalf() ? reads : writes;
            String name = prefix + "_" + signal.suffix();
            ModelLayout.PortInfo info = model.layout().portNamed(name);
            if (!wanted || info == null) {
                if (wanted && signal.required) {
                    throw new NotAPortException("AXI port " + prefix + " of " + model.topName() + " lacks " + name);
                }
                signals[signal.ordinal()] = -1;
                continue;
            }
            if (info.input() != signal.slaveDriven()) {
                throw new NotAPortException(name + " should be " + (signal.slaveDriven() ? "an input" : "an output")
                        + " of " + model.topName() + " for a master port");
            }
            if (signal == AxiSignal.RDATA || signal == AxiSignal.WDATA) {
                if (dataWidth >= 0 && dataWidth != info.width()) {
                    throw new IllegalArgumentException(prefix + " has rdata and wdata of different widths");
                }
                dataWidth = info.width();
            }
            signals[signal.ordinal()] = info.index();
        }
        if (dataWidth < 8 || Integer.bitCount(dataWidth) != 1) {
            throw new IllegalArgumentException("AXI data width of " + prefix + " must be a power of two of at least"
                    + " 8 bits, got " + dataWidth);
        }
        if (bytes.byteSize() < dataWidth / 8) {
            throw new IllegalArgumentException("the memory is smaller than one beat of " + prefix);
        }
        model.attachAxi(index, prefix, signals);
        ports.add(prefix);
        return this;
    }

    /**
     * Serves the AXI master port declared as {@code port} by the top module (an {@code Axi4} or
     * {@code Axi4Lite} interface, or any shape whose leaves are named {@code <prefix>_awvalid}, ...).
     */
    public AxiMemory attach(Object port) {
        List<Data> leaves = Hdl.leaves(port);
        for (Data leaf : leaves) {
            String name = model.port(leaf).name();
            for (String suffix : List.of("_awvalid", "_arvalid")) {
                if (name.endsWith(suffix)) {
                    return attach(name.substring(0, name.length() - suffix.length()));
                }
            }
        }
        throw new NotAPortException("no leaf of " + port + " is named <prefix>_awvalid or <prefix>_arvalid");
    }

    /** An error response a slave can give: SLVERR (the slave failed) or DECERR (no slave at the address). */
    public enum ErrorResponse {
        /** Slave error, RRESP/BRESP = 2. */
        SLVERR(2),
        /** Decode error, RRESP/BRESP = 3. */
        DECERR(3);

        private final int code;

        ErrorResponse(int code) {
            this.code = code;
        }

        /** The two-bit RRESP/BRESP value. */
        public int code() {
            return code;
        }
    }

    /**
     * From now on, answers every beat that touches AXI addresses {@code [address, address + bytes)} with
     * {@code response} instead of serving it: such a read beat returns zeros with that RRESP, such a write beat
     * is dropped and its burst's BRESP is that response. The range may lie outside the memory's bytes (a hole
     * in the address map that answers DECERR instead of failing the run with an {@link AxiAccessException}).
     */
    public AxiMemory injectError(long address, long bytes, ErrorResponse response) {
        if (address < 0 || bytes <= 0) {
            throw new IllegalArgumentException("an error range needs a non-negative address and a positive size, got "
                    + address + " and " + bytes);
        }
        model.axiError(index, address, bytes, response.code());
        return this;
    }

    /** The ports this memory serves. */
    public List<String> ports() {
        return List.copyOf(ports);
    }

    /** Traffic so far (outside reset), for throughput and roofline figures. */
    public AxiCounters counters() {
        long[] c = model.axiCounters(index);
        return new AxiCounters(c[0], c[1], c[2], c[3], c[4], c[5]);
    }

    private boolean has(String prefix, AxiSignal signal) {
        return model.layout().portNamed(prefix + "_" + signal.suffix()) != null;
    }

    /**
     * Traffic of an {@link AxiMemory} since it was made, counting cycles outside reset only.
     *
     * @param bytesRead    bytes returned on R channels (beat size times beats)
     * @param bytesWritten bytes accepted on W channels (beat size times beats)
     * @param readBursts   read bursts accepted
     * @param writeBursts  write bursts accepted
     * @param busyCycles   cycles in which at least one data beat moved
     * @param cycles       cycles counted
     */
    public record AxiCounters(long bytesRead, long bytesWritten, long readBursts, long writeBursts, long busyCycles,
            long cycles) {
        /** Bytes moved per counted cycle, both directions. */
        public double bytesPerCycle() {
            return cycles == 0 ? 0 : (bytesRead + bytesWritten) / (double) cycles;
        }
    }
}
