package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;

/**
 * A two's-complement signed integer. Arithmetic and comparisons are {@link Numeric}'s, with sign extension;
 * {@code neg} keeps the width (so the most negative value wraps to itself).
 */
public final class SInt extends Numeric<SInt> {
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

    @Override
    SInt literal(long value) {
        return Hdl.S(value, width());
    }

    /** Two's-complement negation, same width. */
    public SInt neg() {
        return make(new Expr.Unary(Expr.UnaryOp.NEG, node(), type()));
    }

    /** True when negative (the sign bit). */
    public Bool isNegative() {
        return msb();
    }

    /** Sign extension to {@code newWidth} (not narrower). */
    public SInt sext(int newWidth) {
        return extend(newWidth, true, "sext");
    }
}
