package dev.tellmej.hdl;

import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.AreaNode;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.ir.SourceLocation;

/**
 * A process of the module under construction, written as a small class: it is constructed from the processes
 * whose signals it reads, declares its registers (and the wires and memories that belong to it) in its
 * constructor, and exposes what others read as final fields. Only the process that declared a register
 * assigns it; another process that wants a register to change raises a named event (a {@code Bool} the
 * owner reads), which keeps every register's next state in one place. The emitter writes each process as
 * one section of the module with a banner comment: its combinational logic and one {@code always} block per
 * clock domain.
 *
 * <pre>{@code
 * final class Counter extends Area {
 *     final UInt value;
 *     final Bool wrapped;
 *
 *     Counter(Bool tick) {
 *         super("counter", "counts ticks modulo 10");
 *         value = reg("count", uint(4), 0);
 *         wrapped = tick.and(value.eq(9)).named("wrapped");
 *         when(tick, () -> value.set(mux(wrapped, U(0, 4), value.add(1))));
 *     }
 * }
 *
 * // in a Module's constructor:
 * Counter counter = area(new Counter(tick));
 * }</pre>
 *
 * <p>An area opens when its constructor starts and closes when it is handed to {@link Hdl#area}, in the
 * same way a child module is handed to {@code instance}; areas may nest. Forgetting {@code area(...)} is an
 * {@link HdlUsageException} naming the area.
 */
public abstract class Area {
    private final AreaNode node;
    private final Module module;

    /**
     * Opens a process of the module under construction.
     *
     * @param name        its name in the Verilog banner ({@code sweep}); a Verilog-style identifier
     * @param description one sentence saying what it does, shown under the banner
     */
    protected Area(String name, String description) {
        SourceLocation where = Locations.capture();
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new InvalidParameterException(where, "an area's name is an identifier (letters, digits, '_'), got '"
                    + name + "'");
        }
        Elaboration.Frame frame = Elaboration.current().frame();
        AreaNode parent = frame.areas.isEmpty() ? null : frame.areas.peek().node;
        this.node = new AreaNode(name, description == null ? "" : description.strip(), where, parent);
        this.module = frame.module;
        frame.node.areas().add(node);
        frame.areas.push(this);
    }

    /** The elaborated process (for passes and the emitter). */
    public final AreaNode areaNode() {
        return node;
    }

    /** Closes this area: it must be the innermost one open in the module under construction. */
    final void close() {
        Elaboration.Frame frame = Elaboration.current().frame();
        if (frame.module != module) {
            throw new HdlUsageException(node + " belongs to module " + module.node().baseName()
                    + "; close it with area(...) inside that module");
        }
        Area open = frame.areas.peek();
        if (open != this) {
            throw new HdlUsageException(open == null ? node + " is already closed"
                    : open.node + " is still open inside " + node + ": write area(new ...(...)) for it first");
        }
        frame.areas.pop();
    }
}
