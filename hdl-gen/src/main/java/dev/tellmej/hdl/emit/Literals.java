package dev.tellmej.hdl.emit;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Kind;
import java.math.BigInteger;

/** Sized Verilog literals: {@code 1'b1}, {@code 8'd200}, {@code 16'hfff0}. */
final class Literals {
    private Literals() {}

    static String of(Expr.Literal literal) {
        return of(literal.type(), literal.value());
    }

    /** Unsigned and non-negative values in decimal, raw bits and negative signed values in hex. */
    static String of(HwType type, BigInteger bits) {
        int width = type.width();
        if (width == 1) {
            return "1'b" + bits;
        }
        boolean negative = type.kind() == Kind.SINT && bits.testBit(width - 1);
        if (type.kind() == Kind.BITS || negative) {
            return width + "'h" + bits.toString(16);
        }
        return width + "'d" + bits;
    }

    /** A zero of {@code width} bits. */
    static String zero(int width) {
        return width == 1 ? "1'b0" : width + "'d0";
    }
}
