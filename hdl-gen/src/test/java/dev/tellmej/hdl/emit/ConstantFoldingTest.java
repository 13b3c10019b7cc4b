package dev.tellmej.hdl.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tellmej.hdl.ir.Evaluator;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Kind;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.SourceLocation;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Constant folding never changes a value: random expression trees (rich in constants, so that the rules
 * fire) have the same value folded and unfolded for random signal values, with the same type; and each
 * identity the Verilog must not show folds to the expected node.
 */
class ConstantFoldingTest {
    private static final long SEED = 0x5eed_f01dL;
    private static final ModuleNode OWNER = new ModuleNode(ConstantFoldingTest.class, "Owner", SourceLocation.UNKNOWN);

    private final Map<HwType, List<Signal>> signals = new LinkedHashMap<>();

    private Signal signal(HwType type, int index) {
        List<Signal> ofType = signals.computeIfAbsent(type, t -> new ArrayList<>());
        while (ofType.size() <= index) {
            ofType.add(new Signal("s" + signals.size() + "_" + ofType.size(), type, SignalRole.INPUT, OWNER,
                    SourceLocation.UNKNOWN, Signal.Origin.USER, null));
        }
        return ofType.get(index);
    }

    private Expr ref(HwType type) {
        return new Expr.Ref(signal(type, 0));
    }

    private static Expr.Literal lit(HwType type, long value) {
        return new Expr.Literal(type, BigInteger.valueOf(value).and(type.mask()));
    }

    private static final HwType U8 = HwType.uint(8);
    private static final HwType B = HwType.BOOL;

    @Test
    void identitiesFoldAway() {
        Expr x = ref(U8);
        Expr c = ref(B);
        assertSame(c, ConstantFolding.fold(new Expr.Binary(Expr.BinaryOp.AND, lit(B, 1), c, B)));
        assertSame(c, ConstantFolding.fold(new Expr.Binary(Expr.BinaryOp.OR, lit(B, 0), c, B)));
        assertSame(x, ConstantFolding.fold(new Expr.Binary(Expr.BinaryOp.ADD, x, lit(U8, 0), U8)));
        assertSame(x, ConstantFolding.fold(new Expr.Binary(Expr.BinaryOp.SUB, x, lit(U8, 0), U8)));
        assertSame(x, ConstantFolding.fold(new Expr.Binary(Expr.BinaryOp.XOR, x, lit(U8, 0), U8)));
        assertSame(x, ConstantFolding.fold(new Expr.Mux(lit(B, 1), x, lit(U8, 3))));
        assertSame(x, ConstantFolding.fold(new Expr.Mux(c, x, x)));
        assertEquals(lit(U8, 0xf0), ConstantFolding.fold(new Expr.Unary(Expr.UnaryOp.NOT, lit(U8, 0x0f), U8)));
        assertEquals(lit(B, 1), ConstantFolding.fold(new Expr.Binary(Expr.BinaryOp.LT, lit(U8, 3), lit(U8, 5), B)));
        assertEquals(lit(HwType.sint(8), -3),
                ConstantFolding.fold(new Expr.Extend(lit(HwType.sint(4), -3), true, HwType.sint(8))));
        assertEquals(lit(HwType.bits(3), 6),
                ConstantFolding.fold(new Expr.Slice(lit(U8, 0xb4), 3, HwType.bits(3))));
        assertEquals(lit(HwType.bits(6), 0b101011), ConstantFolding.fold(new Expr.Concat(
                List.of(lit(HwType.uint(3), 5), lit(HwType.uint(3), 3)), HwType.bits(6))));
        // c ? 1 : 0 is c, and one-bit arms with a constant become & and |.
        assertSame(c, ConstantFolding.fold(new Expr.Mux(c, lit(B, 1), lit(B, 0))));
        Expr d = new Expr.Ref(signal(B, 1));
        assertEquals(new Expr.Binary(Expr.BinaryOp.AND, c, d, B), ConstantFolding.fold(new Expr.Mux(c, d, lit(B, 0))));
        // A test that holds for every value of the few bits it reads is a constant.
        Expr s = ref(HwType.uint(2));
        Expr any = null;
        for (int v = 0; v < 4; v++) {
            Expr eq = new Expr.Binary(Expr.BinaryOp.EQ, s, lit(HwType.uint(2), v), B);
            any = any == null ? eq : new Expr.Binary(Expr.BinaryOp.OR, any, eq, B);
        }
        assertEquals(lit(B, 1), ConstantFolding.fold(any));
        // Nested concatenations flatten; neighbouring slices of one value join.
        Expr joined = ConstantFolding.fold(new Expr.Concat(List.of(new Expr.Slice(x, 4, HwType.bits(4)),
                new Expr.Concat(List.of(new Expr.Slice(x, 0, HwType.bits(4))), HwType.bits(4))), HwType.bits(8)));
        assertInstanceOf(Expr.Reinterpret.class, joined);
        assertSame(x, ((Expr.Reinterpret) joined).operand());
    }

    @Test
    void foldingKeepsEveryValueAndType() {
        Random random = new Random(SEED);
        for (int tree = 0; tree < 2000; tree++) {
            HwType type = randomType(random, true);
            Expr expr = generate(random, type, 5);
            Expr folded = ConstantFolding.fold(expr);
            assertEquals(expr.type(), folded.type(), () -> "type of " + expr + " (seed " + SEED + ")");
            for (int trial = 0; trial < 20; trial++) {
                Map<Signal, BigInteger> values = new IdentityHashMap<>();
                for (List<Signal> list : signals.values()) {
                    for (Signal s : list) {
                        values.put(s, new BigInteger(s.width(), random));
                    }
                }
                BigInteger want = Evaluator.evaluate(expr, values::get);
                BigInteger got = Evaluator.evaluate(folded, values::get);
                int treeNumber = tree;
                assertEquals(want, got, () -> "tree " + treeNumber + " (seed " + SEED + "): " + expr + "\nfolded: " + folded);
            }
        }
    }

