package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Block;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.ir.Stmt;

/**
 * A conditional block under construction: {@code when(c, () -> ...).elseWhen(d, () -> ...).otherwise(() -> ...)}.
 * Inside a branch, assignments only take effect when the branch's condition holds; later assignments to
 * the same bits win over earlier ones.
 */
public final class When {
    private final Stmt.When statement;

    private When(Stmt.When statement) {
        this.statement = statement;
    }

    static When open(Bool condition, Runnable body) {
        Elaboration elaboration = Elaboration.current();
        Stmt.When statement = new Stmt.When(condition.node(), new Block(), new Block(), Locations.capture());
        elaboration.add(statement);
        elaboration.inBlock(statement.whenTrue(), body);
        return new When(statement);
    }

    /** Another condition, tried when the previous ones were false. */
    public When elseWhen(Bool condition, Runnable body) {
        Elaboration elaboration = Elaboration.current();
        Stmt.When nested = new Stmt.When(condition.node(), new Block(), new Block(), Locations.capture());
        statement.whenFalse().add(nested);
        elaboration.inBlock(nested.whenTrue(), body);
        return new When(nested);
    }

    /** The branch taken when no condition held. */
    public void otherwise(Runnable body) {
        Elaboration.current().inBlock(statement.whenFalse(), body);
    }
}
