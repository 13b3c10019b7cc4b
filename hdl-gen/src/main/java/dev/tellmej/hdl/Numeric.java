package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;

/**
 * The arithmetic {@link UInt} and {@link SInt} share. Extensions follow the kind: zero for UInt, sign for
 * SInt.
 *
 * <p>Width rules: {@code add}/{@code sub} give the wider operand's width (the narrower is extended; the
 * result wraps); {@code addExpand}/{@code subExpand} add one bit, so no carry is lost; {@code mul} gives
 * the sum of the widths; comparisons extend the narrower operand. An {@code int} or {@code long} operand
 * becomes a literal of this width and must fit it.
 *
 * @param <T> UInt or SInt
 */
public abstract sealed class Numeric<T extends Numeric<T>> extends BitVector<T> permits UInt, SInt {
    Numeric(HwType type, Expr node) {
        super(type, node);
    }

    /** A literal of this kind and width. */
    abstract T literal(long value);

    public T add(T other) {
        return make(Ops.arithmetic(Expr.BinaryOp.ADD, node(), other.node(), 0));
    }

    public T add(long value) {
        return add(literal(value));
    }

    public T sub(T other) {
        return make(Ops.arithmetic(Expr.BinaryOp.SUB, node(), other.node(), 0));
    }

    public T sub(long value) {
        return sub(literal(value));
    }

    /** Sum one bit wider than the wider operand: the carry is kept. */
    public T addExpand(T other) {
        return make(Ops.arithmetic(Expr.BinaryOp.ADD, node(), other.node(), 1));
    }

    /** Difference one bit wider than the wider operand. */
    public T subExpand(T other) {
        return make(Ops.arithmetic(Expr.BinaryOp.SUB, node(), other.node(), 1));
    }

    /** Product; width is the sum of both widths. */
    public T mul(T other) {
        return make(Ops.multiply(node(), other.node()));
    }

    public Bool eq(T other) {
        return new Bool(Ops.equality(Expr.BinaryOp.EQ, node(), other.node(), true));
    }

    public Bool ne(T other) {
        return new Bool(Ops.equality(Expr.BinaryOp.NE, node(), other.node(), true));
    }

    public Bool lt(T other) {
        return new Bool(Ops.compare(Expr.BinaryOp.LT, node(), other.node()));
    }

    public Bool le(T other) {
        return new Bool(Ops.compare(Expr.BinaryOp.LE, node(), other.node()));
    }

    public Bool gt(T other) {
        return new Bool(Ops.compare(Expr.BinaryOp.GT, node(), other.node()));
    }

    public Bool ge(T other) {
        return new Bool(Ops.compare(Expr.BinaryOp.GE, node(), other.node()));
    }

    public Bool eq(long value) {
        return eq(literal(value));
    }

    public Bool ne(long value) {
        return ne(literal(value));
    }

    public Bool lt(long value) {
        return lt(literal(value));
    }

    public Bool le(long value) {
        return le(literal(value));
    }

    public Bool gt(long value) {
        return gt(literal(value));
    }

    public Bool ge(long value) {
        return ge(literal(value));
    }

    /** Assigns a constant that must fit the width. */
    public void set(long value) {
        set(literal(value));
    }
}
