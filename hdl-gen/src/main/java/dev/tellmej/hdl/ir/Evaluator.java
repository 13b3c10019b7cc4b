package dev.tellmej.hdl.ir;

import java.math.BigInteger;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The value of an expression for given signal values: the IR's semantics written once in Java (modular
 * arithmetic at each node's width, signedness from the left operand's kind, an out-of-range run-time bit
 * index gives 0). Values are bit patterns, non-negative and below 2^width.
 */
public final class Evaluator {
    private final Function<Signal, BigInteger> signals;
    private final Map<Expr, BigInteger> values = new IdentityHashMap<>();

    private Evaluator(Function<Signal, BigInteger> signals) {
        this.signals = signals;
    }

    /**
     * The bits of {@code expr} when every signal it reads has the value {@code signals} gives (its bit
     * pattern); memory reads are not evaluated.
     *
     * @throws IllegalArgumentException for a memory read
     */
    public static BigInteger evaluate(Expr expr, Function<Signal, BigInteger> signals) {
        return new Evaluator(signals).value(expr);
    }

    private BigInteger value(Expr expr) {
        BigInteger known = values.get(expr);
        if (known != null) {
            return known;
        }
        BigInteger value = compute(expr).and(expr.type().mask());
        values.put(expr, value);
        return value;
    }

    private BigInteger signedValue(Expr expr) {
        return signed(value(expr), expr.width());
    }

    private static BigInteger signed(BigInteger bits, int width) {
        return bits.testBit(width - 1) ? bits.subtract(BigInteger.ONE.shiftLeft(width)) : bits;
    }

    private static BigInteger bool(boolean value) {
        return value ? BigInteger.ONE : BigInteger.ZERO;
    }

    private BigInteger compute(Expr expr) {
        return switch (expr) {
            case Expr.Literal literal -> literal.value();
            case Expr.Ref(Signal signal) -> signals.apply(signal);
            case Expr.Unary u -> {
                BigInteger x = value(u.operand());
                yield switch (u.op()) {
                    case NOT -> x.not();
                    case NEG -> x.negate();
                    case AND_REDUCE -> bool(x.equals(u.operand().type().mask()));
                    case OR_REDUCE -> bool(x.signum() != 0);
                    case XOR_REDUCE -> bool((x.bitCount() & 1) == 1);
                };
            }
            case Expr.Binary b -> {
                boolean isSigned = b.left().type().kind() == Kind.SINT;
                BigInteger x = value(b.left());
                BigInteger y = value(b.right());
                BigInteger sx = isSigned ? signedValue(b.left()) : x;
                BigInteger sy = isSigned ? signedValue(b.right()) : y;
                yield switch (b.op()) {
                    case ADD -> x.add(y);
                    case SUB -> x.subtract(y);
                    case MUL -> sx.multiply(sy);
                    case AND -> x.and(y);
                    case OR -> x.or(y);
                    case XOR -> x.xor(y);
                    case EQ -> bool(x.equals(y));
                    case NE -> bool(!x.equals(y));
                    case LT -> bool(sx.compareTo(sy) < 0);
                    case LE -> bool(sx.compareTo(sy) <= 0);
                    case GT -> bool(sx.compareTo(sy) > 0);
                    case GE -> bool(sx.compareTo(sy) >= 0);
                };
            }
            case Expr.ShiftConst s -> s.op() == Expr.ShiftOp.LEFT ? value(s.operand()).shiftLeft(s.amount())
                    : value(s.operand()).shiftRight(s.amount());
            case Expr.ShiftDynamic s -> {
                BigInteger amount = value(s.amount());
                int n = amount.bitLength() > 20 ? 1 << 20 : amount.intValue();
                int width = s.operand().width();
                yield switch (s.op()) {
                    case LEFT -> n >= width ? BigInteger.ZERO : value(s.operand()).shiftLeft(n);
                    case RIGHT_LOGICAL -> value(s.operand()).shiftRight(Math.min(n, width));
                    case RIGHT_ARITHMETIC -> signedValue(s.operand()).shiftRight(Math.min(n, width));
                };
            }
            case Expr.Mux m -> value(m.select()).signum() != 0 ? value(m.whenTrue()) : value(m.whenFalse());
            case Expr.Slice s -> value(s.operand()).shiftRight(s.lo());
            case Expr.BitSelect b -> {
                BigInteger index = value(b.index());
                yield index.compareTo(BigInteger.valueOf(b.operand().width())) < 0
                        ? bool(value(b.operand()).testBit(index.intValue())) : BigInteger.ZERO;
            }
            case Expr.Concat c -> {
                BigInteger out = BigInteger.ZERO;
                for (Expr part : c.parts()) {
                    out = out.shiftLeft(part.width()).or(value(part));
                }
                yield out;
            }
            case Expr.Extend e -> e.signed() ? signedValue(e.operand()) : value(e.operand());
            case Expr.Reinterpret r -> value(r.operand());
            case Expr.MemRead m ->
                    throw new IllegalArgumentException("memory reads have no value here: " + m.memory().name());
        };
    }
}
