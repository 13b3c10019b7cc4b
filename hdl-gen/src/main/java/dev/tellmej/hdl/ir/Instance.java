package dev.tellmej.hdl.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A child module placed inside a parent.
 *
 * @param name        the instance name
 * @param child       the child's elaborated module
 * @param connections each child port and the parent signal connected to it, in the child's port order
 * @param parameters  Verilog parameters for a black box ({@code #(.WIDTH(8))}); empty otherwise
 * @param location    where it was instantiated
 */
public record Instance(String name, ModuleNode child, List<Connection> connections, Map<String, Object> parameters,
        SourceLocation location) {
    /** One port connection. The parent signal is a wire made for the port, or a clock or reset. */
    public record Connection(Signal childPort, Signal parentSignal) {}

    public Instance {
        connections = new ArrayList<>(connections);
    }
}
