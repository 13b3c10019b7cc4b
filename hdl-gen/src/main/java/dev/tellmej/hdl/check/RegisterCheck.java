package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.Stmt;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Every register is assigned somewhere; one that never is would be a constant (or undefined) forever. */
public final class RegisterCheck implements Pass {
    @Override
    public String name() {
        return "register check";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        for (ModuleNode module : IrWalk.modules(top)) {
            Set<Signal> assigned = Collections.newSetFromMap(new IdentityHashMap<>());
            IrWalk.statements(module.body(), (statement, guards) -> {
                if (statement instanceof Stmt.Assign assign) {
                    assigned.add(assign.target());
                }
            });
            for (Signal signal : module.signals()) {
                if (signal.role() == SignalRole.REG && !assigned.contains(signal)) {
                    errors.add(new UnassignedRegisterException(signal.location(), "register '" + signal.name()
                            + "' of " + module.baseName() + " is never assigned"
                            + (signal.resetValue() != null ? " (it would hold its reset value forever; use a literal)" : "")));
                }
            }
        }
    }
}
