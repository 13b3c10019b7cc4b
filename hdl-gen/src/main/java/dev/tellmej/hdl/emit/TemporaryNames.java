package dev.tellmej.hdl.emit;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.Kind;
import dev.tellmej.hdl.ir.Signal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Names for the emitter's temporaries. A one-bit value (a condition) is named after what it tests when that
 * reads short: {@code ~write_bank} is {@code not_write_bank}, {@code read_beat == 6'd47} is
 * {@code read_beat_eq_47}, {@code pop_valid & pop_ready} is {@code pop_valid_and_ready}. Other values are
 * named after the signal they feed plus what they compute ({@code acc_ext}, {@code y_sum}).
 */
final class TemporaryNames {
    /** Longest name made from an expression; longer descriptions fall back to the feeding signal's name. */
    static final int MAX_DESCRIPTION = 40;

    private TemporaryNames() {}

    /** A name saying what the one-bit {@code expr} tests, or null when it has none that reads short. */
    static String describe(Expr expr) {
        if (expr.width() != 1) {
            return null;
        }
        String description = logic(expr);
        return description != null && description.length() <= MAX_DESCRIPTION
                && Character.isLetter(description.charAt(0)) ? description : null;
    }

    /** What {@code expr} computes, as a name suffix ({@code sum}, {@code ext}, {@code mux}). */
    static String operation(Expr expr) {
        return switch (expr) {
            case Expr.Binary b -> switch (b.op()) {
                case ADD -> "sum";
                case SUB -> "diff";
                case MUL -> "prod";
                case AND -> "and";
                case OR -> "or";
                case XOR -> "xor";
                default -> "cmp";
            };
            case Expr.Unary u -> switch (u.op()) {
                case NOT -> "not";
                case NEG -> "neg";
                case AND_REDUCE -> "all";
                case OR_REDUCE -> "any";
                case XOR_REDUCE -> "parity";
            };
            case Expr.ShiftConst s -> s.op() == Expr.ShiftOp.LEFT ? "shl" : "shr";
            case Expr.ShiftDynamic s -> s.op() == Expr.ShiftOp.LEFT ? "shl" : "shr";
            case Expr.Mux m -> "mux";
            case Expr.Slice s -> "part";
            case Expr.BitSelect b -> "bit";
            case Expr.Concat c -> "cat";
            case Expr.Extend e -> "ext";
            case Expr.Reinterpret r -> operation(r.operand());
            case Expr.MemRead m -> "rd";
            case Expr.Literal l -> "const";
            case Expr.Ref r -> "ref";
        };
    }

    /** A chain of two or three simple tests joined by one logic operator, or a simple test. */
    private static String logic(Expr expr) {
        Expr inner = unwrap(expr);
        if (inner instanceof Expr.Binary binary && isLogic(binary.op())) {
            List<Expr> parts = new ArrayList<>();
            flatten(binary, binary.op(), parts);
            if (parts.size() > 3) {
                return null;
            }
            StringBuilder out = new StringBuilder();
            String previous = null;
            for (Expr part : parts) {
                String word = simple(part);
                if (word == null) {
                    return null;
                }
                if (previous == null) {
                    out.append(word);
                } else {
                    out.append('_').append(binary.op().name().toLowerCase(java.util.Locale.ROOT)).append('_')
                            .append(withoutSharedPrefix(previous, word, unwrap(part) instanceof Expr.Ref));
                }
                previous = word;
            }
            return out.toString();
        }
        return simple(expr);
    }

    private static boolean isLogic(Expr.BinaryOp op) {
        return op == Expr.BinaryOp.AND || op == Expr.BinaryOp.OR || op == Expr.BinaryOp.XOR;
    }

    private static void flatten(Expr expr, Expr.BinaryOp op, List<Expr> parts) {
        Expr inner = unwrap(expr);
        if (inner instanceof Expr.Binary binary && binary.op() == op) {
            flatten(binary.left(), op, parts);
            flatten(binary.right(), op, parts);
        } else {
            parts.add(expr);
        }
    }

    /**
     * {@code word} without the prefix it shares with {@code previous} up to an underscore, so that
     * {@code push_valid & push_ready} reads {@code push_valid_and_ready}; only for plain signal names.
     */
    private static String withoutSharedPrefix(String previous, String word, boolean plainName) {
        if (!plainName) {
            return word;
        }
        int shared = 0;
        for (int i = 0; i < Math.min(previous.length(), word.length()); i++) {
            if (previous.charAt(i) != word.charAt(i)) {
                break;
            }
            if (word.charAt(i) == '_') {
                shared = i + 1;
            }
        }
        return shared >= 3 && shared < word.length() ? word.substring(shared) : word;
    }

    /** A signal, a bit of one, a constant, its negation or reduction, or a comparison of two such. */
    private static String simple(Expr expr) {
        Expr inner = unwrap(expr);
        String atom = atom(inner);
        if (atom != null) {
            return atom;
        }
        return switch (inner) {
            case Expr.Unary u -> {
                String operand = u.op() == Expr.UnaryOp.NOT ? notOperand(u.operand()) : atom(unwrap(u.operand()));
                if (operand == null) {
                    yield null;
                }
                yield switch (u.op()) {
                    case NOT -> "not_" + operand;
                    case AND_REDUCE -> "all_" + operand;
                    case OR_REDUCE -> "any_" + operand;
                    case XOR_REDUCE -> "parity_" + operand;
                    case NEG -> null;
                };
            }
            case Expr.Binary b when b.op().isComparison() -> {
                String left = atom(unwrap(b.left()));
                String right = atom(unwrap(b.right()));
                yield left == null || right == null ? null
                        : left + "_" + b.op().name().toLowerCase(java.util.Locale.ROOT) + "_" + right;
            }
            default -> null;
        };
    }

    private static String notOperand(Expr operand) {
        Expr inner = unwrap(operand);
        if (inner instanceof Expr.Binary b && b.op().isComparison()) {
            return simple(inner);
        }
        return atom(inner);
    }

    /** A signal's name, one of its bits, or a constant's value; null for anything else. */
    private static String atom(Expr expr) {
        return switch (expr) {
            case Expr.Ref(Signal signal) -> signal.name();
            case Expr.Slice s when s.width() == 1 && unwrap(s.operand()) instanceof Expr.Ref(Signal signal) ->
                    signal.name() + "_bit" + s.lo();
            case Expr.Literal l -> literal(l);
            case Expr.Extend e -> atom(unwrap(e.operand()));
            case Expr.Concat c when c.parts().size() == 2 && c.parts().getFirst() instanceof Expr.Literal zero
                    && zero.value().signum() == 0 -> atom(unwrap(c.parts().getLast()));
            default -> null;
        };
    }

    private static String literal(Expr.Literal literal) {
        BigInteger value = literal.value();
        if (literal.type().kind() == Kind.SINT && value.testBit(literal.width() - 1)) {
            return "minus" + BigInteger.ONE.shiftLeft(literal.width()).subtract(value);
        }
        String text = value.toString();
        return text.length() > 12 ? null : text;
    }

    private static Expr unwrap(Expr expr) {
        Expr inner = expr;
        while (inner instanceof Expr.Reinterpret r) {
            inner = r.operand();
        }
        return inner;
    }
}
