package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;

/**
 * An unsigned integer.
 *
 * <p>Width rules: {@code add}/{@code sub} give the wider operand's width (the narrower is zero-extended;
 * the result wraps); {@code addExpand}/{@code subExpand} add one bit, so no carry is lost (a negative
 * {@code subExpand} result wraps modulo 2^(w+1)); {@code mul} gives the sum of the widths; comparisons
 * zero-extend the narrower operand. An {@code int} or {@code long} operand becomes a literal of this
 * width and must fit it.
 */
public final class UInt extends BitVector<UInt> {
    UInt(HwType type, Expr node) {
        super(type, node);
    }

    @Override
    UInt make(HwType type, Expr node) {
        return new UInt(type, node);
    }

    @Override
    public UInt typeTemplate() {
        return new UInt(type(), null);
    }

    private UInt lit(long value) {
        return Hdl.U(value, width());
    }

    public UInt add(UInt other) {
        return make(Ops.arithmetic(Expr.BinaryOp.ADD, node(), other.node(), 0));
    }

    public UInt add(long value) {
        return add(lit(value));
    }

    public UInt sub(UInt other) {
        return make(Ops.arithmetic(Expr.BinaryOp.SUB, node(), other.node(), 0));
    }

    public UInt sub(long value) {
        return sub(lit(value));
    }

    /** Sum one bit wider than the wider operand: the carry is kept. */
    public UInt addExpand(UInt other) {
        return make(Ops.arithmetic(Expr.BinaryOp.ADD, node(), other.node(), 1));
    }

    /** Difference one bit wider than the wider operand. */
    public UInt subExpand(UInt other) {
        return make(Ops.arithmetic(Expr.BinaryOp.SUB, node(), other.node(), 1));
    }

    /** Product; width is the sum of both widths. */
    public UInt mul(UInt other) {
        return make(Ops.multiply(node(), other.node()));
    }

    public Bool eq(UInt other) {
        return new Bool(Ops.equality(Expr.BinaryOp.EQ, node(), other.node(), true));
    }

    public Bool ne(UInt other) {
        return new Bool(Ops.equality(Expr.BinaryOp.NE, node(), other.node(), true));
    }

    public Bool lt(UInt other) {
        return new Bool(Ops.compare(Expr.BinaryOp.LT, node(), other.node()));
    }

    public Bool le(UInt other) {
        return new Bool(Ops.compare(Expr.BinaryOp.LE, node(), other.node()));
    }

    public Bool gt(UInt other) {
        return new Bool(Ops.compare(Expr.BinaryOp.GT, node(), other.node()));
    }

    public Bool ge(UInt other) {
        return new Bool(Ops.compare(Expr.BinaryOp.GE, node(), other.node()));
    }

    public Bool eq(long value) {
        return eq(lit(value));
    }

    public Bool ne(long value) {
        return ne(lit(value));
    }

    public Bool lt(long value) {
        return lt(lit(value));
    }

    public Bool le(long value) {
        return le(lit(value));
    }

    public Bool gt(long value) {
        return gt(lit(value));
    }

    public Bool ge(long value) {
        return ge(lit(value));
    }

    /** Zero extension to {@code newWidth} (not narrower). */
    public UInt zext(int newWidth) {
        return extend(newWidth, false, "zext");
    }

    /** This value as a non-negative SInt one bit wider. */
    public SInt toSInt() {
        return zext(width() + 1).asSInt();
    }

    /** Assigns a constant that must fit the width. */
    public void set(long value) {
        set(lit(value));
    }
}
