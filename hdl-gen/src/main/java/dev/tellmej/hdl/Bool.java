package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;

/** A one-bit hardware value used for conditions, valid and ready flags, and enables. */
public final class Bool extends Data {
    Bool(Expr node) {
        super(HwType.BOOL, node);
    }

    @Override
    public Bool typeTemplate() {
        return new Bool(null);
    }

    public Bool and(Bool other) {
        return new Bool(new Expr.Binary(Expr.BinaryOp.AND, node(), other.node(), HwType.BOOL));
    }

    public Bool or(Bool other) {
        return new Bool(new Expr.Binary(Expr.BinaryOp.OR, node(), other.node(), HwType.BOOL));
    }

    public Bool xor(Bool other) {
        return new Bool(new Expr.Binary(Expr.BinaryOp.XOR, node(), other.node(), HwType.BOOL));
    }

    public Bool not() {
        return new Bool(new Expr.Unary(Expr.UnaryOp.NOT, node(), HwType.BOOL));
    }

    public Bool eq(Bool other) {
        return new Bool(new Expr.Binary(Expr.BinaryOp.EQ, node(), other.node(), HwType.BOOL));
    }

    public Bool ne(Bool other) {
        return new Bool(new Expr.Binary(Expr.BinaryOp.NE, node(), other.node(), HwType.BOOL));
    }

    /** {@code this ? whenTrue : whenFalse}; both arms must have the same type (width-checked). */
    public <T extends Data> T mux(T whenTrue, T whenFalse) {
        return Hdl.mux(this, whenTrue, whenFalse);
    }

    /** This bit as a one-bit UInt. */
    public UInt asUInt() {
        return new UInt(HwType.uint(1), new Expr.Reinterpret(node(), HwType.uint(1)));
    }

    @Override
    public Bits asBits() {
        return new Bits(HwType.bits(1), new Expr.Reinterpret(node(), HwType.bits(1)));
    }

    /** Assigns this signal. */
    public void set(Bool value) {
        assignFrom(value);
    }

    /** Assigns a constant. */
    public void set(boolean value) {
        assignFrom(Hdl.bool(value));
    }

    /** True in the cycle this signal goes from 0 to 1 (one register, in the current clock domain). */
    public Bool rise(String registerName) {
        return this.and(Hdl.regNext(registerName, this, 0).not());
    }

    /** True in the cycle this signal goes from 1 to 0 (one register, in the current clock domain). */
    public Bool fall(String registerName) {
        return this.not().and(Hdl.regNext(registerName, this, 0));
    }

    /** Gives this value a name: a wire of that name, assigned unconditionally. */
    public Bool named(String name) {
        return Hdl.named(name, this);
    }
}
