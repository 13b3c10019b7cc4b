package dev.tellmej.accel.board;

import java.util.List;

/**
 * A Vitis embedded platform as the packaging needs it: its name, the kernel clocks it provides, and the memory
 * ports an AXI4 master can be connected to with {@code sp=}. Only what the link configuration uses is here; the
 * platform's own files (its {@code .xpfm}) come from the user's Vitis installation.
 *
 * @param name            the platform's name ({@code xilinx_kv260_base}); v++ finds it on {@code PLATFORM_REPO_PATHS}
 * @param part            the FPGA part (the Vivado project the kernel is packaged in uses it)
 * @param clocksMhz       the fixed kernel clocks the platform provides (MHz), its default first
 * @param memoryPorts     the PS memory ports in the order masters are connected to them (names as {@code sp=} takes
 *                        them); every one reaches the same DDR
 * @param mappedDdrBytes  how much of the DDR the PL can address (bytes): images and KV caches must fit below it
 */
public record VitisPlatform(String name, String part, List<Integer> clocksMhz, List<String> memoryPorts,
        long mappedDdrBytes) {
    /**
     * The KV260's base platform: clocks 150 (default), 300, 200, 100, 75, 400 and 600 MHz; HP0 to HP2 reach the DDR
     * controller directly, HP3 through an interconnect, HPC0 and HPC1 through the coherent interconnect; the PL sees
     * the low 2 GB of the DDR.
     */
    public static final VitisPlatform KV260_BASE = new VitisPlatform("xilinx_kv260_base", "xck26-sfvc784-2LV-c",
            List.of(150, 300, 200, 100, 75, 400, 600), List.of("HP0", "HP1", "HP2", "HP3", "HPC0", "HPC1"),
            2L << 30);

    public VitisPlatform {
        clocksMhz = List.copyOf(clocksMhz);
        memoryPorts = List.copyOf(memoryPorts);
        if (clocksMhz.isEmpty() || memoryPorts.isEmpty()) {
            throw new PackagingException("platform " + name + " needs at least one clock and one memory port");
        }
    }

    /**
     * The same platform under another name: the name v++ finds it by ({@code xilinx_kv260_base_202220_1}) or the
     * path of its {@code .xpfm}, as the user's Vitis installation has it.
     */
    public VitisPlatform named(String platformName) {
        if (platformName == null || platformName.isBlank()) {
            throw new PackagingException("the platform needs a name or an .xpfm path");
        }
        return new VitisPlatform(platformName, part, clocksMhz, memoryPorts, mappedDdrBytes);
    }

    /** The clock the platform gives a kernel that asks for none (MHz). */
    public int defaultClockMhz() {
        return clocksMhz.getFirst();
    }

    /** Whether {@code mhz} is one of the platform's fixed clocks (else v++ must derive it with an MMCM). */
    public boolean hasClock(int mhz) {
        return clocksMhz.contains(mhz);
    }
}
