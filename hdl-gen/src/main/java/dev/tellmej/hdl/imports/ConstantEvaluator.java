package dev.tellmej.hdl.imports;

import dev.tellmej.hdl.imports.ConstantExpression.Binary;
import dev.tellmej.hdl.imports.ConstantExpression.Call;
import dev.tellmej.hdl.imports.ConstantExpression.Concatenation;
import dev.tellmej.hdl.imports.ConstantExpression.Conditional;
import dev.tellmej.hdl.imports.ConstantExpression.Literal;
import dev.tellmej.hdl.imports.ConstantExpression.Name;
import dev.tellmej.hdl.imports.ConstantExpression.Node;
import dev.tellmej.hdl.imports.ConstantExpression.Replication;
import dev.tellmej.hdl.imports.ConstantExpression.ScopedName;
import dev.tellmej.hdl.imports.ConstantExpression.StringLiteral;
import dev.tellmej.hdl.imports.ConstantExpression.Unary;
import java.math.BigInteger;

/**
 * Evaluates constant expressions the way width expressions need: integers of unlimited precision (a width
 * expression never relies on 32-bit wrap-around), sized values masked to their size where the size matters
 * (bitwise negation, concatenation, selects), comparisons and logical operators giving 0 or 1, and
 * {@code $clog2}, {@code $signed}, {@code $unsigned}. Anything else (functions of the file, x and z bits,
 * real numbers, package names) is a {@link VerilogEvaluationException} that says what it met.
 */
final class ConstantEvaluator {
    /** Looks names up: the value of a parameter, or a {@link VerilogEvaluationException}. */
    interface Scope {
        ConstantValue lookup(String name, VerilogLocation where);
    }

    private static final int MAX_SHIFT = 1 << 16;

    private final Scope scope;

    ConstantEvaluator(Scope scope) {
        this.scope = scope;
    }

    ConstantValue evaluate(ConstantExpression expression) {
        return evaluate(expression.tree());
    }

    ConstantValue evaluate(Node node) {
        return switch (node) {
            case Literal l -> {
                if (l.problem() != null) {
                    throw fail(l.location(), "'" + l.text() + "' " + l.problem());
                }
                yield new ConstantValue(l.value(), null, l.width());
            }
            case StringLiteral s -> ConstantValue.ofString(s.value());
            case Name n -> select(n);
            case ScopedName s -> throw fail(s.location(), "'" + s.scope() + "::" + s.name()
                    + "' is in a package, which the importer does not read; override the parameter that uses it");
            case Unary u -> unary(u);
            case Binary b -> binary(b);
            case Conditional c -> isTrue(integer(c.condition())) ? evaluate(c.whenTrue()) : evaluate(c.whenFalse());
            case Call c -> call(c);
            case Concatenation c -> concatenate(c.parts(), 1, c.location());
            case Replication r -> {
                BigInteger count = integer(r.count());
                if (count.signum() < 0 || count.bitLength() > 16) {
                    throw fail(r.location(), "replication count " + count + " is out of range");
                }
                yield concatenate(r.parts(), count.intValueExact(), r.location());
            }
        };
    }

    private ConstantValue select(Name n) {
        ConstantValue value = scope.lookup(n.name(), n.location());
        if (n.msb() == null) {
            return value;
        }
        BigInteger whole = integerOf(value, n.location(), n.name());
        int msb = smallInt(integer(n.msb()), n.location());
        int lsb = n.lsb() == null ? msb : smallInt(integer(n.lsb()), n.location());
        int hi = Math.max(msb, lsb);
        int lo = Math.min(msb, lsb);
        int width = hi - lo + 1;
        return new ConstantValue(whole.shiftRight(lo).and(mask(width)), null, width);
    }

    private ConstantValue unary(Unary u) {
        ConstantValue operand = evaluate(u.operand());
        BigInteger v = integerOf(operand, u.location(), u.operator());
        int width = operand.width();
        return switch (u.operator()) {
            case "+" -> operand;
            case "-" -> sized(v.negate(), width);
            case "!" -> bool(v.signum() == 0);
            case "~" -> sized(v.not(), width);
            case "&", "~&" -> {
                requireSized(width, u);
                boolean all = v.and(mask(width)).equals(mask(width));
                yield bool(u.operator().equals("&") == all);
            }
            case "|", "~|" -> bool(u.operator().equals("|") == (v.signum() != 0));
            case "^", "~^", "^~" -> {
                requireSized(width, u);
                boolean odd = v.and(mask(width)).bitCount() % 2 == 1;
                yield bool(u.operator().equals("^") == odd);
            }
            default -> throw fail(u.location(), "operator " + u.operator() + " is not a constant operator");
        };
    }

