package dev.tellmej.sim;

import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * Handshake checks that run natively before every clock edge (outside reset): once valid is high it
 * must stay high, with the payload unchanged, until ready is high too. A violation fails the next
 * {@code step} with a {@link ProtocolViolationException} naming the port, the signal and the cycle.
 *
 * <p>Checks on the channels an {@link AxiMemory} serves are built in; use {@link #axi} for other AXI
 * ports, such as a kernel's AXI4-Lite control slave.
 */
public final class ProtocolChecker {
    private ProtocolChecker() {}

    /** Checks the top-level stream {@code stream} (the side that drives valid is the one checked). */
    public static void stream(SimModel sim, Stream<?> stream) {
        StreamPorts ports = new StreamPorts(sim, stream);
        sim.addStreamCheck(ports.name, ports.valid, ports.ready, ports.payload);
    }

    /**
     * Checks every channel of the AXI4 or AXI4-Lite port {@code port} whose valid the design drives:
     * AW, W and AR for a master port, B and R for a slave port.
     */
    public static void axi(SimModel sim, Object port) {
        List<Port> ports = new ArrayList<>();
        for (Data leaf : Hdl.leaves(port)) {
            ports.add(sim.port(leaf));
        }
        String prefix = null;
        for (Port p : ports) {
            if (p.name().endsWith("_awvalid")) {
                prefix = p.name().substring(0, p.name().length() - "_awvalid".length());
            } else if (prefix == null && p.name().endsWith("_arvalid")) {
                prefix = p.name().substring(0, p.name().length() - "_arvalid".length());
            }
        }
        if (prefix == null) {
            throw new NotAPortException(port + " has no <prefix>_awvalid or <prefix>_arvalid port");
        }
        for (String channel : List.of("aw", "w", "b", "ar", "r")) {
            Port valid = named(ports, prefix + "_" + channel + "valid");
            Port ready = named(ports, prefix + "_" + channel + "ready");
            if (valid == null || ready == null || valid.isInput()) {
                continue;
            }
            List<Port> payload = new ArrayList<>();
            for (Port p : ports) {
                if (p.name().startsWith(prefix + "_" + channel) && p != valid && p != ready) {
                    payload.add(p);
                }
            }
            sim.addStreamCheck(prefix + " " + channel.toUpperCase(java.util.Locale.ROOT), valid, ready, payload);
        }
    }

    private static Port named(List<Port> ports, String name) {
        for (Port p : ports) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }
}
