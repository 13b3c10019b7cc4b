package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.Block;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.Instance;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.Stmt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Traversals shared by the passes: the hierarchy, statements with their conditions, expression leaves. */
public final class IrWalk {
    private IrWalk() {}

    /** Every module instance of the hierarchy, parents before children, in instance order. */
    public static List<ModuleNode> modules(ModuleNode top) {
        List<ModuleNode> out = new ArrayList<>();
        Deque<ModuleNode> stack = new ArrayDeque<>();
        stack.push(top);
        while (!stack.isEmpty()) {
            ModuleNode node = stack.pop();
            out.add(node);
            List<Instance> instances = node.instances();
            for (int i = instances.size() - 1; i >= 0; i--) {
                stack.push(instances.get(i).child());
            }
        }
        return out;
    }

    /** Every module instance, children before parents (the order definitions are emitted in). */
    public static List<ModuleNode> modulesBottomUp(ModuleNode top) {
        List<ModuleNode> out = new ArrayList<>();
        postOrder(top, out);
        return out;
    }

    private static void postOrder(ModuleNode node, List<ModuleNode> out) {
        for (Instance instance : node.instances()) {
            postOrder(instance.child(), out);
        }
        out.add(node);
    }

    /** A statement visitor that also sees the conditions (When conditions, Switch selectors) above it. */
    public interface StatementVisitor {
        void visit(Stmt statement, List<Expr> enclosingConditions);
    }

    /** Visits every statement of {@code block}, depth first, with the expressions that guard it. */
    public static void statements(Block block, StatementVisitor visitor) {
        statements(block, new ArrayList<>(), visitor);
    }

    private static void statements(Block block, List<Expr> guards, StatementVisitor visitor) {
        for (Stmt statement : block.statements()) {
            visitor.visit(statement, Collections.unmodifiableList(guards));
            switch (statement) {
                case Stmt.When when -> {
                    guards.add(when.condition());
                    statements(when.whenTrue(), guards, visitor);
                    statements(when.whenFalse(), guards, visitor);
                    guards.removeLast();
                }
                case Stmt.Switch sw -> {
                    guards.add(sw.selector());
                    for (Stmt.Case arm : sw.cases()) {
                        statements(arm.body(), guards, visitor);
                    }
                    statements(sw.otherwise(), guards, visitor);
                    guards.removeLast();
                }
                default -> { }
            }
        }
    }

    /** Calls {@code sink} once per signal read by {@code expr} (shared sub-expressions are visited once). */
    public static void signalsOf(Expr expr, Consumer<Signal> sink) {
        nodes(expr, Collections.newSetFromMap(new IdentityHashMap<>()), node -> {
            if (node instanceof Expr.Ref(Signal signal)) {
                sink.accept(signal);
            }
        });
    }

    /** Calls {@code sink} once per node of {@code expr} not already in {@code seen}, operands first. */
    public static void nodes(Expr expr, Set<Expr> seen, Consumer<Expr> sink) {
        Deque<Expr> stack = new ArrayDeque<>();
        Deque<Boolean> expanded = new ArrayDeque<>();
        stack.push(expr);
        expanded.push(false);
        while (!stack.isEmpty()) {
            Expr node = stack.pop();
            boolean done = expanded.pop();
            if (done) {
                sink.accept(node);
                continue;
            }
            if (!seen.add(node)) {
                continue;
            }
            stack.push(node);
            expanded.push(true);
            for (Expr operand : operands(node)) {
                stack.push(operand);
                expanded.push(false);
            }
        }
    }

    /** The direct operands of an expression node. */
    public static List<Expr> operands(Expr node) {
        return switch (node) {
            case Expr.Literal l -> List.of();
            case Expr.Ref r -> List.of();
            case Expr.Unary u -> List.of(u.operand());
            case Expr.Binary b -> List.of(b.left(), b.right());
            case Expr.ShiftConst s -> List.of(s.operand());
            case Expr.ShiftDynamic s -> List.of(s.operand(), s.amount());
            case Expr.Mux m -> List.of(m.select(), m.whenTrue(), m.whenFalse());
            case Expr.Slice s -> List.of(s.operand());
            case Expr.BitSelect b -> List.of(b.operand(), b.index());
            case Expr.Concat c -> c.parts();
            case Expr.Extend e -> List.of(e.operand());
            case Expr.Reinterpret r -> List.of(r.operand());
            case Expr.MemRead m -> List.of(m.address());
        };
    }

    /** The expressions a statement reads itself (not those of nested statements). */
    public static List<Expr> readsOf(Stmt statement) {
        return switch (statement) {
            case Stmt.Assign a -> List.of(a.value());
            case Stmt.When w -> List.of(w.condition());
            case Stmt.Switch s -> List.of(s.selector());
            case Stmt.MemWrite m -> m.mask() == null ? List.of(m.address(), m.data()) : List.of(m.address(), m.data(), m.mask());
        };
    }
}
