package dev.tellmej.hdl;

import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Kind;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.SourceLocation;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The language's static vocabulary: type templates, literals, declarations, control flow and elaboration.
 * Use it with {@code import static dev.tellmej.hdl.Hdl.*;}.
 *
 * <p>Everything except templates and literals describes hardware of the module under construction, so it
 * must run inside a Module's constructor during {@link #elaborate}.
 */
public final class Hdl {
    private Hdl() {}

    // ---- type templates ----

    /** Template of a one-bit condition. */
    public static Bool bool() {
        return new Bool(null);
    }

    /** Template of {@code width} raw bits. */
    public static Bits bits(int width) {
        return new Bits(checkedType(Kind.BITS, width), null);
    }

    /** Template of a {@code width}-bit unsigned integer. */
    public static UInt uint(int width) {
        return new UInt(checkedType(Kind.UINT, width), null);
    }

    /** Template of a {@code width}-bit two's-complement integer. */
    public static SInt sint(int width) {
        return new SInt(checkedType(Kind.SINT, width), null);
    }

    /**
     * Template of a value of the enumerated type {@code type} (a state machine's states): binary encoded, its
     * values emitted as {@code localparam}s named after them. Declare a state register with
     * {@code reg("state", enumOf(State.class), State.IDLE)}.
     */
    public static <E extends Enum<E>> HwEnum<E> enumOf(Class<E> type) {
        return HwEnum.template(type);
    }

