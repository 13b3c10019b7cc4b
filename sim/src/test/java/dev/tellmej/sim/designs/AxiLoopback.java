package dev.tellmej.sim.designs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import java.util.ArrayList;
import java.util.List;

/**
 * AXI4 master ports {@code m_axi_0}, {@code m_axi_1}, ... wired straight to slave ports {@code host_0},
 * {@code host_1}, ...: a test drives the host ports from Java as an AXI master would, and the memory
 * model serves the master ports, so every beat and cycle of the model can be checked. No registers.
 */
public final class AxiLoopback extends Module {
    public final List<Axi4> hosts = new ArrayList<>();
    public final List<Axi4> masters = new ArrayList<>();

    public AxiLoopback(Axi4Config config, int ports) {
        param("w", config.dataWidth());
        param("p", ports);
        for (int i = 0; i < ports; i++) {
            Axi4 host = in("host_" + i, Axi4.slave(config));
            Axi4 master = out("m_axi_" + i, Axi4.master(config));
            List<Data> from = leaves(host);
            List<Data> to = leaves(master);
            for (int k = 0; k < from.size(); k++) {
                if (from.get(k).signal().role() == SignalRole.INPUT) {
                    assign(to.get(k), from.get(k));
                } else {
                    assign(from.get(k), to.get(k));
                }
            }
            hosts.add(host);
            masters.add(master);
        }
    }
}
