package dev.tellmej.eda;

/**
 * An FPGA's capacity in the resources the Yosys reports count ({@link ResourceReport}).
 *
 * @param name      the device
 * @param luts      CLB LUTs
 * @param flipFlops CLB flip-flops
 * @param dsp       DSP48E2 slices
 * @param bram36    36 Kb block RAMs (RAMB36E2; each holds two RAMB18E2)
 * @param uram      URAM288 blocks
 */
public record FpgaDevice(String name, int luts, int flipFlops, int dsp, int bram36, int uram) {
    /** The Kria K26 SOM's Zynq UltraScale+ XCK26 (DS987), the KV260's device. */
    public static final FpgaDevice XCK26 = new FpgaDevice("XCK26", 117_120, 234_240, 1_248, 144, 64);
}
