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

    /**
     * This value times a constant, modulo 2^{@code width}: one shifted copy of the value per set bit of the
     * constant, summed. No multiplier: synthesis would map a constant product onto a DSP slice, whose unregistered
     * output then lies on the path (384 is two additions, 1,024 none, 0 a zero constant).
     */
    public UInt timesConstant(long factor, int width) {
        if (factor < 0 || width < 1) {
            Elaboration.widthError("timesConstant(" + factor + ", " + width + "): the factor is at least 0 and the"
                    + " width at least 1");
            return Hdl.U(0, Math.max(1, width));
        }
        UInt sum = null;
        UInt wide = resize(width);
        for (int bit = 0; bit < Math.min(width, 63); bit++) {
            if ((factor >> bit & 1) != 0) {
                UInt term = wide.shl(bit).trunc(width);
                sum = sum == null ? term : sum.add(term);
            }
        }
        return sum == null ? Hdl.U(0, width) : sum;
    }

    /** This value as a non-negative SInt one bit wider. */
    public SInt toSInt() {
        return zext(width() + 1).asSInt();
    }
}