    private static HwType randomType(Random random, boolean allowBool) {
        int kind = random.nextInt(allowBool ? 4 : 3);
        int width = 1 + random.nextInt(9);
        return switch (kind) {
            case 0 -> HwType.uint(width);
            case 1 -> HwType.sint(width);
            case 2 -> HwType.bits(width);
            default -> B;
        };
    }

    /** A random expression of exactly {@code type}. */
    private Expr generate(Random random, HwType type, int depth) {
        int width = type.width();
        if (depth == 0 || random.nextInt(5) == 0) {
            return switch (random.nextInt(4)) {
                case 0 -> lit(type, 0);
                case 1 -> new Expr.Literal(type, type.mask());
                case 2 -> new Expr.Literal(type, new BigInteger(width, random));
                default -> new Expr.Ref(signal(type, random.nextInt(2)));
            };
        }
        int choice = random.nextInt(14);
        switch (choice) {
            case 0, 1 -> {
                Expr.BinaryOp op = Expr.BinaryOp.values()[random.nextInt(5) + (random.nextBoolean() ? 0 : 1)];
                if (op == Expr.BinaryOp.MUL) {
                    if (width < 2 || type.kind() == Kind.BOOL) {
                        break;
                    }
                    int left = 1 + random.nextInt(width - 1);
                    Kind kind = type.kind() == Kind.SINT ? Kind.SINT : Kind.UINT;
                    return new Expr.Binary(op, generate(random, new HwType(kind, left), depth - 1),
                            generate(random, new HwType(kind, width - left), depth - 1), type);
                }
                return new Expr.Binary(op, generate(random, type, depth - 1), generate(random, type, depth - 1), type);
            }
            case 2 -> {
                if (type.kind() != Kind.BOOL) {
                    break;
                }
                HwType operands = randomType(random, false);
                Expr.BinaryOp op = Expr.BinaryOp.values()[Expr.BinaryOp.EQ.ordinal() + random.nextInt(6)];
                return new Expr.Binary(op, generate(random, operands, depth - 1), generate(random, operands, depth - 1), B);
            }
            case 3 -> {
                return new Expr.Unary(random.nextBoolean() ? Expr.UnaryOp.NOT : Expr.UnaryOp.NEG,
                        generate(random, type, depth - 1), type);
            }
            case 4 -> {
                if (type.kind() != Kind.BOOL) {
                    break;
                }
                Expr.UnaryOp op = Expr.UnaryOp.values()[2 + random.nextInt(3)];
                return new Expr.Unary(op, generate(random, randomType(random, false), depth - 1), B);
            }
            case 5 -> {
                if (width < 2 || type.kind() == Kind.BOOL) {
                    break;
                }
                int n = 1 + random.nextInt(width - 1);
                return new Expr.ShiftConst(Expr.ShiftOp.LEFT, generate(random, type.withWidth(width - n), depth - 1), n, type);
            }
            case 6 -> {
                if (type.kind() == Kind.BOOL) {
                    break;
                }
                int n = 1 + random.nextInt(3);
                Expr.ShiftOp op = type.kind() == Kind.SINT ? Expr.ShiftOp.RIGHT_ARITHMETIC : Expr.ShiftOp.RIGHT_LOGICAL;
                return new Expr.ShiftConst(op, generate(random, type.withWidth(width + n), depth - 1), n, type);
            }
            case 7 -> {
                Expr.ShiftOp op = Expr.ShiftOp.values()[random.nextInt(3)];
                if (type.kind() == Kind.BOOL) {
                    break;
                }
                return new Expr.ShiftDynamic(op, generate(random, type, depth - 1),
                        generate(random, HwType.uint(1 + random.nextInt(4)), depth - 1), type);
            }
            case 8, 9 -> {
                return new Expr.Mux(generate(random, B, depth - 1), generate(random, type, depth - 1),
                        generate(random, type, depth - 1));
            }
            case 10 -> {
                int extra = random.nextInt(6);
                int lo = random.nextInt(extra + 1);
                HwType operand = randomType(random, false).withWidth(width + extra);
                return new Expr.Slice(generate(random, operand, depth - 1), lo, type);
            }
            case 11 -> {
                if (type.kind() == Kind.BOOL) {
                    return new Expr.BitSelect(generate(random, randomType(random, false), depth - 1),
                            generate(random, HwType.uint(1 + random.nextInt(4)), depth - 1));
                }
                List<Expr> parts = new ArrayList<>();
                for (int left = width; left > 0; ) {
                    int part = 1 + random.nextInt(left);
                    HwType partType = part == 1 && random.nextBoolean() ? B : randomType(random, false).withWidth(part);
                    parts.add(generate(random, partType, depth - 1));
                    left -= part;
                }
                Expr concat = parts.size() == 1 ? parts.getFirst() : new Expr.Concat(parts, HwType.bits(width));
                return concat.type().equals(type) ? concat : new Expr.Reinterpret(concat, type);
            }
            case 12 -> {
                if (width < 2 || type.kind() == Kind.BOOL) {
                    break;
                }
                int from = 1 + random.nextInt(width - 1);
                return new Expr.Extend(generate(random, type.withWidth(from), depth - 1), random.nextBoolean(), type);
            }
            default -> {
                HwType other = randomType(random, width == 1).withWidth(width);
                if (other.equals(type)) {
                    break;
                }
                return new Expr.Reinterpret(generate(random, other, depth - 1), type);
            }
        }
        return generate(random, type, depth - 1);
    }
}
