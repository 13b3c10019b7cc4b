package dev.tellmej.accel.protocol;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.KernelRegister.Role;
import dev.tellmej.hdl.lib.axi.RegisterMap;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel as the host sees it, for one {@link AcceleratorConfig}: the Vitis RTL kernel {@code tellme} with
 * {@code ap_clk}, {@code ap_rst_n}, an {@code interrupt}, the {@code s_axi_control} register map and its AXI4
 * master ports. This one description gives the register bank's {@link RegisterMap}, the Java constants the
 * devices use, {@code tellme.h} and {@code kernel.xml} (docs/device.md), so none of them can drift.
 *
 * <p>Every pointer argument is bound to one master port, as Vitis requires. The weight ports read the image:
 * the host passes the image's address in {@code image} and in every {@code weights<i>} (on the KV260 every port
 * reaches the same DDR, so one address serves all).
 *
 * @param kernelName the kernel's name
 * @param ports      the AXI4 master ports, weight ports first
 * @param registers  the registers after the control block, in offset order
 */
public record KernelInterface(String kernelName, List<AxiMasterPort> ports, List<KernelRegister> registers) {
    /** Address bits of {@code s_axi_control}. */
    public static final int CONTROL_ADDRESS_BITS = 8;
    /**
     * The register that passes the KV cache's address again for the first data port, where the attention unit
     * reads its V rows (builds with more than one data port).
     */
    public static final String KV_CACHE_VALUES = "kv_cache_values";
    /** Where the status registers start. */
    public static final int STATUS_BASE = 0x80;
    /** Value of the {@code status} register (and the call record's) after a call that succeeded. */
    public static final int STATUS_SUCCEEDED = 1;
    /** Value of the {@code status} register after a call that failed ({@code error_code} says why). */
    public static final int STATUS_FAILED = 2;

    public KernelInterface {
        ports = List.copyOf(ports);
        registers = List.copyOf(registers);
    }

    /** The interface of a build of {@code config}. */
    public static KernelInterface of(AcceleratorConfig config) {
        int bits = config.memory().portBits();
        List<AxiMasterPort> ports = new ArrayList<>();
        int weightPorts = config.memory().weightPorts();
        for (int i = 0; i < weightPorts; i++) {
            ports.add(new AxiMasterPort("m_axi_w" + i, bits, "ternary weights (reads)"));
        }
        int dataPorts = Math.max(1, config.memory().dataPorts());
        for (int i = 0; i < dataPorts; i++) {
            String carries = dataPorts == 1 ? "program, embeddings, norms, LM head, KV cache, I/O"
                    : i == dataPorts - 1 ? "KV cache (K reads, K and V writes)"
                    : i == 0 ? "program, embeddings, norms, LM head, I/O, KV cache V reads"
                    : "program, embeddings, norms, LM head, I/O";
            ports.add(new AxiMasterPort("m_axi_d" + i, bits, carries));
        }
        String dataPort = "m_axi_d0";
        String kvPort = "m_axi_d" + (dataPorts - 1);

        List<KernelRegister> regs = new ArrayList<>();
        regs.add(new KernelRegister("mode", 0x10, 32, Role.SCALAR, "", "0: prefill, 1: decode (CallMode)"));
        regs.add(new KernelRegister("token_count", 0x18, 32, Role.SCALAR, "", "tokens of this call (1 for decode)"));
        regs.add(new KernelRegister("start_position", 0x20, 32, Role.SCALAR, "",
                "KV-cache position of the call's first token"));
        regs.add(new KernelRegister("debug", 0x28, 32, Role.SCALAR, "",
                "bit 0: debug taps on (DebugTaps); the other bits are reserved, 0"));
        regs.add(new KernelRegister("image", 0x30, 64, Role.POINTER, dataPort, "device address of the memory image"));
        regs.add(new KernelRegister("kv_cache", 0x38, 64, Role.POINTER, kvPort, "device address of the KV cache"));
        regs.add(new KernelRegister("io", 0x40, 64, Role.POINTER, dataPort,
                "device address of the I/O region (tokens in, logits out)"));
        int offset = 0x48;
        for (int i = 0; i < weightPorts; i++) {
            regs.add(new KernelRegister("weights" + i, offset, 64, Role.POINTER, "m_axi_w" + i,
                    "the image's address again, for weight port " + i));
            offset += 8;
        }
        if (dataPorts > 1) {
            // The attention unit reads the KV cache's V rows on the first data port: Vitis binds a buffer to the
            // one port of its argument, so the KV cache is passed again for that port.
            regs.add(new KernelRegister(KV_CACHE_VALUES, offset, 64, Role.POINTER, dataPort,
                    "the KV cache's address again, for its V reads on " + dataPort));
            offset += 8;
        }
        if (offset > STATUS_BASE) {
            throw new IllegalArgumentException(weightPorts + " weight ports need pointer registers past 0x"
                    + Integer.toHexString(STATUS_BASE) + "; at most " + (STATUS_BASE - 0x48) / 8 + " fit");
        }
        regs.add(new KernelRegister("status", 0x80, 32, Role.STATUS, "", "1: the last call succeeded, 2: it failed"));
        regs.add(new KernelRegister("error_code", 0x88, 32, Role.STATUS, "", "ErrorCode of the last call (0: none)"));
        regs.add(new KernelRegister("error_detail", 0x90, 32, Role.STATUS, "", "where the error was (ErrorCode)"));
        regs.add(new KernelRegister("position", 0x98, 32, Role.STATUS, "", "KV-cache positions filled after the call"));
        regs.add(new KernelRegister("cycles", 0xA0, 64, Role.STATUS, "", "ap_clk cycles of the last call"));
        regs.add(new KernelRegister("ddr_busy_cycles", 0xA8, 64, Role.STATUS, "",
                "cycles in which some master port moved data"));
        regs.add(new KernelRegister("stall_cycles", 0xB0, 64, Role.STATUS, "",
                "cycles in which compute waited for data"));
        regs.add(new KernelRegister("instructions", 0xB8, 32, Role.STATUS, "", "instructions executed by the call"));
        regs.add(new KernelRegister("argmax", 0xC0, 32, Role.STATUS, "",
                "index of the largest logit of the call's last token (the first on ties)"));
        return new KernelInterface("tellme", ports, regs);
    }

    /** The register called {@code name}. */
    public KernelRegister register(String name) {
        return registers.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("kernel " + kernelName + " has no register '" + name
                        + "'"));
    }

    /** Bytes of the {@code s_axi_control} address space. */
    public static int controlBytes() {
        return 1 << CONTROL_ADDRESS_BITS;
    }

    /** The registers that are kernel arguments (host-written), in offset order. */
    public List<KernelRegister> arguments() {
        return registers.stream().filter(r -> r.role().isArgument()).toList();
    }

    /** The {@code s_axi_control} bank: ap_ctrl_hs at 0x00, arguments read-write, status read-only. */
    public RegisterMap registerMap() {
        RegisterMap.Builder b = RegisterMap.builder(CONTROL_ADDRESS_BITS).control();
        for (KernelRegister r : registers) {
            if (r.role().isArgument()) {
                b.readWrite(r.name(), r.offset(), r.width());
            } else {
                b.readOnly(r.name(), r.offset(), r.width());
            }
        }
        return b.build();
    }
}
