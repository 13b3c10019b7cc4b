package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;

/** Raw bits: logic, slicing and concatenation, no arithmetic (cast with {@code asUInt()} first). */
public final class Bits extends BitVector<Bits> {
    Bits(HwType type, Expr node) {
        super(type, node);
    }

    @Override
    Bits make(HwType type, Expr node) {
        return new Bits(type, node);
    }

    @Override
    public Bits typeTemplate() {
        return new Bits(type(), null);
    }

    /** Equality; both operands must have the same width. */
    public Bool eq(Bits other) {
        return new Bool(Ops.equality(Expr.BinaryOp.EQ, node(), other.node(), false));
    }

    public Bool ne(Bits other) {
        return new Bool(Ops.equality(Expr.BinaryOp.NE, node(), other.node(), false));
    }

    /** Equality with a constant bit pattern that must fit the width. */
    public Bool eq(long value) {
        return eq(Hdl.B(value, width()));
    }

    public Bool ne(long value) {
        return ne(Hdl.B(value, width()));
    }

    /** Zero extension to {@code newWidth} (not narrower). */
    public Bits zext(int newWidth) {
        return extend(newWidth, false, "zext");
    }

    /** Sign extension (copies of the top bit) to {@code newWidth} (not narrower). */
    public Bits sext(int newWidth) {
        return extend(newWidth, true, "sext");
    }

    /** Assigns a constant bit pattern that must fit the width. */
    public void set(long value) {
        set(Hdl.B(value, width()));
    }
}
