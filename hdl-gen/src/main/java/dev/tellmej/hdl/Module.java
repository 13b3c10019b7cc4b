package dev.tellmej.hdl;

import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.UndrivenSignalException;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Instance;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.SourceLocation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hardware module. Subclasses describe their hardware in the constructor: ports with {@link #in} and
 * {@link #out}, logic with the static helpers of {@link Hdl} ({@code wire}, {@code reg}, {@code when}, ...),
 * children with {@link #instance}.
 *
 * <pre>{@code
 * public final class Counter extends Module {
 *     public final Bool enable = in("enable", bool());
 *     public final UInt count = out("count", uint(8));
 *
 *     public Counter() {
 *         UInt value = reg("value", uint(8), 0);
 *         when(enable, () -> value.set(value.add(1)));
 *         count.set(value);
 *     }
 * }
 * }</pre>
 *
 * <p>The module's Verilog name is its class's simple name followed by its parameters
 * ({@link #param}): {@code SyncFifo_w64_d512}. Modules that elaborate to the same Verilog are emitted once.
 */
public abstract class Module {
    private final ModuleNode node;
    private final List<PortHandle> portHandles = new ArrayList<>();
    private Module parent;
    private String instanceName;

    private record PortHandle(Signal port, Data handle) {}

    protected Module() {
        Elaboration elaboration = Elaboration.current();
        SourceLocation where = Locations.capture();
        this.node = new ModuleNode(getClass(), getClass().getSimpleName(), where);
        Elaboration.Frame enclosing = elaboration.frameOrNull();
        this.parent = enclosing == null ? null : enclosing.module;
        elaboration.push(new Elaboration.Frame(this, node));
    }

    /** The elaborated contents (for passes, emitters and tools). */
    public final ModuleNode node() {
        return node;
    }

    /** The instance name given by the parent, or null for the top. */
    public final String instanceName() {
        return instanceName;
    }

    /** The enclosing module, or null for the top. */
    public final Module parent() {
        return parent;
    }

    /** Sets the name the Verilog module starts with (default: the class's simple name). */
    protected final void baseName(String name) {
        frame();
        if (!node.parameters().isEmpty() || name.isEmpty()) {
            throw new HdlUsageException("call baseName before param, with a non-empty name");
        }
        node.setBaseName(name);
    }

    /**
     * Declares a generator parameter. It becomes part of the Verilog module name
     * ({@code param("w", 64)} makes {@code _w64}) and of the file's header comment ({@code w = 64}). With an
     * empty name the value is a tag that says what it is on its own: {@code param("", "fp16")} makes
     * {@code _fp16} and lists {@code fp16}.
     */
    protected final void param(String name, Object value) {
        frame();
        node.parameters().put(name, value);
    }

    /** Declares an input port (for interfaces: the slave side; flipped members become outputs). */
    protected final <T> T in(String name, T template) {
        return port(name, template, false);
    }

    /** Declares an output port (for interfaces: the master side; flipped members become inputs). */
    protected final <T> T out(String name, T template) {
        return port(name, template, true);
    }

    /** Declares the master side of an interface: the same as {@link #out}. */
    protected final <T extends HwInterface> T master(String name, T template) {
        return port(name, template, true);
    }

    /** Declares the slave side of an interface: the same as {@link #in}. */
    protected final <T extends HwInterface> T slave(String name, T template) {
        return port(name, template, false);
    }

    private <T> T port(String name, T template, boolean output) {
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame frame = elaboration.frameOf(this);
        SourceLocation where = Locations.capture();
        return Shapes.rebuild(template, name, (path, leaf, flipped) -> {
            SignalRole role = output ^ flipped ? SignalRole.OUTPUT : SignalRole.INPUT;
            Signal signal = elaboration.declare(frame, path, leaf.type(), role, Signal.Origin.USER, null, where);
            Data handle = Data.of(new Expr.Ref(signal));
            portHandles.add(new PortHandle(signal, handle));
            return handle;
        });
    }

    /**
     * Places a child module. Call it on the freshly constructed child: {@code instance("fifo", new SyncFifo(...))}.
     * Afterwards the child's port handles are the parent's wires {@code fifo_<port>}: drive its inputs with
     * {@code set}, read its outputs. Its clock and reset follow the parent's current clock domain.
     *
     * @return the child, for reading its ports
     */
    protected final <M extends Module> M instance(String name, M placed) {
        return place(name, placed);
    }

    /** Places {@code placed} as a child of this module; {@link Hdl#instance} and {@link #instance} use it. */
    final <M extends Module> M place(String name, M placed) {
        Module child = placed;
        Elaboration elaboration = Elaboration.current();
        SourceLocation where = Locations.capture();
        Elaboration.Frame childFrame = elaboration.frameOf(child);
        childFrame.checkAreasClosed();
        elaboration.pop();
        Elaboration.Frame frame = elaboration.frameOf(this);
        child.parent = this;
        String unique = elaboration.claim(node, name, where);
        child.instanceName = unique;

        List<Instance.Connection> connections = new ArrayList<>();
        ClockDomain domain = null;
        for (Signal port : child.node.ports()) {
            if (port.origin() == Signal.Origin.CLOCK) {
                if (domain == null) {
                    domain = elaboration.currentDomain();
                }
                Signal target = port == childDomainClock(childFrame) ? domain.node().clock() : domain.node().reset();
                if (target == null) {
                    elaboration.error(new UndrivenSignalException(where, "child " + child.node.baseName()
                            + " needs a reset but clock domain " + domain.node().name() + " of " + node.baseName()
                            + " has none"));
                    continue;
                }
                connections.add(new Instance.Connection(port, target));
            }
        }
        for (PortHandle handle : child.portHandles) {
            Signal wire = elaboration.declare(frame, unique + "_" + handle.port().name(), handle.port().type(),
                    SignalRole.WIRE, Signal.Origin.INSTANCE_PORT, null, where);
            connections.add(new Instance.Connection(handle.port(), wire));
            handle.handle().rebind(new Expr.Ref(wire));
        }
        Map<String, Object> parameters = child instanceof BlackBox box ? box.verilogParameters() : Map.of();
        node.instances().add(new Instance(unique, child.node, connections, new LinkedHashMap<>(parameters), where));
        return placed;
    }

    private static Signal childDomainClock(Elaboration.Frame childFrame) {
        return childFrame.implicitDomain == null ? null : childFrame.implicitDomain.node().clock();
    }

    /** The implicit clock domain of this module (creating its clock and reset ports on first use). */
    protected final ClockDomain clockDomain() {
        return Elaboration.current().implicitDomain(frame());
    }

    /**
     * Declares another clock domain with its own clock (and optional reset) inputs.
     *
     * @param resetName the reset input's name, or null for none
     */
    protected final ClockDomain clockDomain(String clockName, String resetName, ResetKind kind, ActiveLevel level) {
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame frame = frame();
        SourceLocation where = Locations.capture();
        Signal clock = elaboration.declare(frame, clockName, HwType.BOOL, SignalRole.INPUT, Signal.Origin.USER, null, where);
        Signal reset = resetName == null ? null
                : elaboration.declare(frame, resetName, HwType.BOOL, SignalRole.INPUT, Signal.Origin.USER, null, where);
        var domainNode = new dev.tellmej.hdl.ir.ClockDomainNode(clockName, clock, reset, kind, level);
        node.domains().add(domainNode);
        return new ClockDomain(domainNode);
    }

    private Elaboration.Frame frame() {
        return Elaboration.current().frameOf(this);
    }
}
