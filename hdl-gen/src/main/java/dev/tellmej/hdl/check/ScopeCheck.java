package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.Stmt;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A module touches only its own signals and memories; it reaches a child through the wires made for the
 * child's ports. Using another module's signal directly (for example a child's internal register) is an error.
 */
public final class ScopeCheck implements Pass {
    @Override
    public String name() {
        return "scope check";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        for (ModuleNode module : IrWalk.modules(top)) {
            Set<Signal> reported = Collections.newSetFromMap(new IdentityHashMap<>());
            for (dev.tellmej.hdl.ir.Assertion assertion : module.assertions()) {
                IrWalk.nodes(assertion.condition(), Collections.newSetFromMap(new IdentityHashMap<>()), node -> {
                    if (node instanceof Expr.Ref(Signal signal) && signal.owner() != module && reported.add(signal)) {
                        errors.add(new ScopeException(assertion.location(), "an assertion of " + module.baseName()
                                + " reads " + signal.describe() + ", which belongs to another module"));
                    }
                });
            }
            IrWalk.statements(module.body(), (statement, guards) -> {
                if (statement instanceof Stmt.Assign assign && assign.target().owner() != module
                        && reported.add(assign.target())) {
                    errors.add(new ScopeException(assign.location(), "assignment in " + module.baseName()
                            + " to " + assign.target().describe() + "; a module may only drive its own signals"
                            + " and its children's input ports"));
                }
                if (statement instanceof Stmt.MemWrite write && write.memory().owner() != module) {
                    errors.add(new ScopeException(write.location(), "write in " + module.baseName()
                            + " to memory '" + write.memory().name() + "' of " + write.memory().owner().baseName()));
                }
                for (Expr read : IrWalk.readsOf(statement)) {
                    IrWalk.nodes(read, Collections.newSetFromMap(new IdentityHashMap<>()), node -> {
                        if (node instanceof Expr.Ref(Signal signal) && signal.owner() != module && reported.add(signal)) {
                            errors.add(new ScopeException(statement.location(), module.baseName() + " reads "
                                    + signal.describe() + ", which belongs to another module; use the child's"
                                    + " ports (or pass the value in through a port)"));
                        }
                        if (node instanceof Expr.MemRead read2 && read2.memory().owner() != module) {
                            errors.add(new ScopeException(statement.location(), module.baseName() + " reads memory '"
                                    + read2.memory().name() + "' of " + read2.memory().owner().baseName()));
                        }
                    });
                }
            });
        }
    }
}
