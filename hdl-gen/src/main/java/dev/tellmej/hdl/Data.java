package dev.tellmej.hdl;

import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Kind;
import dev.tellmej.hdl.ir.Signal;

/**
 * A hardware value: a {@link Bool}, {@link Bits}, {@link UInt}, {@link SInt} or {@link HwEnum}.
 *
 * <p>A value is either hardware (a port, wire, register, or an expression over them) or a <em>type
 * template</em> such as {@code uint(8)}, which only says what to declare: {@code in("a", uint(8))}. Using a
 * template as a value is an {@link HdlUsageException}.
 *
 * <p>Values are immutable handles except for one thing: when a child module is placed with
 * {@link Module#instance}, the child's port handles are re-pointed at the parent-side wires, so the parent
 * reads {@code fifo.count} as a signal of its own.
 */
public abstract sealed class Data permits Bool, BitVector, HwEnum {
    private final HwType type;
    private Expr node;

    Data(HwType type, Expr node) {
        if (node != null && !node.type().equals(type)) {
            throw new IllegalArgumentException("node " + node.type() + " does not match " + type);
        }
        this.type = type;
        this.node = node;
    }

    /** Kind and width. */
    public final HwType type() {
        return type;
    }

    /** Width in bits. */
    public final int width() {
        return type.width();
    }

    /** True for a type template made by {@code uint(8)} and friends, which is not hardware yet. */
    public final boolean isTemplate() {
        return node == null;
    }

    /** The expression this value stands for. */
    public final Expr node() {
        if (node == null) {
            throw new HdlUsageException(type + " is a type template, not hardware: declare it first with in(...),"
                    + " out(...), wire(...) or reg(...)");
        }
        return node;
    }

    /** The signal this value is, or null when it is an expression. */
    public final Signal signal() {
        return node instanceof Expr.Ref(Signal s) ? s : null;
    }

    final void rebind(Expr newNode) {
        this.node = newNode;
    }

    /** A new template of the same type. */
    public abstract Data typeTemplate();

    /** The same bits as raw {@link Bits}. */
    public abstract Bits asBits();

    /** Wraps an expression in the value class of its kind. */
    static Data of(Expr expr) {
        return switch (expr.type().kind()) {
            case BOOL -> new Bool(expr);
            case BITS -> new Bits(expr.type(), expr);
            case UINT -> new UInt(expr.type(), expr);
            case SINT -> new SInt(expr.type(), expr);
            case ENUM -> new HwEnum<>(expr.type(), expr);
        };
    }

    /** A template of a type. */
    static Data templateOf(HwType type) {
        return switch (type.kind()) {
            case BOOL -> new Bool(null);
            case BITS -> new Bits(type, null);
            case UINT -> new UInt(type, null);
            case SINT -> new SInt(type, null);
            case ENUM -> new HwEnum<>(type, null);
        };
    }

    /** Assigns {@code value} to this signal (or slice of a signal) in the current block. */
    final void assignFrom(Data value) {
        Elaboration.current().assign(this, value.node());
    }

    @Override
    public String toString() {
        Signal s = node == null ? null : signal();
        return type + (node == null ? " template" : s != null ? " '" + s.name() + "'" : " expression");
    }

    static boolean isSigned(Kind kind) {
        return kind == Kind.SINT;
    }
}
