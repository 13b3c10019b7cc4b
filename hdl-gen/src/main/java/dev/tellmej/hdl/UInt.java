package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;

/**
 * An unsigned integer. Arithmetic and comparisons are {@link Numeric}'s, with zero extension; a negative
 * {@code subExpand} result wraps modulo 2^(w+1).
 */
public final class UInt extends Numeric<UInt> {
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

    @Override
    UInt literal(long value) {
        return Hdl.U(value, width());
    }

    /** Zero extension to {@code newWidth} (not narrower). */
    public UInt zext(int newWidth) {
        return extend(newWidth, false, "zext");
    }

    /** This value as a non-negative SInt one bit wider. */
    public SInt toSInt() {
        return zext(width() + 1).asSInt();
    }
}
