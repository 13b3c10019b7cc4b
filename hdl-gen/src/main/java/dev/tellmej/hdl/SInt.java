package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;

/**
 * A two's-complement signed integer.
 *
 * <p>Width rules as for {@link UInt}, with sign extension instead of zero extension: {@code add}/{@code sub}
 * give the wider width (wrapping), the {@code Expand} variants one bit more, {@code mul} the sum of the
 * widths; {@code neg} keeps the width (so the most negative value wraps to itself).
 */
public final class SInt extends BitVector<SInt> {
    SInt(HwType type, Expr node) {
        super(type, node);
    }

    @Override
    SInt make(HwType type, Expr node) {
        return new SInt(type, node);
    }

    @Override
    public SInt typeTemplate() {
        return new SInt(type(), null);
    }

    private SInt lit(long value) {
        return Hdl.S(value, width());
    }

    public SInt add(SInt other) {
        return make(Ops.arithmetic(Expr.BinaryOp.ADD, node(), other.node(), 0));
    }

    public SInt add(long value) {
        return add(lit(value));
    }

    public SInt sub(SInt other) {
        return make(Ops.arithmetic(Expr.BinaryOp.SUB, node(), other.node(), 0));
    }

    public SInt sub(long value) {
        return sub(lit(value));
    }

    /** Sum one bit wider than the wider operand: no overflow. */
    public SInt addExpand(SInt other) {
        return make(Ops.arithmetic(Expr.BinaryOp.ADD, node(), other.node(), 1));
    }

    /** Difference one bit wider than the wider operand: no overflow. */
    public SInt subExpand(SInt other) {
        return make(Ops.arithmetic(Expr.BinaryOp.SUB, node(), other.node(), 1));
    }

    /** Product; width is the sum of both widths. */
    public SInt mul(SInt other) {
        return make(Ops.multiply(node(), other.node()));
    }

    /** Two's-complement negation, same width. */
    public SInt neg() {
        return make(new Expr.Unary(Expr.UnaryOp.NEG, node(), type()));
    }

    public Bool eq(SInt other) {
        return new Bool(Ops.equality(Expr.BinaryOp.EQ, node(), other.node(), true));
    }

    public Bool ne(SInt other) {
        return new Bool(Ops.equality(Expr.BinaryOp.NE, node(), other.node(), true));
    }

    public Bool lt(SInt other) {
        return new Bool(Ops.compare(Expr.BinaryOp.LT, node(), other.node()));
    }

    public Bool le(SInt other) {
        return new Bool(Ops.compare(Expr.BinaryOp.LE, node(), other.node()));
    }

    public Bool gt(SInt other) {
        return new Bool(Ops.compare(Expr.BinaryOp.GT, node(), other.node()));
    }

    public Bool ge(SInt other) {
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

    /** True when negative (the sign bit). */
    public Bool isNegative() {
        return msb();
    }

    /** Sign extension to {@code newWidth} (not narrower). */
    public SInt sext(int newWidth) {
        return extend(newWidth, true, "sext");
    }

    /** Assigns a constant that must fit the width. */
    public void set(long value) {
        set(lit(value));
    }
}
