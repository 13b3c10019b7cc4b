package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Stmt;
import java.util.List;

/**
 * Assignments must match their target exactly: the same width, inside the target's bits. (Kinds are
 * enforced by Java's types; a deliberate {@code asBits()} view of a signal may be assigned raw bits.)
 * (Width errors inside expressions are found as the expressions are built and reported with these.)
 */
public final class WidthCheck implements Pass {
    @Override
    public String name() {
        return "width check";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        for (ModuleNode module : IrWalk.modules(top)) {
            IrWalk.statements(module.body(), (statement, guards) -> {
                if (statement instanceof Stmt.Assign assign) {
                    check(assign, errors);
                }
            });
        }
    }

    private static void check(Stmt.Assign assign, List<HdlException> errors) {
        var target = assign.target();
        var value = assign.value().type();
        String what = assign.wholeSignal() ? "'" + target.name() + "' (" + target.type() + ")"
                : "bits " + assign.hi() + ".." + assign.lo() + " of '" + target.name() + "'";
        if (assign.hi() >= target.width()) {
            errors.add(new WidthMismatchException(assign.location(), "assignment to " + what
                    + " reaches past its " + target.width() + " bits"));
        } else if (value.width() != assign.width()) {
            errors.add(new WidthMismatchException(assign.location(), "cannot assign " + value + " to " + what
                    + ": widths differ by " + Math.abs(value.width() - assign.width())
                    + "; use resize, zext/sext or trunc"));
        }
    }
}
