package dev.tellmej.sim;

/**
 * The signals of an AXI4 port the native memory model knows, in the order of its signal table
 * ({@code AxiSig} in tlm_runtime.h). A port named {@code m_axi_gmem} has {@code m_axi_gmem_awvalid}, ...
 */
enum AxiSignal {
    AWVALID(true), AWREADY(true), AWADDR(true), AWLEN(false), AWSIZE(false), AWBURST(false), AWID(false),
    WVALID(true), WREADY(true), WDATA(true), WSTRB(false), WLAST(false),
    BVALID(true), BREADY(true), BRESP(false), BID(false),
    ARVALID(true), ARREADY(true), ARADDR(true), ARLEN(false), ARSIZE(false), ARBURST(false), ARID(false),
    RVALID(true), RREADY(true), RDATA(true), RRESP(false), RLAST(false), RID(false);

    /** True when a port that has this signal's channel group (read or write) must have it. */
    final boolean required;

    AxiSignal(boolean required) {
        this.required = required;
    }

    /** The suffix of the port name: {@code awvalid}. */
    String suffix() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** True for the read half (AR, R). */
    boolean readHalf() {
        return ordinal() >= ARVALID.ordinal();
    }

    /** True for signals the slave drives (inputs of the design under test). */
    boolean slaveDriven() {
        return switch (this) {
            case AWREADY, WREADY, BVALID, BRESP, BID, ARREADY, RVALID, RDATA, RRESP, RLAST, RID -> true;
            default -> false;
        };
    }
}
