package dev.tellmej.hdl.ir;

import java.util.ArrayList;
import java.util.List;

/** An ordered, growing list of statements: a module body or one branch of a condition. */
public final class Block {
    private final List<Stmt> statements = new ArrayList<>();

    public List<Stmt> statements() {
        return statements;
    }

    public void add(Stmt statement) {
        statements.add(statement);
    }

    public boolean isEmpty() {
        return statements.isEmpty();
    }
}
