package dev.tellmej.cli;

/**
 * The stages of the end-to-end pipeline the demo walks through, and whether each exists yet.
 * A stage flips to built when the issue that delivers it lands; the demo never pretends otherwise.
 */
enum PipelineStage {
    HDL_LANGUAGE("hdl-gen language and Verilog emitter", true),
    SIMULATION("Verilator simulation driven from Java", true),
    SOFTWARE_MODEL("software model: model files, tokenizer, float and hardware-exact inference", true),
    TLMM_ENGINE("accelerator: TLMM engine and URAM weight buffers", true),
    ELEMENTWISE("accelerator: floating-point element-wise datapath", true),
    ATTENTION("accelerator: prefill and decode attention unit over the DDR KV cache", true),
    LM_HEAD("accelerator: the int8 LM head unit", true),
    MEMORY_IMAGE("memory image, program compiler and the Java reference device", true),
    KERNEL("accelerator: the whole kernel (sequencer, on-chip buffers, Vitis RTL-kernel interface; on the KV260"
            + " projection decode meets its target, prefill does not: docs/kernel.md)", true),
    OPENCL_DEVICE("host runtime: the OpenCL device (the kernel's OpenCL C twin on PoCL; XRT path pending)", true),
    RTL_DEVICE("host runtime: the RTL device (the kernel in Verilator, driven as the board is)", true);

    private final String description;
    private final boolean built;

    PipelineStage(String description, boolean built) {
        this.description = description;
        this.built = built;
    }

    String description() {
        return description;
    }

    boolean built() {
        return built;
    }
}