    private ConstantValue binary(Binary b) {
        ConstantValue left = evaluate(b.left());
        ConstantValue right = evaluate(b.right());
        String op = b.operator();
        if (left.isString() || right.isString()) {
            if (left.isString() && right.isString() && (op.equals("==") || op.equals("!=") || op.equals("===")
                    || op.equals("!=="))) {
                return bool(left.string().equals(right.string()) == op.startsWith("="));
            }
            throw fail(b.location(), "operator " + op + " cannot take a string");
        }
        BigInteger l = left.integer();
        BigInteger r = right.integer();
        int width = left.width() > 0 && right.width() > 0 ? Math.max(left.width(), right.width()) : 0;
        return switch (op) {
            case "+" -> sized(l.add(r), width);
            case "-" -> sized(l.subtract(r), width);
            case "*" -> sized(l.multiply(r), width);
            case "/", "%" -> {
                if (r.signum() == 0) {
                    throw fail(b.location(), "division by zero");
                }
                yield sized(op.equals("/") ? l.divide(r) : l.remainder(r), width);
            }
            case "**" -> {
                if (r.signum() < 0 || r.bitLength() > 16) {
                    throw fail(b.location(), "exponent " + r + " is out of range");
                }
                yield sized(l.pow(r.intValueExact()), width);
            }
            case "<<", "<<<" -> sized(l.shiftLeft(shift(r, b)), left.width());
            case ">>" -> ConstantValue.of(l.signum() < 0 && left.width() > 0
                    ? l.and(mask(left.width())).shiftRight(shift(r, b)) : l.shiftRight(shift(r, b)));
            case ">>>" -> sized(l.shiftRight(shift(r, b)), left.width());
            case "<" -> bool(l.compareTo(r) < 0);
            case "<=" -> bool(l.compareTo(r) <= 0);
            case ">" -> bool(l.compareTo(r) > 0);
            case ">=" -> bool(l.compareTo(r) >= 0);
            case "==", "===" -> bool(l.equals(r));
            case "!=", "!==" -> bool(!l.equals(r));
            case "&" -> sized(l.and(r), width);
            case "|" -> sized(l.or(r), width);
            case "^" -> sized(l.xor(r), width);
            case "^~", "~^" -> sized(l.xor(r).not(), width);
            case "&&" -> bool(isTrue(l) && isTrue(r));
            case "||" -> bool(isTrue(l) || isTrue(r));
            default -> throw fail(b.location(), "operator " + op + " is not a constant operator");
        };
    }

    private ConstantValue call(Call c) {
        switch (c.function()) {
            case "$clog2" -> {
                BigInteger n = single(c);
                if (n.signum() < 0) {
                    throw fail(c.location(), "$clog2 of a negative number (" + n + ")");
                }
                return ConstantValue.of(n.compareTo(BigInteger.ONE) <= 0 ? 0 : n.subtract(BigInteger.ONE).bitLength());
            }
            case "$signed", "$unsigned" -> {
                if (c.arguments().size() != 1) {
                    throw fail(c.location(), c.function() + " takes one argument");
                }
                return evaluate(c.arguments().getFirst());
            }
            default -> throw fail(c.location(), c.function().startsWith("$")
                    ? "system function " + c.function() + " cannot be evaluated by the importer (it knows $clog2,"
                            + " $signed and $unsigned)"
                    : "function '" + c.function() + "' of the file cannot be evaluated by the importer; override the"
                            + " parameter that uses it");
        }
    }

    private BigInteger single(Call c) {
        if (c.arguments().size() != 1) {
            throw fail(c.location(), c.function() + " takes one argument");
        }
        return integer(c.arguments().getFirst());
    }

    private ConstantValue concatenate(java.util.List<Node> parts, int count, VerilogLocation where) {
        BigInteger once = BigInteger.ZERO;
        int width = 0;
        for (Node part : parts) {
            ConstantValue value = evaluate(part);
            if (value.isString() || value.width() == 0) {
                throw fail(part.location(), "a concatenation needs sized parts (8'd1, not 1)");
            }
            once = once.shiftLeft(value.width()).or(value.integer().and(mask(value.width())));
            width += value.width();
        }
        BigInteger all = BigInteger.ZERO;
        for (int i = 0; i < count; i++) {
            all = all.shiftLeft(width).or(once);
        }
        if (width * count == 0) {
            throw fail(where, "an empty replication has no value");
        }
        return new ConstantValue(all, null, width * count);
    }

    private BigInteger integer(Node node) {
        ConstantValue value = evaluate(node);
        return integerOf(value, node.location(), "this expression");
    }

    private static BigInteger integerOf(ConstantValue value, VerilogLocation where, String what) {
        if (value.isString()) {
            throw fail(where, "string " + value.verilog() + " used as a number (" + what + ")");
        }
        return value.integer();
    }

    private static void requireSized(int width, Unary u) {
        if (width == 0) {
            throw fail(u.location(), "reduction " + u.operator() + " of an unsized value");
        }
    }

    private static int shift(BigInteger amount, Binary b) {
        if (amount.signum() < 0 || amount.compareTo(BigInteger.valueOf(MAX_SHIFT)) > 0) {
            throw fail(b.location(), "shift by " + amount + " is out of range");
        }
        return amount.intValueExact();
    }

    private static int smallInt(BigInteger value, VerilogLocation where) {
        if (value.signum() < 0 || value.bitLength() > 20) {
            throw fail(where, "bit index " + value + " is out of range");
        }
        return value.intValueExact();
    }

    private static ConstantValue sized(BigInteger value, int width) {
        return width > 0 ? new ConstantValue(value.and(mask(width)), null, width) : ConstantValue.of(value);
    }

    private static ConstantValue bool(boolean value) {
        return new ConstantValue(value ? BigInteger.ONE : BigInteger.ZERO, null, 1);
    }

    private static boolean isTrue(BigInteger value) {
        return value.signum() != 0;
    }

    static BigInteger mask(int width) {
        return BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE);
    }

    private static VerilogEvaluationException fail(VerilogLocation where, String message) {
        return new VerilogEvaluationException(where, message);
    }
}
