package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Kind;

/**
 * A value of several bits: {@link Bits}, {@link UInt} or {@link SInt}. Operations shared by all three live
 * here; each returns the caller's own kind.
 *
 * <p>Width rules (a breach is a {@link dev.tellmej.hdl.check.WidthMismatchException}, reported with the
 * other errors of the elaboration, and the operation returns a stand-in so elaboration can go on):
 * <ul>
 *   <li>{@code and}, {@code or}, {@code xor}: both operands of equal width; {@code not} keeps the width.
 *   <li>{@code slice(hi, lo)}: {@code 0 <= lo <= hi < width}; result width {@code hi - lo + 1}, same kind.
 *   <li>{@code shl(n)} widens by n (no bit lost), {@code shr(n)} narrows by n ({@code n < width});
 *       {@code shlKeep(amount)}/{@code shrKeep(amount)} shift by a run-time amount and keep the width.
 *   <li>{@code resize(w)} extends (zero for Bits and UInt, sign for SInt) or drops high bits;
 *       {@code trunc(w)} only narrows ({@code w <= width}); the extensions only widen.
 *   <li>Assignment ({@code set}) needs the same kind (enforced by Java's types) and the same width.
 * </ul>
 *
 * @param <T> the concrete kind, so that operations return it
 */
public abstract sealed class BitVector<T extends BitVector<T>> extends Data permits Bits, Numeric {
    BitVector(HwType type, Expr node) {
        super(type, node);
    }

    /** Makes a value of this kind. */
    abstract T make(HwType type, Expr node);

    /** This kind at another width. */
    final HwType typeOf(int width) {
        return new HwType(type().kind(), width);
    }

    final T make(Expr node) {
        return make(node.type(), node);
    }

    @Override
    public abstract T typeTemplate();

    // ---- bit access ----

    /** Bits {@code hi} down to {@code lo}, as this kind. */
    public T slice(int hi, int lo) {
        if (lo < 0 || hi < lo || hi >= width()) {
            Elaboration.widthError("slice(" + hi + ", " + lo + ") is outside " + type() + " (bits " + (width() - 1) + "..0)");
            return make(Ops.placeholder(typeOf(Math.max(1, Math.min(width(), hi - lo + 1)))));
        }
        return make(Ops.slice(node(), lo, typeOf(hi - lo + 1)));
    }

    /** Bit {@code index}. */
    public Bool bit(int index) {
        if (index < 0 || index >= width()) {
            Elaboration.widthError("bit(" + index + ") is outside " + type());
            return new Bool(Ops.placeholder(HwType.BOOL));
        }
        return new Bool(Ops.slice(node(), index, HwType.BOOL));
    }

    /** The bit selected by a run-time index; an index past the top gives 0. */
    public Bool bit(UInt index) {
        return new Bool(new Expr.BitSelect(node(), index.node()));
    }

    /** The most significant bit. */
    public Bool msb() {
        return bit(width() - 1);
    }

    /** The least significant bit. */
    public Bool lsb() {
        return bit(0);
    }

    /** The low {@code count} bits. */
    public T lsbs(int count) {
        return slice(count - 1, 0);
    }

    /** The high {@code count} bits. */
    public T msbs(int count) {
        return slice(width() - 1, width() - count);
    }

    // ---- logic ----

    public T and(T other) {
        return make(Ops.bitwise(Expr.BinaryOp.AND, node(), other.node()));
    }

    public T or(T other) {
        return make(Ops.bitwise(Expr.BinaryOp.OR, node(), other.node()));
    }

    public T xor(T other) {
        return make(Ops.bitwise(Expr.BinaryOp.XOR, node(), other.node()));
    }

    public T not() {
        return make(new Expr.Unary(Expr.UnaryOp.NOT, node(), type()));
    }

    /** AND of all bits. */
    public Bool andR() {
        return new Bool(new Expr.Unary(Expr.UnaryOp.AND_REDUCE, node(), HwType.BOOL));
    }

    /** OR of all bits (true when not zero). */
    public Bool orR() {
        return new Bool(new Expr.Unary(Expr.UnaryOp.OR_REDUCE, node(), HwType.BOOL));
    }

    /** XOR of all bits (parity). */
    public Bool xorR() {
        return new Bool(new Expr.Unary(Expr.UnaryOp.XOR_REDUCE, node(), HwType.BOOL));
    }

    // ---- shifts ----