    /** Template of {@code size} elements shaped like {@code element}. */
    public static <T> Vec<T> vec(int size, T element) {
        if (size < 1) {
            throw new InvalidParameterException(Locations.capture(), "vec size must be at least 1, got " + size);
        }
        List<T> elements = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            elements.add(element);
        }
        return new Vec<>(elements);
    }

    private static HwType checkedType(Kind kind, int width) {
        if (width < 1 || width > HwType.MAX_WIDTH) {
            throw new InvalidParameterException(Locations.capture(),
                    kind.displayName() + " width must be 1.." + HwType.MAX_WIDTH + ", got " + width);
        }
        return new HwType(kind, width);
    }

    // ---- literals ----

    /** Constant true. */
    public static final Bool TRUE = new Bool(new Expr.Literal(HwType.BOOL, BigInteger.ONE));

    /** Constant false. */
    public static final Bool FALSE = new Bool(new Expr.Literal(HwType.BOOL, BigInteger.ZERO));

    /** A Bool constant. */
    public static Bool bool(boolean value) {
        return value ? TRUE : FALSE;
    }

    /** An unsigned constant of {@code width} bits; {@code value} must fit ({@code 0 <= value < 2^width}). */
    public static UInt U(long value, int width) {
        return U(BigInteger.valueOf(value), width);
    }

    /** An unsigned constant of {@code width} bits. */
    public static UInt U(BigInteger value, int width) {
        HwType type = checkedType(Kind.UINT, width);
        BigInteger bits = literalBits(value, type, "literal");
        return new UInt(type, new Expr.Literal(type, bits == null ? BigInteger.ZERO : bits));
    }

    /** An unsigned constant just wide enough for {@code value} (at least 1 bit). */
    public static UInt U(long value) {
        if (value < 0) {
            Elaboration.widthError("UInt literal " + value + " is negative");
            return U(0, 1);
        }
        return U(value, Math.max(1, 64 - Long.numberOfLeadingZeros(value)));
    }

    /** A signed constant of {@code width} bits; {@code -2^(width-1) <= value < 2^(width-1)}. */
    public static SInt S(long value, int width) {
        return S(BigInteger.valueOf(value), width);
    }

    /** A signed constant of {@code width} bits. */
    public static SInt S(BigInteger value, int width) {
        HwType type = checkedType(Kind.SINT, width);
        BigInteger bits = literalBits(value, type, "literal");
        return new SInt(type, new Expr.Literal(type, bits == null ? BigInteger.ZERO : bits));
    }

    /** A bit pattern of {@code width} bits; {@code 0 <= value < 2^width}. */
    public static Bits B(long value, int width) {
        return B(BigInteger.valueOf(value), width);
    }

    /** A bit pattern of {@code width} bits. */
    public static Bits B(BigInteger value, int width) {
        HwType type = checkedType(Kind.BITS, width);
        BigInteger bits = literalBits(value, type, "literal");
        return new Bits(type, new Expr.Literal(type, bits == null ? BigInteger.ZERO : bits));
    }

    static BigInteger literalBits(long value, HwType type, String what) {
        return literalBits(BigInteger.valueOf(value), type, what);
    }

    /**
     * The bit pattern of {@code value} as {@code type}, or null after recording a width error when it does not
     * fit. SInt takes {@code -2^(w-1) .. 2^(w-1)-1}; the others {@code 0 .. 2^w-1}.
     */
    static BigInteger literalBits(BigInteger value, HwType type, String what) {
        int width = type.width();
        boolean fits = type.kind() == Kind.SINT
                ? value.bitLength() < width || (value.signum() == 0)
                : value.signum() >= 0 && value.bitLength() <= width;
        if (!fits) {
            Elaboration.widthError(what + " " + value + " does not fit " + type);
            return null;
        }
        return value.signum() < 0 ? value.add(BigInteger.ONE.shiftLeft(width)) : value;
    }

    // ---- combinators ----

    /** Concatenation, first argument most significant (as in Verilog). */
    public static Bits cat(Data... parts) {
        List<Expr> nodes = new ArrayList<>(parts.length);
        for (Data part : parts) {
            nodes.add(part.node());
        }
        Expr node = Ops.concat(nodes);
        return new Bits(node.type(), node);
    }

    /**
     * {@code select ? whenTrue : whenFalse}. The arms must have the same shape; for Data the same type and width.
     * Records, Vecs and interfaces are multiplexed leaf by leaf.
     */
    @SuppressWarnings("unchecked")
    public static <T> T mux(Bool select, T whenTrue, T whenFalse) {
        if (whenTrue instanceof Data a && whenFalse instanceof Data b) {
            return (T) Data.of(Ops.mux(select.node(), a.node(), b.node()));
        }
        return Shapes.zip(whenTrue, whenFalse, (a, b) -> Data.of(Ops.mux(select.node(), a.node(), b.node())));
    }

    /** All leaves of a shape concatenated, the first declared leaf least significant. */
    public static Bits asBits(Object shape) {
        List<Shapes.Leaf> leaves = Shapes.leaves(shape, "");
        List<Expr> parts = new ArrayList<>(leaves.size());
        for (int i = leaves.size() - 1; i >= 0; i--) {
            parts.add(leaves.get(i).data().node());
        }
        Expr node = Ops.concat(parts);
        return new Bits(node.type(), node);
    }

    /**
     * The leaves of a shape (a Data, record, Vec or interface) in declaration order: the order ports are
     * declared in, and least significant first in {@link #asBits}.
     */
    public static List<Data> leaves(Object shape) {
        List<Data> out = new ArrayList<>();
        for (Shapes.Leaf leaf : Shapes.leaves(shape, "")) {
            out.add(leaf.data());
        }
        return out;
    }

    /** Total width of a shape's leaves. */
    public static int widthOf(Object shape) {
        int width = 0;
        for (Shapes.Leaf leaf : Shapes.leaves(shape, "")) {
            width += leaf.data().width();
        }
        return width;
    }

    /** The inverse of {@link #asBits}: {@code bits} cut into a value shaped like {@code template}. */
    public static <T> T fromBits(T template, Bits bits) {
        int total = widthOf(template);
        if (total != bits.width()) {
            Elaboration.widthError("fromBits: " + bits.type() + " for a shape of " + total + " bits");
        }
        int[] offset = {0};
        return Shapes.rebuild(template, "", (path, leaf, flipped) -> {
            int lo = offset[0];
            offset[0] += leaf.width();
            if (lo + leaf.width() > bits.width()) {
                return Data.of(Ops.placeholder(leaf.type()));
            }
            return Data.of(Ops.reinterpret(Ops.slice(bits.node(), lo, HwType.bits(leaf.width())), leaf.type()));
        });
    }

    /** Assigns every leaf of {@code target} from the same leaf of {@code value} (shapes must match). */
    public static <T> void assign(T target, T value) {
        List<Shapes.Leaf> left = Shapes.leaves(target, "");
        List<Shapes.Leaf> right = Shapes.leaves(value, "");
        if (left.size() != right.size()) {
            throw new HdlUsageException("assign: shapes differ (" + left.size() + " and " + right.size() + " leaves)");
        }
        for (int i = 0; i < left.size(); i++) {
            Data to = left.get(i).data();
            Data from = right.get(i).data();
            if (to.type().kind() != from.type().kind()
                    || !java.util.Objects.equals(to.type().encoding(), from.type().encoding())) {
                Elaboration.widthError("assign " + from.type() + " to " + to.type() + " at '" + left.get(i).path() + "'");
                continue;
            }
            to.assignFrom(from);
        }
    }

    /**
     * Connects two interfaces of the same shape and role, {@code outer} a port of the module under
     * construction and {@code inner} its child's port (or any signals shaped alike): members flowing with
     * the interface ({@code valid}, {@code payload}) go from inner to outer, flipped ones ({@code ready}) from
     * outer to inner. Forwarding a child's master port to the parent's master port is {@code forward(top, child)}.
     */
    public static <T> void forward(T outer, T inner) {
        List<Shapes.Leaf> out = Shapes.leaves(outer, "");
        List<Shapes.Leaf> in = Shapes.leaves(inner, "");
        if (out.size() != in.size()) {
            throw new HdlUsageException("forward: shapes differ (" + out.size() + " and " + in.size() + " leaves)");
        }
        for (int i = 0; i < out.size(); i++) {
            Data a = out.get(i).data();
            Data b = in.get(i).data();
            if (out.get(i).flipped()) {
                b.assignFrom(a);
            } else {
                a.assignFrom(b);
            }
        }
    }

    // ---- declarations ----

    /** A combinational wire (or a shape of wires) named {@code name}. It must be assigned on every path. */
    public static <T> T wire(String name, T template) {
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame frame = elaboration.frame();
        SourceLocation where = Locations.capture();
        return Shapes.rebuild(template, name, (path, leaf, flipped) -> Data.of(new Expr.Ref(
                elaboration.declare(frame, path, leaf.type(), SignalRole.WIRE, Signal.Origin.USER, null, where))));
    }

    /**
     * A combinational wire (or shape of wires) for a value the HDL derives itself: named {@code base}, or
     * {@code base_2}, {@code base_3}... when a name it needs is taken.
     */
    static <T> T generatedWire(String base, T template) {
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame frame = elaboration.frame();
        SourceLocation where = Locations.capture();
        String name = base;
        for (int i = 2; !free(frame, name, template); i++) {
            name = base + "_" + i;
        }
        return Shapes.rebuild(template, name, (path, leaf, flipped) -> Data.of(new Expr.Ref(
                elaboration.declare(frame, path, leaf.type(), SignalRole.WIRE, Signal.Origin.GENERATED, null, where))));
    }

    private static boolean free(Elaboration.Frame frame, String name, Object template) {
        for (Shapes.Leaf leaf : Shapes.leaves(template, name)) {
            if (frame.node.nameInUse(leaf.path())) {
                return false;
            }
        }
        return true;
    }

    /** A register without reset, in the current clock domain. */
    public static <T> T reg(String name, T template) {
        return makeReg(name, template, null);
    }

    /** A register reset to {@code resetValue} (every leaf of a shape gets it), in the current clock domain. */
    public static <T> T reg(String name, T template, long resetValue) {
        return makeReg(name, template, BigInteger.valueOf(resetValue));
    }

    /** A register reset to {@code resetValue}, in the current clock domain. */
    public static <T> T reg(String name, T template, BigInteger resetValue) {
        return makeReg(name, template, resetValue);
    }

    private static <T> T makeReg(String name, T template, BigInteger resetValue) {
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame frame = elaboration.frame();
        SourceLocation where = Locations.capture();
        ClockDomain domain = elaboration.currentDomain();
        if (resetValue != null && domain.node().reset() == null) {
            Elaboration.widthError("register " + name + " has a reset value but clock domain "
                    + domain.node().name() + " has no reset");
        }
        return Shapes.rebuild(template, name, (path, leaf, flipped) -> {
            Signal signal = elaboration.declare(frame, path, leaf.type(), SignalRole.REG, Signal.Origin.USER,
                    domain.node(), where);
            if (resetValue != null && domain.node().reset() != null) {
                BigInteger bits = literalBits(resetValue, leaf.type(), "reset value of " + path);
                signal.setResetValue(bits == null ? BigInteger.ZERO : bits);
            }
            return Data.of(new Expr.Ref(signal));
        });
    }

    /** A register of an enumerated type reset to {@code resetValue}, in the current clock domain. */
    public static <E extends Enum<E>> HwEnum<E> reg(String name, HwEnum<E> template, E resetValue) {
        return makeReg(name, template, BigInteger.valueOf(resetValue.ordinal()));
    }

    /** A register that takes {@code value} every cycle (no reset). */
    public static <T> T regNext(String name, T value) {
        T register = reg(name, templateOf(value));
        assign(register, value);
        return register;
    }

    /** A register that takes {@code value} every cycle, reset to {@code resetValue}. */
    public static <T> T regNext(String name, T value, long resetValue) {
        T register = reg(name, templateOf(value), resetValue);
        assign(register, value);
        return register;
    }

    /** A register that takes {@code value} in cycles where {@code enable} is true (no reset). */
    public static <T> T regNextWhen(String name, T value, Bool enable) {
        T register = reg(name, templateOf(value));
        when(enable, () -> assign(register, value));
        return register;
    }

    /** A register that takes {@code value} in cycles where {@code enable} is true, reset to {@code resetValue}. */
    public static <T> T regNextWhen(String name, T value, Bool enable, long resetValue) {
        T register = reg(name, templateOf(value), resetValue);
        when(enable, () -> assign(register, value));
        return register;
    }

    /** A template with the shape of {@code value}. */
    public static <T> T templateOf(T value) {
        return Shapes.rebuild(value, "", (path, leaf, flipped) -> leaf.typeTemplate());
    }

    /** Names a value: a wire {@code name} assigned from it unconditionally, returned in its place. */
    @SuppressWarnings("unchecked")
    public static <T extends Data> T named(String name, T value) {
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame frame = elaboration.frame();
        SourceLocation where = Locations.capture();
        Signal signal = elaboration.declare(frame, name, value.type(), SignalRole.WIRE, Signal.Origin.USER, null, where);
        frame.node.body().add(new dev.tellmej.hdl.ir.Stmt.Assign(signal, 0, value.width(), value.node(), where));
        return (T) Data.of(new Expr.Ref(signal));
    }

    /**
     * Places a freshly constructed child in the module under construction, from code outside that
     * module's class (library operators): {@code instance("fifo", new SyncFifo(8, 16, RamStyle.DISTRIBUTED))}.
     * Inside a Module subclass, {@link Module#instance} does the same.
     */
    public static <M extends Module> M instance(String name, M child) {
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame childFrame = elaboration.frameOf(child);
        elaboration.pop();
        Elaboration.Frame parent = elaboration.frameOrNull();
        elaboration.push(childFrame);
        if (parent == null) {
            throw new HdlUsageException("instance(...) needs an enclosing module; the top is built by Hdl.elaborate");
        }
        return parent.module.place(name, child);
    }

    /**
     * Closes {@code area}, a process whose constructor has just run in the module under construction, and
     * returns it: {@code Sweep sweep = area(new Sweep(...))}. See {@link Area}.
     */
    public static <A extends Area> A area(A area) {
        area.close();
        return area;
    }

    /**
     * A simulation-only check: on every clock edge of the current clock domain outside reset,
     * {@code condition} must hold, or the simulation stops with {@code message} and this Java line (a
     * {@code SimStopException} in the Verilator bridge). Emitted under {@code `ifndef SYNTHESIS}, so it
     * costs no hardware.
     *
     * @param message what the condition means ("credits never exceed the FIFO depth"); printable ASCII
     */
    public static void assertAlways(Bool condition, String message) {
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame frame = elaboration.frame();
        SourceLocation where = Locations.capture();
        if (message == null || !message.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new InvalidParameterException(where, "an assertion's message is printable ASCII, got: " + message);
        }
        frame.node.assertions().add(new dev.tellmej.hdl.ir.Assertion(condition.node(), message,
                elaboration.currentDomain().node(), frame.currentArea(), where));
    }

    /** A memory of {@code depth} words shaped like {@code word}, in the current clock domain. */
    public static <T extends Data> Mem<T> mem(String name, T word, int depth) {
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame frame = elaboration.frame();
        SourceLocation where = Locations.capture();
        if (depth < 1) {
            throw new InvalidParameterException(where, "memory " + name + " depth must be at least 1, got " + depth);
        }
        String unique = elaboration.claim(frame.node, name, where);
        MemoryNode node = new MemoryNode(unique, word.type(), depth, frame.node, where,
                elaboration.currentDomain().node());
        node.setArea(frame.currentArea());
        frame.node.memories().add(node);
        return new Mem<>(node, word);
    }

    /** Adds a vendor attribute to the signal {@code value} stands for ({@code (* key = "value" *)}). */
    public static void attribute(Data value, String key, String attributeValue) {
        Signal signal = value.signal();
        if (signal == null) {
            throw new HdlUsageException("attributes go on signals; name the expression first with named(...)");
        }
        signal.attributes().put(key, attributeValue);
    }

    /**
     * Marks the register {@code value} as the first stage of a synchronizer: it may sample another clock
     * domain, and gets {@code async_reg} so placement keeps the stages together.
     */
    public static void synchronizerStage(Data value) {
        Signal signal = value.signal();
        if (signal == null || signal.role() != SignalRole.REG) {
            throw new HdlUsageException("synchronizerStage needs a register, got " + value);
        }
        signal.allowCrossing();
        signal.attributes().put("async_reg", "true");
    }

    // ---- control flow ----

    /** Statements that take effect only when {@code condition} holds. */
    public static When when(Bool condition, Runnable body) {
        return When.open(condition, body);
    }

    /** A multi-way branch on {@code selector}. */
    public static Switch switchOn(BitVector<?> selector) {
        return Switch.open(selector);
    }

    /** A multi-way branch on the value of an enumerated type (case labels are the values' names). */
    public static <E extends Enum<E>> EnumSwitch<E> switchOn(HwEnum<E> selector) {
        return EnumSwitch.open(selector);
    }

    /** The clock domain registers made now belong to. */
    public static ClockDomain currentClockDomain() {
        return Elaboration.current().currentDomain();
    }

    /** Runs {@code body} with registers and memories going to {@code domain}. */
    public static void withClockDomain(ClockDomain domain, Runnable body) {
        Elaboration.Frame frame = Elaboration.current().frame();
        if (!frame.node.domains().contains(domain.node())) {
            throw new HdlUsageException(domain + " belongs to another module");
        }
        frame.domains.push(domain);
        try {
            body.run();
        } finally {
            frame.domains.pop();
        }
    }

    // ---- utilities ----

    /**
     * {@code base} if no signal, memory or instance of the current module has that name yet, otherwise
     * {@code base_2}, {@code base_3}, ...: for library operators that name their internals after their source.
     */
    public static String uniqueName(String base) {
        var node = Elaboration.current().frame().node;
        if (!node.nameInUse(base)) {
            return base;
        }
        for (int i = 2; ; i++) {
            String candidate = base + "_" + i;
            if (!node.nameInUse(candidate)) {
                return candidate;
            }
        }
    }

    /** Bits needed to count to {@code n - 1} (at least 1): the address width of a memory of depth n. */
    public static int log2Up(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("log2Up of " + n);
        }
        return Math.max(1, 64 - Long.numberOfLeadingZeros(n - 1));
    }

    /** Bits needed to hold {@code value} (at least 1). */
    public static int bitsFor(long value) {
        return Math.max(1, 64 - Long.numberOfLeadingZeros(value));
    }

    // ---- elaboration ----

    /** Elaborates and checks the design built by {@code top}, with default options. */
    public static <M extends Module> Design<M> elaborate(Supplier<M> top) {
        return elaborate(ElaborationOptions.DEFAULT, top);
    }

    /**
     * Elaborates the design built by {@code top}, runs the check passes, and names the module definitions.
     *
     * @throws dev.tellmej.hdl.check.ElaborationException with every design error found
     */
    public static <M extends Module> Design<M> elaborate(ElaborationOptions options, Supplier<M> top) {
        return Compiler.standard().elaborate(options, top);
    }
}
