package dev.tellmej.hdl;

import dev.tellmej.hdl.check.AreaOwnershipException;
import dev.tellmej.hdl.check.HdlException;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.NameClashException;
import dev.tellmej.hdl.check.WidthMismatchException;
import dev.tellmej.hdl.ir.AreaNode;
import dev.tellmej.hdl.ir.Block;
import dev.tellmej.hdl.ir.ClockDomainNode;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.SourceLocation;
import dev.tellmej.hdl.ir.Stmt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The state of one elaboration, bound to the elaborating thread: the stack of modules under construction
 * and, per module, the block statements go to and the clock domain registers go to. Design errors are
 * collected here and reported together at the end.
 */
final class Elaboration {
    private static final ThreadLocal<Elaboration> CURRENT = new ThreadLocal<>();

    final ElaborationOptions options;
    private final Deque<Frame> frames = new ArrayDeque<>();
    private final List<HdlException> errors = new ArrayList<>();

    /** One module under construction. */
    static final class Frame {
        final Module module;
        final ModuleNode node;
        final Deque<Block> blocks = new ArrayDeque<>();
        final Deque<ClockDomain> domains = new ArrayDeque<>();
        /** Areas (processes) open in this module, innermost first. */
        final Deque<Area> areas = new ArrayDeque<>();
        ClockDomain implicitDomain;

        /** The innermost open area's node, or null. */
        AreaNode currentArea() {
            return areas.isEmpty() ? null : areas.peek().areaNode();
        }

        /** Fails when an area of this module was never closed with {@code area(...)}. */
        void checkAreasClosed() {
            if (!areas.isEmpty()) {
                AreaNode open = areas.peekLast().areaNode();
                throw new HdlUsageException(open + " of " + node.baseName() + " was never closed: write area(new "
                        + areas.peekLast().getClass().getSimpleName() + "(...)) where it is made");
            }
        }

        Frame(Module module, ModuleNode node) {
            this.module = module;
            this.node = node;
            blocks.push(node.body());
        }
    }

    private Elaboration(ElaborationOptions options) {
        this.options = options;
    }

    static Elaboration begin(ElaborationOptions options) {
        if (CURRENT.get() != null) {
            throw new HdlUsageException("an elaboration is already running on this thread; elaborate designs one at a time");
        }
        Elaboration elaboration = new Elaboration(options);
        CURRENT.set(elaboration);
        return elaboration;
    }

    void end() {
        CURRENT.remove();
    }

    /** The running elaboration. */
    static Elaboration current() {
        Elaboration elaboration = CURRENT.get();
        if (elaboration == null) {
            throw new HdlUsageException("hardware can only be described while elaborating: build the top module"
                    + " inside Hdl.elaborate(() -> new Top(...))");
        }
        return elaboration;
    }

    static boolean active() {
        return CURRENT.get() != null;
    }

    /** Records a width error at the caller's location, or throws it when no elaboration is running. */
    static void widthError(String message) {
        WidthMismatchException error = new WidthMismatchException(Locations.capture(), message);
        Elaboration elaboration = CURRENT.get();
        if (elaboration == null) {
            throw error;
        }
        elaboration.errors.add(error);
    }

    void error(HdlException error) {
        errors.add(error);
    }

    List<HdlException> errors() {
        return errors;
    }

    // ---- module frames ----

    void push(Frame frame) {
        frames.push(frame);
    }

    Frame pop() {
        return frames.pop();
    }

    /** The module under construction. */
    Frame frame() {
        Frame frame = frames.peek();
        if (frame == null) {
            throw new HdlUsageException("no module is under construction: hardware is described inside a Module's constructor");
        }
        return frame;
    }

    Frame frameOrNull() {
        return frames.peek();
    }

    /** Checks that {@code module} is the one under construction (its children were all placed). */
    Frame frameOf(Module module) {
        Frame top = frame();
        if (top.module != module) {
            throw new HdlUsageException("module " + top.node.baseName() + " (created at " + top.node.location()
                    + ") was never placed: write instance(\"name\", new " + top.node.baseName() + "(...))");
        }
        return top;
    }

    // ---- declarations ----

    /** Reserves a name in the current module; a clash is recorded and a unique stand-in name returned. */
    String claim(ModuleNode node, String name, SourceLocation where) {
        SourceLocation previous = node.claimName(name, where);
        if (previous == null) {
            return name;
        }
        error(new NameClashException(where, "'" + name + "' is already declared in " + node.baseName()
                + " at " + previous + "; give it another name"));
        for (int i = 2; ; i++) {
            String candidate = name + "_clash" + i;
            if (node.claimName(candidate, where) == null) {
                return candidate;
            }
        }
    }

