package dev.tellmej.hdl.emit;

import dev.tellmej.hdl.check.HdlException;
import dev.tellmej.hdl.check.IrWalk;
import dev.tellmej.hdl.check.Pass;
import dev.tellmej.hdl.ir.Block;
import dev.tellmej.hdl.ir.Evaluator;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Kind;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.Stmt;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites every expression of the design into a simpler one with the same value, so the Verilog shows
 * no {@code 1'b1 & x}, {@code x + 10'd0}, {@code ~1'b0}, {@code 4'd3 == 4'd3}, multiplexer with a constant
 * select or two equal arms, extension, slice or concatenation of constants, and no condition that is a
 * constant ({@code if (1'b1)} keeps its first branch's statements, {@code if (1'b0)} its second's).
 *
 * <p>Every rule is an identity of the IR's value semantics (modular arithmetic at the node's width,
 * signedness from the operand kind), and every node keeps its exact type, so the emitter's width and
 * signedness decisions are the same as without the pass. Shared sub-expressions stay shared: each node is
 * folded once. Runs after the checks, which therefore report on the description as written.
 */
public final class ConstantFolding implements Pass {
    private final Map<Expr, Expr> folded = new IdentityHashMap<>();
    /** The work list of {@link #constantOf}, reused. */
    private final Deque<Expr> pending = new ArrayDeque<>();

    @Override
    public String name() {
        return "constant folding";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        for (ModuleNode module : IrWalk.modules(top)) {
            foldBlock(module.body());
        }
    }

    /** The folded form of one expression (for tests and other passes). */
    public static Expr fold(Expr expr) {
        return new ConstantFolding().apply(expr);
    }

    // ------------------------------------------------------------------ statements

    private void foldBlock(Block block) {
        List<Stmt> statements = block.statements();
        List<Stmt> out = new ArrayList<>(statements.size());
        boolean changed = false;
        for (Stmt statement : statements) {
            switch (statement) {
                case Stmt.Assign assign -> {
                    Expr value = apply(assign.value());
                    changed |= value != assign.value();
                    out.add(value == assign.value() ? assign
                            : new Stmt.Assign(assign.target(), assign.lo(), assign.width(), value, assign.location()));
                }
                case Stmt.When when -> {
                    Expr condition = apply(when.condition());
                    foldBlock(when.whenTrue());
                    foldBlock(when.whenFalse());
                    if (condition instanceof Expr.Literal literal) {
                        out.addAll((literal.value().signum() != 0 ? when.whenTrue() : when.whenFalse()).statements());
                        changed = true;
                    } else {
                        changed |= condition != when.condition();
                        out.add(condition == when.condition() ? when
                                : new Stmt.When(condition, when.whenTrue(), when.whenFalse(), when.location()));
                    }
                }
                case Stmt.Switch sw -> {
                    Expr selector = apply(sw.selector());
                    for (Stmt.Case arm : sw.cases()) {
                        foldBlock(arm.body());
                    }
                    foldBlock(sw.otherwise());
                    if (selector instanceof Expr.Literal literal) {
                        out.addAll(chosenArm(sw, literal.value()).statements());
                        changed = true;
                    } else {
                        changed |= selector != sw.selector();
                        out.add(selector == sw.selector() ? sw
                                : new Stmt.Switch(selector, sw.cases(), sw.otherwise(), sw.location()));
                    }
                }
                case Stmt.MemWrite write -> {
                    Expr address = apply(write.address());
                    Expr data = apply(write.data());
                    Expr mask = write.mask() == null ? null : apply(write.mask());
                    boolean same = address == write.address() && data == write.data() && mask == write.mask();
                    changed |= !same;
                    out.add(same ? write : new Stmt.MemWrite(write.memory(), address, data, mask, write.location()));
                }
            }
        }
        if (changed) {
            statements.clear();
            statements.addAll(out);
        }
    }

    private static Block chosenArm(Stmt.Switch sw, BigInteger value) {
        for (Stmt.Case arm : sw.cases()) {
            if (arm.values().contains(value)) {
                return arm.body();
            }
        }
        return sw.otherwise();
    }

    // ------------------------------------------------------------------ expressions

    private Expr apply(Expr expr) {
        if (expr instanceof Expr.Ref || expr instanceof Expr.Literal) {
            return expr;
        }
        Expr done = folded.get(expr);
        if (done != null) {
            return done;
        }
        Expr result = retype(simplify(expr), expr.type());
        if (result.width() == 1 && !(result instanceof Expr.Literal) && !(result instanceof Expr.Ref)) {
            Expr.Literal constant = constantOf(result);
            if (constant != null) {
                result = retype(constant, expr.type());
            }
        }
        folded.put(expr, result);
        return result;
    }

    /** Largest number of signal bits a one-bit expression may read for its truth table to be tried. */
    private static final int TABLE_BITS = 4;
    /** Largest number of nodes of such an expression. */
    private static final int TABLE_NODES = 48;

    /**
     * The constant a small one-bit expression always has, found from its truth table over the few signal
     * bits it reads ({@code (s == 2'd0) | (s == 2'd1) | (s == 2'd2) | (s == 2'd3)} is {@code 1'b1}), or null.
     */
    private Expr.Literal constantOf(Expr expr) {
        // A bounded walk (repeated visits of shared nodes count too): most expressions stop at a wide signal.
        List<Signal> support = new ArrayList<>(TABLE_BITS);
        pending.clear();
        pending.push(expr);
        int bits = 0;
        for (int visits = 0; !pending.isEmpty(); visits++) {
            Expr node = pending.pop();
            if (visits > TABLE_NODES || node instanceof Expr.MemRead) {
                return null;
            }
            if (node instanceof Expr.Ref(Signal signal) && !support.contains(signal)) {
                bits += signal.width();
                if (bits > TABLE_BITS) {
                    return null;
                }
                support.add(signal);
            }
            for (Expr operand : IrWalk.operands(node)) {
                pending.push(operand);
            }
        }
        BigInteger first = null;
        for (int assignment = 0; assignment < 1 << bits; assignment++) {
            Map<Signal, BigInteger> values = new IdentityHashMap<>();
            int shift = 0;
            for (Signal signal : support) {
                values.put(signal, BigInteger.valueOf((assignment >> shift) & ((1 << signal.width()) - 1)));
                shift += signal.width();
            }
            BigInteger value = Evaluator.evaluate(expr, values::get);
            if (first == null) {
                first = value;
            } else if (!first.equals(value)) {
                return null;
            }
        }
        return literal(expr.type(), first);
    }

    private Expr simplify(Expr expr) {
        return switch (expr) {
            case Expr.Literal literal -> literal;
            case Expr.Ref ref -> ref;
            case Expr.Reinterpret r -> apply(r.operand());
            case Expr.Unary u -> unary(u.op(), apply(u.operand()), u.type(), u);
            case Expr.Binary b -> binary(b.op(), apply(b.left()), apply(b.right()), b.type(), b);
            case Expr.ShiftConst s -> shiftConst(s, apply(s.operand()));
            case Expr.ShiftDynamic s -> shiftDynamic(s, apply(s.operand()), apply(s.amount()));
            case Expr.Mux m -> mux(apply(m.select()), apply(m.whenTrue()), apply(m.whenFalse()), m);
            case Expr.Slice s -> slice(apply(s.operand()), s.lo(), s.type(), s);
            case Expr.BitSelect b -> bitSelect(apply(b.operand()), apply(b.index()), b);
            case Expr.Concat c -> concat(c);
            case Expr.Extend e -> extend(apply(e.operand()), e.signed(), e.type(), e);
            case Expr.MemRead m -> {
                Expr address = apply(m.address());
                yield address == m.address() ? m : new Expr.MemRead(m.memory(), address);
            }
        };
    }

    private static Expr unary(Expr.UnaryOp op, Expr x, HwType type, Expr.Unary original) {
        if (x instanceof Expr.Literal literal) {
            BigInteger v = literal.value();
            return switch (op) {
                case NOT -> literal(type, v.xor(x.type().mask()));
                case NEG -> literal(type, v.negate().and(x.type().mask()));
                case AND_REDUCE -> bool(v.equals(x.type().mask()));
                case OR_REDUCE -> bool(v.signum() != 0);
                case XOR_REDUCE -> bool((v.bitCount() & 1) == 1);
            };
        }
        if (x instanceof Expr.Concat concat && (op == Expr.UnaryOp.OR_REDUCE || op == Expr.UnaryOp.AND_REDUCE)) {
            // |{..., 2'd1, ...} is 1 and &{..., 2'd1, ...} is 0 whatever the other parts are.
            for (Expr part : concat.parts()) {
                if (op == Expr.UnaryOp.OR_REDUCE ? part instanceof Expr.Literal && !isZero(part)
                        : part instanceof Expr.Literal && !isOnes(part)) {
                    return bool(op == Expr.UnaryOp.OR_REDUCE);
                }
            }
        }
        if (op == Expr.UnaryOp.NOT && x instanceof Expr.Unary inner && inner.op() == Expr.UnaryOp.NOT) {
            return inner.operand();
        }
        if (x.width() == 1 && (op == Expr.UnaryOp.AND_REDUCE || op == Expr.UnaryOp.OR_REDUCE
                || op == Expr.UnaryOp.XOR_REDUCE)) {
            return x;
        }
        return original != null && x == original.operand() ? original : new Expr.Unary(op, x, type);
    }

    private static Expr not(Expr x) {
        return unary(Expr.UnaryOp.NOT, x, x.type(), null);
    }

    private static Expr binary(Expr.BinaryOp op, Expr l, Expr r, HwType type, Expr.Binary original) {
        boolean signed = l.type().kind() == Kind.SINT;
        if (l instanceof Expr.Literal a && r instanceof Expr.Literal b) {
            return evaluate(op, a, b, type, signed);
        }
        switch (op) {
            case AND -> {
                if (isZero(l) || isOnes(r)) {
                    return l;
                }
                if (isZero(r) || isOnes(l) || same(l, r)) {
                    return r;
                }
            }
            case OR -> {
                if (isZero(l) || isOnes(r)) {
                    return r;
                }
                if (isZero(r) || isOnes(l) || same(l, r)) {
                    return l;
                }
            }
            case XOR -> {
                if (isZero(l)) {
                    return r;
                }
                if (isZero(r)) {
                    return l;
                }
                if (isOnes(l)) {
                    return not(r);
                }
                if (isOnes(r)) {
                    return not(l);
                }
                if (same(l, r)) {
                    return literal(type, BigInteger.ZERO);
                }
            }
            case ADD -> {
                if (isZero(l)) {
                    return r;
                }
                if (isZero(r)) {
                    return l;
                }
            }
            case SUB -> {
                if (isZero(r)) {
                    return l;
                }
                if (same(l, r)) {
                    return literal(type, BigInteger.ZERO);
                }
            }
            case MUL -> {
                if (isZero(l) || isZero(r)) {
                    return literal(type, BigInteger.ZERO);
                }
                if (isOne(r, signed)) {
                    return new Expr.Extend(l, signed, type);
                }
                if (isOne(l, signed)) {
                    return new Expr.Extend(r, signed, type);
                }
            }
            case EQ, NE, LT, LE, GT, GE -> {
                if (same(l, r)) {
                    return bool(op == Expr.BinaryOp.EQ || op == Expr.BinaryOp.LE || op == Expr.BinaryOp.GE);
                }
                if ((op == Expr.BinaryOp.EQ || op == Expr.BinaryOp.NE) && l.width() == 1) {
                    Expr constant = l instanceof Expr.Literal ? l : r instanceof Expr.Literal ? r : null;
                    if (constant != null) {
                        Expr other = retype(constant == l ? r : l, HwType.BOOL);
                        boolean one = ((Expr.Literal) constant).value().signum() != 0;
                        return one == (op == Expr.BinaryOp.EQ) ? other : not(other);
                    }
                }
            }
        }
        return original != null && l == original.left() && r == original.right() ? original : new Expr.Binary(op, l, r, type);
    }

    private static Expr evaluate(Expr.BinaryOp op, Expr.Literal a, Expr.Literal b, HwType type, boolean signed) {
        BigInteger x = a.value();
        BigInteger y = b.value();
        BigInteger sx = signed ? signedValue(a) : x;
        BigInteger sy = signed ? signedValue(b) : y;
        return switch (op) {
            case ADD -> literal(type, x.add(y).and(type.mask()));
            case SUB -> literal(type, x.subtract(y).and(type.mask()));
            case MUL -> literal(type, sx.multiply(sy).and(type.mask()));
            case AND -> literal(type, x.and(y));
            case OR -> literal(type, x.or(y));
            case XOR -> literal(type, x.xor(y));
            case EQ -> bool(x.equals(y));
            case NE -> bool(!x.equals(y));
            case LT -> bool(sx.compareTo(sy) < 0);
            case LE -> bool(sx.compareTo(sy) <= 0);
            case GT -> bool(sx.compareTo(sy) > 0);
            case GE -> bool(sx.compareTo(sy) >= 0);
        };
    }

    private static Expr shiftConst(Expr.ShiftConst shift, Expr x) {
        if (shift.amount() == 0) {
            return x;
        }
        if (shift.op() != Expr.ShiftOp.LEFT) {
            // Dropping the low bits is a slice, whatever the kind: the width shrinks by the amount.
            return slice(x, shift.amount(), shift.type(), null);
        }
        if (x instanceof Expr.Literal literal) {
            return literal(shift.type(), literal.value().shiftLeft(shift.amount()));
        }
        if (unwrap(x) instanceof Expr.Concat) {
            return concat(List.of(x, zeros(shift.amount())), shift.type());
        }
        return x == shift.operand() ? shift : new Expr.ShiftConst(Expr.ShiftOp.LEFT, x, shift.amount(), shift.type());
    }

    private static Expr.Literal zeros(int width) {
        return literal(HwType.uint(width), BigInteger.ZERO);
    }

    private static Expr unwrap(Expr x) {
        return x instanceof Expr.Reinterpret r ? r.operand() : x;
    }

    /**
     * The parts {@code x} is a concatenation of, most significant first: those of a concatenation, a zero
     * extension ({@code {N'd0, v}}) or a constant left shift ({@code {v, N'd0}}); null for anything else.
     */
    private static List<Expr> partsOf(Expr x) {
        return switch (unwrap(x)) {
            case Expr.Concat concat -> concat.parts();
            case Expr.Extend extend when !extend.signed() ->
                    List.of(zeros(extend.width() - extend.operand().width()), extend.operand());
            case Expr.ShiftConst shift when shift.op() == Expr.ShiftOp.LEFT -> List.of(shift.operand(), zeros(shift.amount()));
            default -> null;
        };
    }

    private static Expr shiftDynamic(Expr.ShiftDynamic shift, Expr x, Expr amount) {
        if (isZero(amount)) {
            return x;
        }
        if (x instanceof Expr.Literal literal && amount instanceof Expr.Literal by && by.value().bitLength() < 31) {
            int n = by.value().intValue();
            BigInteger mask = x.type().mask();
            return switch (shift.op()) {
                case LEFT -> literal(x.type(), literal.value().shiftLeft(n).and(mask));
                case RIGHT_LOGICAL -> literal(x.type(), literal.value().shiftRight(n));
                case RIGHT_ARITHMETIC -> literal(x.type(), signedValue(literal).shiftRight(n).and(mask));
            };
        }
        if (isZero(x) || (amount instanceof Expr.Literal by && by.value().compareTo(BigInteger.valueOf(x.width())) >= 0
                && shift.op() != Expr.ShiftOp.RIGHT_ARITHMETIC)) {
            return literal(x.type(), BigInteger.ZERO);
        }
        return x == shift.operand() && amount == shift.amount() ? shift
                : new Expr.ShiftDynamic(shift.op(), x, amount, shift.type());
    }

    private static Expr mux(Expr select, Expr whenTrue, Expr whenFalse, Expr.Mux original) {
        if (select instanceof Expr.Literal literal) {
            return literal.value().signum() != 0 ? whenTrue : whenFalse;
        }
        if (same(whenTrue, whenFalse)) {
            return whenTrue;
        }
        if (select instanceof Expr.Unary u && u.op() == Expr.UnaryOp.NOT) {
            return mux(retype(u.operand(), HwType.BOOL), whenFalse, whenTrue, null);
        }
        if (whenTrue.width() == 1 && (whenTrue instanceof Expr.Literal || whenFalse instanceof Expr.Literal)) {
            // One-bit arms with a constant: the select and the other arm combined with & or |.
            Expr s = retype(select, HwType.BOOL);
            Expr t = retype(whenTrue, HwType.BOOL);
            Expr f = retype(whenFalse, HwType.BOOL);
            if (isOnes(t) && isZero(f)) {
                return s;
            }
            if (isZero(t) && isOnes(f)) {
                return not(s);
            }
            if (isOnes(t)) {
                return binary(Expr.BinaryOp.OR, s, f, HwType.BOOL, null);
            }
            if (isZero(f)) {
                return binary(Expr.BinaryOp.AND, s, t, HwType.BOOL, null);
            }
            if (isZero(t)) {
                return binary(Expr.BinaryOp.AND, not(s), f, HwType.BOOL, null);
            }
            return binary(Expr.BinaryOp.OR, not(s), t, HwType.BOOL, null);
        }
        if (original != null && select == original.select() && whenTrue == original.whenTrue()
                && whenFalse == original.whenFalse()) {
            return original;
        }
        return new Expr.Mux(select, whenTrue, retype(whenFalse, whenTrue.type()));
    }

    /** Bits {@code lo .. lo + type.width() - 1} of {@code x}, as {@code type}. */
    private static Expr slice(Expr x, int lo, HwType type, Expr.Slice original) {
        int width = type.width();
        if (lo == 0 && width == x.width()) {
            return x;
        }
        switch (x) {
            case Expr.Literal literal -> {
                return literal(type, literal.value().shiftRight(lo).and(type.mask()));
            }
            case Expr.Slice inner -> {
                return slice(inner.operand(), inner.lo() + lo, type, null);
            }
            case Expr.Reinterpret inner -> {
                return slice(inner.operand(), lo, type, null);
            }
            case Expr.Extend extend when extend.signed() && lo + width <= extend.operand().width() -> {
                return slice(extend.operand(), lo, type, null);
            }
            default -> {
                List<Expr> parts = partsOf(x);
                if (parts == null) {
                    return original != null && x == original.operand() ? original : new Expr.Slice(x, lo, type);
                }
                // The parts the slice covers, most significant first, each cut to the slice.
                List<Expr> covered = new ArrayList<>();
                int partLo = x.width();
                for (Expr part : parts) {
                    partLo -= part.width();
                    int from = Math.max(lo, partLo);
                    int to = Math.min(lo + width, partLo + part.width());
                    if (from < to) {
                        covered.add(slice(part, from - partLo, HwType.bits(to - from), null));
                    }
                }
                return covered.size() == 1 ? retype(covered.getFirst(), type) : concat(covered, type);
            }
        }
    }

    private static Expr bitSelect(Expr x, Expr index, Expr.BitSelect original) {
        if (index instanceof Expr.Literal literal) {
            return literal.value().compareTo(BigInteger.valueOf(x.width())) < 0
                    ? slice(x, literal.value().intValue(), HwType.BOOL, null)
                    : bool(false);
        }
        return x == original.operand() && index == original.index() ? original : new Expr.BitSelect(x, index);
    }

    private Expr concat(Expr.Concat concat) {
        List<Expr> parts = new ArrayList<>(concat.parts().size());
        boolean changed = false;
        for (Expr part : concat.parts()) {
            Expr folded = apply(part);
            changed |= folded != part;
            parts.add(folded);
        }
        Expr result = concat(parts, concat.type());
        return !changed && result instanceof Expr.Concat c && allSame(c.parts(), concat.parts()) ? concat : result;
    }

    /**
     * The concatenation of {@code parts} (most significant first) as {@code type}: nested concatenations
     * flattened, neighbouring constants merged into one, neighbouring slices of one value joined.
     */
    private static Expr concat(List<Expr> parts, HwType type) {
        List<Expr> flat = new ArrayList<>();
        for (Expr part : parts) {
            List<Expr> nested = partsOf(part);
            if (nested != null) {
                flat.addAll(nested);
            } else {
                flat.add(part);
            }
        }
        List<Expr> merged = new ArrayList<>();
        for (Expr part : flat) {
            Expr previous = merged.isEmpty() ? null : merged.getLast();
            Expr joined = previous == null ? null : join(previous, part);
            if (joined != null) {
                merged.set(merged.size() - 1, joined);
            } else {
                merged.add(part);
            }
        }
        if (merged.size() == 1) {
            return retype(merged.getFirst(), type);
        }
        return new Expr.Concat(merged, HwType.bits(type.width()));
    }

    private static boolean allSame(List<Expr> a, List<Expr> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@code {high, low}} as one node when both are constants or adjacent slices of one value, else null. */
    private static Expr join(Expr high, Expr low) {
        int width = high.width() + low.width();
        if (high instanceof Expr.Literal h && low instanceof Expr.Literal l) {
            HwType type = h.type().kind() == l.type().kind() ? h.type().withWidth(width) : HwType.bits(width);
            return literal(type, h.value().shiftLeft(low.width()).or(l.value()));
        }
        Expr highBase = high instanceof Expr.Slice s ? s.operand() : high;
        int highLo = high instanceof Expr.Slice s ? s.lo() : 0;
        Expr lowBase = low instanceof Expr.Slice s ? s.operand() : low;
        int lowLo = low instanceof Expr.Slice s ? s.lo() : 0;
        if ((high instanceof Expr.Slice || low instanceof Expr.Slice) && highBase == lowBase
                && highLo == lowLo + low.width()) {
            return slice(lowBase, lowLo, HwType.bits(width), null);
        }
        return null;
    }

    private static Expr extend(Expr x, boolean signed, HwType type, Expr.Extend original) {
        if (x.width() == type.width()) {
            return x;
        }
        if (x instanceof Expr.Literal literal) {
            return literal(type, (signed ? signedValue(literal) : literal.value()).and(type.mask()));
        }
        if (x instanceof Expr.Extend inner && (!inner.signed() || signed)) {
            // zext(zext(v)) and sext(zext(v)) are zext(v) (the inner one made the sign bit 0); sext(sext(v)) is sext(v).
            return new Expr.Extend(inner.operand(), inner.signed(), type);
        }
        List<Expr> parts = partsOf(x);
        if (parts != null && (!signed || isZero(parts.getFirst()))) {
            // Zeros above a concatenation: one concatenation (sext too, when its top bit is a constant 0).
            return concat(List.of(zeros(type.width() - x.width()), x), type);
        }
        return original != null && x == original.operand() ? original : new Expr.Extend(x, signed, type);
    }

    // ------------------------------------------------------------------ helpers

    /** {@code x} seen as {@code type} (same width): itself, a constant of that type, or a reinterpretation. */
    static Expr retype(Expr x, HwType type) {
        if (x.type().equals(type)) {
            return x;
        }
        if (x.width() != type.width()) {
            throw new IllegalStateException("constant folding changed a width: " + x.type() + " for " + type);
        }
        if (x instanceof Expr.Literal literal) {
            return new Expr.Literal(type, literal.value());
        }
        if (x instanceof Expr.Reinterpret inner) {
            return retype(inner.operand(), type);
        }
        return new Expr.Reinterpret(x, type);
    }

    private static Expr.Literal literal(HwType type, BigInteger value) {
        return new Expr.Literal(type, value);
    }

    private static Expr.Literal bool(boolean value) {
        return new Expr.Literal(HwType.BOOL, value ? BigInteger.ONE : BigInteger.ZERO);
    }

    private static BigInteger signedValue(Expr.Literal literal) {
        BigInteger v = literal.value();
        return v.testBit(literal.width() - 1) ? v.subtract(BigInteger.ONE.shiftLeft(literal.width())) : v;
    }

    private static boolean isZero(Expr x) {
        return x instanceof Expr.Literal literal && literal.value().signum() == 0;
    }

    private static boolean isOnes(Expr x) {
        return x instanceof Expr.Literal literal && literal.value().equals(x.type().mask());
    }

    private static boolean isOne(Expr x, boolean signed) {
        return x instanceof Expr.Literal literal && (signed ? signedValue(literal) : literal.value()).equals(BigInteger.ONE);
    }

    /** True when {@code a} and {@code b} are the same value: one node, or equal small trees over the same signals. */
    static boolean same(Expr a, Expr b) {
        return same(a, b, new int[] {32});
    }

    private static boolean same(Expr a, Expr b, int[] budget) {
        if (a == b) {
            return true;
        }
        if (--budget[0] < 0 || a.getClass() != b.getClass() || !a.type().equals(b.type())) {
            return false;
        }
        return switch (a) {
            case Expr.Literal l -> l.value().equals(((Expr.Literal) b).value());
            case Expr.Ref r -> r.signal() == ((Expr.Ref) b).signal();
            case Expr.Unary u -> u.op() == ((Expr.Unary) b).op() && same(u.operand(), ((Expr.Unary) b).operand(), budget);
            case Expr.Binary x -> {
                Expr.Binary y = (Expr.Binary) b;
                yield x.op() == y.op() && same(x.left(), y.left(), budget) && same(x.right(), y.right(), budget);
            }
            case Expr.Slice x -> x.lo() == ((Expr.Slice) b).lo() && same(x.operand(), ((Expr.Slice) b).operand(), budget);
            case Expr.Reinterpret x -> same(x.operand(), ((Expr.Reinterpret) b).operand(), budget);
            case Expr.Extend x -> x.signed() == ((Expr.Extend) b).signed()
                    && same(x.operand(), ((Expr.Extend) b).operand(), budget);
            case Expr.Concat x -> {
                Expr.Concat y = (Expr.Concat) b;
                boolean equal = x.parts().size() == y.parts().size();
                for (int i = 0; equal && i < x.parts().size(); i++) {
                    equal = same(x.parts().get(i), y.parts().get(i), budget);
                }
                yield equal;
            }
            case Expr.Mux x -> {
                Expr.Mux y = (Expr.Mux) b;
                yield same(x.select(), y.select(), budget) && same(x.whenTrue(), y.whenTrue(), budget)
                        && same(x.whenFalse(), y.whenFalse(), budget);
            }
            default -> false;
        };
    }
}
