package dev.tellmej.hdl;

import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.ir.Block;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.ir.SourceLocation;
import dev.tellmej.hdl.ir.Stmt;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A multi-way branch under construction:
 * {@code switchOn(state).is(IDLE, () -> ...).is(BUSY, () -> ...).otherwise(() -> ...)}.
 * Case values must fit the selector's width and appear once.
 */
public final class Switch {
    private final Stmt.Switch statement;
    private final BitVector<?> selector;
    private final Set<BigInteger> seen = new HashSet<>();

    private Switch(Stmt.Switch statement, BitVector<?> selector) {
        this.statement = statement;
        this.selector = selector;
    }

    static Switch open(BitVector<?> selector) {
        Stmt.Switch statement = new Stmt.Switch(selector.node(), new ArrayList<>(), new Block(), Locations.capture());
        Elaboration.current().add(statement);
        return new Switch(statement, selector);
    }

    /** The branch taken when the selector equals {@code value} (for SInt selectors, negative values are fine). */
    public Switch is(long value, Runnable body) {
        return isAnyOf(new long[] {value}, body);
    }

    /** The branch taken when the selector equals any of {@code values}. */
    public Switch isAnyOf(long[] values, Runnable body) {
        SourceLocation where = Locations.capture();
        List<BigInteger> patterns = new ArrayList<>();
        for (long value : values) {
            BigInteger pattern = Hdl.literalBits(value, selector.type(), "case value");
            if (pattern == null) {
                continue;
            }
            if (!seen.add(pattern)) {
                throw new HdlUsageException(where + ": case value " + value + " appears twice in this switch");
            }
            patterns.add(pattern);
        }
        Stmt.Case arm = new Stmt.Case(patterns, new Block(), where);
        statement.cases().add(arm);
        Elaboration.current().inBlock(arm.body(), body);
        return this;
    }

    /** The branch taken when no case matches. */
    public void otherwise(Runnable body) {
        Elaboration.current().inBlock(statement.otherwise(), body);
    }
}