    /** Reserves {@code base}, or {@code base_2}, {@code base_3}... for names the HDL derives itself. */
    String claimFresh(ModuleNode node, String base, SourceLocation where) {
        if (node.claimName(base, where) == null) {
            return base;
        }
        for (int i = 2; ; i++) {
            String candidate = base + "_" + i;
            if (node.claimName(candidate, where) == null) {
                return candidate;
            }
        }
    }

    Signal declare(Frame frame, String name, HwType type, SignalRole role, Signal.Origin origin,
            ClockDomainNode domain, SourceLocation where) {
        String unique = origin == Signal.Origin.INSTANCE_PORT ? claimFresh(frame.node, name, where)
                : claim(frame.node, name, where);
        Signal signal = new Signal(unique, type, role, frame.node, where, origin, domain);
        if (!role.isPort()) {
            signal.setArea(frame.currentArea());
        }
        if (role.isPort()) {
            if (origin == Signal.Origin.CLOCK) {
                int clocks = (int) frame.node.ports().stream().filter(p -> p.origin() == Signal.Origin.CLOCK).count();
                frame.node.ports().add(clocks, signal);
            } else {
                frame.node.ports().add(signal);
            }
        } else {
            frame.node.signals().add(signal);
        }
        return signal;
    }

    // ---- statements ----

    void add(Stmt statement) {
        frame().blocks.peek().add(statement);
    }

    /** Runs {@code body} with statements going to {@code block}. */
    void inBlock(Block block, Runnable body) {
        Frame frame = frame();
        frame.blocks.push(block);
        try {
            body.run();
        } finally {
            frame.blocks.pop();
        }
    }

    /** Assigns {@code value} to the signal (or constant slice of a signal) that {@code target} stands for. */
    void assign(Data target, Expr value) {
        SourceLocation where = Locations.capture();
        Expr node = target.node();
        Signal signal;
        int lo;
        if (node instanceof Expr.Ref(Signal s)) {
            signal = s;
            lo = 0;
        } else if (node instanceof Expr.Slice(Expr.Ref(Signal s), int sliceLo, HwType type)) {
            signal = s;
            lo = sliceLo;
        } else if (node instanceof Expr.Reinterpret(Expr.Ref(Signal s), HwType type)) {
            signal = s;
            lo = 0;
        } else {
            throw new HdlUsageException(where + ": cannot assign to " + target
                    + ": only signals (ports, wires, registers) and constant slices of them are assignable");
        }
        checkOwner(signal.role() == SignalRole.REG ? signal.area() : null, "register '" + signal.name() + "'", where);
        add(new Stmt.Assign(signal, lo, target.width(), value, where));
    }

    /**
     * Records an error when state owned by {@code owner} (a register or memory of an area) is written from
     * outside that area: only the owning process decides its next state.
     */
    void checkOwner(AreaNode owner, String what, SourceLocation where) {
        if (owner == null) {
            return;
        }
        AreaNode current = frame().currentArea();
        if (current != owner) {
            error(new AreaOwnershipException(where, what + " belongs to " + owner + " and only that process"
                    + " assigns it, but this assignment is made " + (current == null ? "outside any area"
                    : "in " + current) + "; raise an event (a Bool the owner reads) and let the owner update it"));
        }
    }

    // ---- clock domains ----

    /** The domain registers made now belong to. */
    ClockDomain currentDomain() {
        Frame frame = frame();
        return frame.domains.isEmpty() ? implicitDomain(frame) : frame.domains.peek();
    }

    /** The module's implicit domain, creating its clock and reset ports on first use. */
    ClockDomain implicitDomain(Frame frame) {
        if (frame.implicitDomain == null) {
            ClockDomainConfig config = options.clockDomain();
            SourceLocation where = frame.node.location();
            Signal clock = declare(frame, config.clockName(), HwType.BOOL, SignalRole.INPUT, Signal.Origin.CLOCK, null, where);
            Signal reset = config.resetName() == null ? null
                    : declare(frame, config.resetName(), HwType.BOOL, SignalRole.INPUT, Signal.Origin.CLOCK, null, where);
            ClockDomainNode node = new ClockDomainNode(config.clockName(), clock, reset, config.kind(), config.level());
            frame.node.domains().add(node);
            frame.implicitDomain = new ClockDomain(node);
        }
        return frame.implicitDomain;
    }
}
