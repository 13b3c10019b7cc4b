package dev.tellmej.hdl.ir;

import java.math.BigInteger;
import java.util.List;

/**
 * A combinational expression: an immutable tree (a DAG when sub-expressions are shared) over signals,
 * literals and memory reads. Every node knows its result type; constructors check the invariants the
 * emitter relies on (for example, both operands of an add already have the result width).
 */
public sealed interface Expr {
    HwType type();

    default int width() {
        return type().width();
    }

    /** A constant. {@code value} is the bit pattern, non-negative and below 2^width. */
    record Literal(HwType type, BigInteger value) implements Expr {
        public Literal {
            if (value.signum() < 0 || value.bitLength() > type.width()) {
                throw new IllegalArgumentException("literal bits " + value + " do not fit " + type);
            }
        }
    }

    /** The current value of a signal (a port, wire or register of the module the expression lives in). */
    record Ref(Signal signal) implements Expr {
        @Override
        public HwType type() {
            return signal.type();
        }
    }

    /** Unary operators. */
    enum UnaryOp { NOT, NEG, AND_REDUCE, OR_REDUCE, XOR_REDUCE }

    /** {@code NOT}/{@code NEG} keep the operand's type; the reductions give a Bool. */
    record Unary(UnaryOp op, Expr operand, HwType type) implements Expr {}

    /** Binary operators. */
    enum BinaryOp {
        ADD("+"), SUB("-"), MUL("*"), AND("&"), OR("|"), XOR("^"),
        EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        private final String symbol;

        BinaryOp(String symbol) {
            this.symbol = symbol;
        }

        /** The Verilog operator. */
        public String symbol() {
            return symbol;
        }

        public boolean isComparison() {
            return ordinal() >= EQ.ordinal();
        }
    }

    /**
     * A binary operation. For everything but {@code MUL} both operands have equal widths (the result width
     * for arithmetic and logic, any common width for comparisons); {@code MUL} takes any widths and its
     * result is their sum.
     */
    record Binary(BinaryOp op, Expr left, Expr right, HwType type) implements Expr {
        public Binary {
            if (op != BinaryOp.MUL && left.width() != right.width()) {
                throw new IllegalArgumentException(op + " operand widths differ: " + left.type() + ", " + right.type());
            }
        }
    }

    /** Shift kinds. Constant shifts change the width; dynamic ones keep it. */
    enum ShiftOp { LEFT, RIGHT_LOGICAL, RIGHT_ARITHMETIC }

    /** Shift by a constant: left adds {@code amount} zero bits below, right drops the {@code amount} low bits. */
    record ShiftConst(ShiftOp op, Expr operand, int amount, HwType type) implements Expr {}

    /** Shift by a run-time amount; the width stays the same. */
    record ShiftDynamic(ShiftOp op, Expr operand, Expr amount, HwType type) implements Expr {}

    /** {@code select ? whenTrue : whenFalse}; both arms have the result type. */
    record Mux(Expr select, Expr whenTrue, Expr whenFalse) implements Expr {
        @Override
        public HwType type() {
            return whenTrue.type();
        }
    }

    /** Bits {@code lo} to {@code lo + width - 1} of the operand. */
    record Slice(Expr operand, int lo, HwType type) implements Expr {
        public int hi() {
            return lo + type.width() - 1;
        }
    }

    /** One bit chosen at run time; out-of-range indices give 0. */
    record BitSelect(Expr operand, Expr index) implements Expr {
        @Override
        public HwType type() {
            return HwType.BOOL;
        }
    }

    /** Concatenation; the first part is the most significant, as in Verilog. */
    record Concat(List<Expr> parts, HwType type) implements Expr {
        public Concat {
            parts = List.copyOf(parts);
        }
    }

    /** Zero or sign extension to a wider type. */
    record Extend(Expr operand, boolean signed, HwType type) implements Expr {}

    /** The same bits seen as another kind of the same width. */
    record Reinterpret(Expr operand, HwType type) implements Expr {
        public Reinterpret {
            if (operand.width() != type.width()) {
                throw new IllegalArgumentException("reinterpret changes width: " + operand.type() + " -> " + type);
            }
        }
    }

    /** The word of a memory at an address, read without a clock (a registered read assigns it to a register). */
    record MemRead(MemoryNode memory, Expr address) implements Expr {
        @Override
        public HwType type() {
            return memory.wordType();
        }
    }
}