    /** Shift left by a constant, widening by {@code n}: no bit is lost. */
    public T shl(int n) {
        if (n < 0) {
            Elaboration.widthError("shl(" + n + "): negative shift");
            return make(node());
        }
        if (n == 0) {
            return make(node());
        }
        return make(new Expr.ShiftConst(Expr.ShiftOp.LEFT, node(), n, typeOf(width() + n)));
    }

    /** Shift right by a constant, dropping the {@code n} low bits (arithmetic for SInt). */
    public T shr(int n) {
        if (n < 0 || n >= width()) {
            Elaboration.widthError("shr(" + n + ") leaves no bits of " + type());
            return make(Ops.placeholder(typeOf(Math.max(1, width() - Math.max(0, n)))));
        }
        if (n == 0) {
            return make(node());
        }
        Expr.ShiftOp op = type().kind() == Kind.SINT ? Expr.ShiftOp.RIGHT_ARITHMETIC : Expr.ShiftOp.RIGHT_LOGICAL;
        return make(new Expr.ShiftConst(op, node(), n, typeOf(width() - n)));
    }

    /** Shift left by a run-time amount, keeping the width (high bits fall off). */
    public T shlKeep(UInt amount) {
        return make(new Expr.ShiftDynamic(Expr.ShiftOp.LEFT, node(), amount.node(), type()));
    }

    /** Shift right by a run-time amount, keeping the width (arithmetic for SInt, logical otherwise). */
    public T shrKeep(UInt amount) {
        Expr.ShiftOp op = type().kind() == Kind.SINT ? Expr.ShiftOp.RIGHT_ARITHMETIC : Expr.ShiftOp.RIGHT_LOGICAL;
        return make(new Expr.ShiftDynamic(op, node(), amount.node(), type()));
    }

    /** Rotate left by a constant, keeping the width. */
    public T rotateLeft(int n) {
        int k = Math.floorMod(n, width());
        if (k == 0) {
            return make(node());
        }
        return make(Ops.reinterpret(Ops.concat(java.util.List.of(
                Ops.slice(node(), 0, HwType.bits(width() - k)),
                Ops.slice(node(), width() - k, HwType.bits(k)))), type()));
    }

    /** Rotate right by a constant, keeping the width. */
    public T rotateRight(int n) {
        return rotateLeft(-n);
    }

    // ---- width changes ----

    /** Extend (zero for Bits and UInt, sign for SInt) or truncate to {@code newWidth}. */
    public T resize(int newWidth) {
        if (newWidth < 1) {
            Elaboration.widthError("resize(" + newWidth + "): width must be at least 1");
            return make(node());
        }
        if (newWidth == width()) {
            return make(node());
        }
        if (newWidth < width()) {
            return make(Ops.slice(node(), 0, typeOf(newWidth)));
        }
        return make(new Expr.Extend(node(), type().kind() == Kind.SINT, typeOf(newWidth)));
    }

    /** Keep the low {@code newWidth} bits; {@code newWidth} must not exceed the width. */
    public T trunc(int newWidth) {
        if (newWidth < 1 || newWidth > width()) {
            Elaboration.widthError("trunc(" + newWidth + ") cannot widen " + type() + "; use resize or an extension");
            return make(Ops.placeholder(typeOf(Math.max(1, newWidth))));
        }
        return resize(newWidth);
    }

    final T extend(int newWidth, boolean signed, String what) {
        if (newWidth < width()) {
            Elaboration.widthError(what + "(" + newWidth + ") cannot narrow " + type() + "; use trunc or resize");
            return make(Ops.placeholder(typeOf(newWidth < 1 ? 1 : newWidth)));
        }
        if (newWidth == width()) {
            return make(node());
        }
        return make(new Expr.Extend(node(), signed, typeOf(newWidth)));
    }

    // ---- casts ----

    @Override
    public Bits asBits() {
        return new Bits(HwType.bits(width()), Ops.reinterpret(node(), HwType.bits(width())));
    }

    /** The same bits as an unsigned integer. */
    public UInt asUInt() {
        return new UInt(HwType.uint(width()), Ops.reinterpret(node(), HwType.uint(width())));
    }

    /** The same bits as a two's-complement signed integer. */
    public SInt asSInt() {
        return new SInt(HwType.sint(width()), Ops.reinterpret(node(), HwType.sint(width())));
    }

    // ---- assignment ----

    /** Assigns this signal (or slice of a signal); widths must be equal. */
    public void set(T value) {
        assignFrom(value);
    }

    /** Gives this value a name: a wire of that name, assigned unconditionally. */
    public T named(String name) {
        return Hdl.named(name, self());
    }

    @SuppressWarnings("unchecked")
    final T self() {
        return (T) this;
    }
}
