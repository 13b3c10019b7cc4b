package dev.tellmej.hdl;

/** How a clock domain's reset acts on its registers. */
public enum ResetKind {
    /** Sampled on the active clock edge (the Xilinx-recommended style; Vitis kernels use it). */
    SYNC,
    /** Acts immediately, independent of the clock. */
    ASYNC
}
