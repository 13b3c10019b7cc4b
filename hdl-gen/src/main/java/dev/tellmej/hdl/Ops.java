package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Kind;
import java.math.BigInteger;
import java.util.List;

/** Builds expression nodes under the width rules; a breach is recorded and a stand-in returned. */
final class Ops {
    private Ops() {}

    /** A zero of the given type, standing in for a result that could not be built. */
    static Expr placeholder(HwType type) {
        return new Expr.Literal(type, BigInteger.ZERO);
    }

    static Expr slice(Expr operand, int lo, HwType type) {
        if (lo == 0 && type.width() == operand.width()) {
            return reinterpret(operand, type);
        }
        if (operand instanceof Expr.Slice inner) {
            return new Expr.Slice(inner.operand(), inner.lo() + lo, type);
        }
        if (operand instanceof Expr.Literal literal) {
            return new Expr.Literal(type, literal.value().shiftRight(lo).and(type.mask()));
        }
        return new Expr.Slice(operand, lo, type);
    }

    static Expr reinterpret(Expr operand, HwType type) {
        if (operand.type().equals(type)) {
            return operand;
        }
        if (operand instanceof Expr.Reinterpret inner) {
            return reinterpret(inner.operand(), type);
        }
        if (operand instanceof Expr.Literal literal) {
            return new Expr.Literal(type, literal.value());
        }
        return new Expr.Reinterpret(operand, type);
    }

    static Expr extend(Expr operand, int width, boolean signed) {
        if (width == operand.width()) {
            return operand;
        }
        return new Expr.Extend(operand, signed, operand.type().withWidth(width));
    }

    static Expr concat(List<Expr> parts) {
        if (parts.size() == 1) {
            return reinterpret(parts.getFirst(), HwType.bits(parts.getFirst().width()));
        }
        int width = 0;
        for (Expr part : parts) {
            width += part.width();
        }
        if (width > HwType.MAX_WIDTH) {
            Elaboration.widthError("concatenation of " + width + " bits exceeds " + HwType.MAX_WIDTH);
            return placeholder(HwType.bits(1));
        }
        return new Expr.Concat(parts, HwType.bits(width));
    }

    static Expr bitwise(Expr.BinaryOp op, Expr a, Expr b) {
        if (a.width() != b.width()) {
            Elaboration.widthError(op.name().toLowerCase(java.util.Locale.ROOT) + " of " + a.type() + " and " + b.type()
                    + ": widths must be equal; resize one operand first");
            return placeholder(a.type());
        }
        return new Expr.Binary(op, a, b, a.type());
    }

    static Expr arithmetic(Expr.BinaryOp op, Expr a, Expr b, int extraBits) {
        boolean signed = a.type().kind() == Kind.SINT;
        int width = Math.max(a.width(), b.width()) + extraBits;
        if (width > HwType.MAX_WIDTH) {
            Elaboration.widthError(op + " result of " + width + " bits exceeds " + HwType.MAX_WIDTH);
            return placeholder(a.type());
        }
        return new Expr.Binary(op, extend(a, width, signed), extend(b, width, signed), a.type().withWidth(width));
    }

    static Expr multiply(Expr a, Expr b) {
        int width = a.width() + b.width();
        if (width > HwType.MAX_WIDTH) {
            Elaboration.widthError("product of " + width + " bits exceeds " + HwType.MAX_WIDTH);
            return placeholder(a.type());
        }
        return new Expr.Binary(Expr.BinaryOp.MUL, a, b, a.type().withWidth(width));
    }

    static Expr equality(Expr.BinaryOp op, Expr a, Expr b, boolean extendNarrower) {
        if (a.width() != b.width()) {
            if (!extendNarrower) {
                Elaboration.widthError("comparing " + a.type() + " with " + b.type() + ": widths must be equal");
                return placeholder(HwType.BOOL);
            }
            return compare(op, a, b);
        }
        return new Expr.Binary(op, a, b, HwType.BOOL);
    }

    static Expr compare(Expr.BinaryOp op, Expr a, Expr b) {
        boolean signed = a.type().kind() == Kind.SINT;
        int width = Math.max(a.width(), b.width());
        return new Expr.Binary(op, extend(a, width, signed), extend(b, width, signed), HwType.BOOL);
    }

    static Expr mux(Expr select, Expr whenTrue, Expr whenFalse) {
        if (!whenTrue.type().equals(whenFalse.type())) {
            Elaboration.widthError("mux arms differ: " + whenTrue.type() + " and " + whenFalse.type()
                    + "; both must have the same type and width");
            return placeholder(whenTrue.type());
        }
        if (select instanceof Expr.Literal literal) {
            return literal.value().signum() != 0 ? whenTrue : whenFalse;
        }
        return new Expr.Mux(select, whenTrue, whenFalse);
    }
}
