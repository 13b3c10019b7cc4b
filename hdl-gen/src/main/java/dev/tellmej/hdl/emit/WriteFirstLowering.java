package dev.tellmej.hdl.emit;

import dev.tellmej.hdl.ReadUnderWrite;
import dev.tellmej.hdl.check.HdlException;
import dev.tellmej.hdl.check.IrWalk;
import dev.tellmej.hdl.check.Pass;
import dev.tellmej.hdl.ir.Block;
import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Stmt;
import java.math.BigInteger;
import java.util.List;

/**
 * Builds {@link ReadUnderWrite#WRITE_FIRST} as a bypass: each registered read loads the written data
 * instead of the stored word when the (single, unmasked) write hits the same address in the same cycle.
 * Runs after the checks, which guarantee the single write.
 */
public final class WriteFirstLowering implements Pass {
    @Override
    public String name() {
        return "write-first lowering";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        for (ModuleNode module : IrWalk.modules(top)) {
            for (MemoryNode memory : module.memories()) {
                if (memory.readUnderWrite() == ReadUnderWrite.WRITE_FIRST && !memory.readPorts().isEmpty()) {
                    lower(module, memory);
                }
            }
        }
    }

    private static void lower(ModuleNode module, MemoryNode memory) {
        Expr[] enable = {null};
        Stmt.MemWrite[] write = {null};
        pathConditions(module.body(), new Expr.Literal(HwType.BOOL, BigInteger.ONE), (statement, path) -> {
            if (statement instanceof Stmt.MemWrite w && w.memory() == memory) {
                write[0] = w;
                enable[0] = path;
            }
        });
        if (write[0] == null) {
            return;
        }
        rewrite(module.body(), memory, write[0], enable[0]);
    }

    private static void rewrite(Block block, MemoryNode memory, Stmt.MemWrite write, Expr enable) {
        List<Stmt> statements = block.statements();
        for (int i = 0; i < statements.size(); i++) {
            switch (statements.get(i)) {
                case Stmt.Assign assign when assign.value() instanceof Expr.MemRead read && read.memory() == memory -> {
                    Expr hit = and(enable, new Expr.Binary(Expr.BinaryOp.EQ, write.address(), read.address(), HwType.BOOL));
                    statements.set(i, new Stmt.Assign(assign.target(), assign.lo(), assign.width(),
                            new Expr.Mux(hit, write.data(), read), assign.location()));
                }
                case Stmt.When when -> {
                    rewrite(when.whenTrue(), memory, write, enable);
                    rewrite(when.whenFalse(), memory, write, enable);
                }
                case Stmt.Switch sw -> {
                    for (Stmt.Case arm : sw.cases()) {
                        rewrite(arm.body(), memory, write, enable);
                    }
                    rewrite(sw.otherwise(), memory, write, enable);
                }
                default -> { }
            }
        }
    }

    interface PathVisitor {
        void visit(Stmt statement, Expr pathCondition);
    }

    /** Visits statements with the condition under which each executes. */
    static void pathConditions(Block block, Expr path, PathVisitor visitor) {
        for (Stmt statement : block.statements()) {
            visitor.visit(statement, path);
            switch (statement) {
                case Stmt.When when -> {
                    pathConditions(when.whenTrue(), and(path, when.condition()), visitor);
                    pathConditions(when.whenFalse(), and(path, not(when.condition())), visitor);
                }
                case Stmt.Switch sw -> {
                    Expr none = null;
                    for (Stmt.Case arm : sw.cases()) {
                        Expr match = null;
                        for (BigInteger value : arm.values()) {
                            Expr eq = new Expr.Binary(Expr.BinaryOp.EQ, sw.selector(),
                                    new Expr.Literal(sw.selector().type(), value), HwType.BOOL);
                            match = match == null ? eq : new Expr.Binary(Expr.BinaryOp.OR, match, eq, HwType.BOOL);
                        }
                        if (match == null) {
                            continue;
                        }
                        pathConditions(arm.body(), and(path, match), visitor);
                        none = none == null ? not(match) : and(none, not(match));
                    }
                    pathConditions(sw.otherwise(), none == null ? path : and(path, none), visitor);
                }
                default -> { }
            }
        }
    }

    private static Expr and(Expr a, Expr b) {
        if (a instanceof Expr.Literal l && l.value().signum() != 0) {
            return b;
        }
        return new Expr.Binary(Expr.BinaryOp.AND, a, b, HwType.BOOL);
    }

    private static Expr not(Expr a) {
        return new Expr.Unary(Expr.UnaryOp.NOT, a, HwType.BOOL);
    }
}
