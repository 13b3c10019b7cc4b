package dev.tellmej.sim;

import dev.tellmej.hdl.ActiveLevel;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.check.IrWalk;
import dev.tellmej.hdl.ir.ClockDomainNode;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import java.util.ArrayList;
import java.util.List;

/**
 * What the simulator needs to know about an elaborated design: the top's ports in declaration order
 * (the shim's port indices), which one is the clock and which the reset, and every memory with the
 * Verilator scope it lives in.
 *
 * @param topName    the top module's Verilog name
 * @param ports      the top's ports; {@code ports.get(i).index() == i}
 * @param clock      index of the clock port the simulator toggles, or -1 for a design without clock
 * @param reset      index of that clock domain's reset port, or -1 when it has none
 * @param resetLevel the reset's active level (LOW for Vitis kernels' {@code ap_rst_n})
 * @param memories   every memory of the hierarchy, parents before children
 */
public record ModelLayout(String topName, List<PortInfo> ports, int clock, int reset, ActiveLevel resetLevel,
        List<MemoryInfo> memories) {

    /**
     * One top-level port.
     *
     * @param index  its position in the port list (the shim's index)
     * @param name   the Verilog name
     * @param width  width in bits
     * @param input  true for an input, false for an output
     * @param signal the IR signal the Java module's handle refers to
     */
    public record PortInfo(int index, String name, int width, boolean input, Signal signal) {
        /** Bytes of Verilator's storage for this port: 1, 2, 4, 8, or 4 per 32-bit word above 64 bits. */
        public int storageBytes() {
            return NativeLayout.storageBytes(width);
        }
    }

    /**
     * One memory of the hierarchy.
     *
     * @param index    its position in the shim's memory table
     * @param path     its path below the top: {@code fifo.ram} for memory {@code ram} of instance {@code fifo}
     * @param scope    the Verilator scope holding it ({@code TOP.StreamPipeline_w16_d16.fifo})
     * @param variable the Verilog name of the array
     * @param module   the Verilog name of the module that declares it
     * @param node     the IR memory
     */
    public record MemoryInfo(int index, String path, String scope, String variable, String module, MemoryNode node) {
        /** Words. */
        public int depth() {
            return node.depth();
        }

        /** Bits per word. */
        public int width() {
            return node.wordType().width();
        }
    }

    /** The layout of {@code design}. */
    public static ModelLayout of(Design<?> design) {
        ModuleNode top = design.top().node();
        List<PortInfo> ports = new ArrayList<>();
        for (Signal port : top.ports()) {
            ports.add(new PortInfo(ports.size(), port.name(), port.width(), port.role() == SignalRole.INPUT, port));
        }
        int clock = -1;
        int reset = -1;
        ActiveLevel level = ActiveLevel.HIGH;
        if (!top.domains().isEmpty()) {
            ClockDomainNode domain = top.domains().getFirst();
            clock = top.ports().indexOf(domain.clock());
            reset = domain.reset() == null ? -1 : top.ports().indexOf(domain.reset());
            level = domain.level();
        }
        List<MemoryInfo> memories = new ArrayList<>();
        String topScope = "TOP." + design.topName();
        for (ModuleNode module : IrWalk.modules(top)) {
            if (module.isBlackBox()) {
                continue;
            }
            String below = belowTop(module.instancePath());
            for (MemoryNode memory : module.memories()) {
                String scope = below.isEmpty() ? topScope : topScope + "." + below;
                String path = below.isEmpty() ? memory.name() : below + "." + memory.name();
                memories.add(new MemoryInfo(memories.size(), path, scope, memory.name(), module.definitionName(),
                        memory));
            }
        }
        return new ModelLayout(design.topName(), List.copyOf(ports), clock, reset, level, List.copyOf(memories));
    }

    /** {@code Top.fifo.ram} without its first segment (the top's base name). */
    private static String belowTop(String instancePath) {
        int dot = instancePath.indexOf('.');
        return dot < 0 ? "" : instancePath.substring(dot + 1);
    }

    /** The port whose IR signal is {@code signal}, or null. */
    public PortInfo portOf(Signal signal) {
        for (PortInfo port : ports) {
            if (port.signal() == signal) {
                return port;
            }
        }
        return null;
    }

    /** The port named {@code name}, or null. */
    public PortInfo portNamed(String name) {
        for (PortInfo port : ports) {
            if (port.name().equals(name)) {
                return port;
            }
        }
        return null;
    }
}
