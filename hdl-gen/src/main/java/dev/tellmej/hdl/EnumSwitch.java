package dev.tellmej.hdl;

import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.ir.Block;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.ir.SourceLocation;
import dev.tellmej.hdl.ir.Stmt;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * A multi-way branch on a value of an enumerated type under construction:
 * {@code switchOn(state).is(State.IDLE, () -> ...).is(State.RUN, () -> ...).otherwise(() -> ...)}. Each value
 * appears once; the Verilog's case labels are the values' names.
 *
 * @param <E> the Java enum
 */
public final class EnumSwitch<E extends Enum<E>> {
    private final Stmt.Switch statement;
    private final EnumSet<E> seen;

    private EnumSwitch(Stmt.Switch statement, EnumSet<E> seen) {
        this.statement = statement;
        this.seen = seen;
    }

    @SuppressWarnings("unchecked")
    static <E extends Enum<E>> EnumSwitch<E> open(HwEnum<E> selector) {
        Stmt.Switch statement = new Stmt.Switch(selector.node(), new ArrayList<>(), new Block(), Locations.capture());
        Elaboration.current().add(statement);
        Class<E> type = (Class<E>) selector.type().encoding().javaType();
        return new EnumSwitch<>(statement, EnumSet.noneOf(type));
    }

    /** The branch taken while the selector is {@code value}. */
    public EnumSwitch<E> is(E value, Runnable body) {
        return isAnyOf(List.of(value), body);
    }

    /** The branch taken while the selector is any of {@code values}. */
    public EnumSwitch<E> isAnyOf(List<E> values, Runnable body) {
        SourceLocation where = Locations.capture();
        List<BigInteger> patterns = new ArrayList<>();
        for (E value : values) {
            if (!seen.add(value)) {
                throw new HdlUsageException(where + ": case " + value + " appears twice in this switch");
            }
            patterns.add(BigInteger.valueOf(value.ordinal()));
        }
        Stmt.Case arm = new Stmt.Case(patterns, new Block(), where);
        statement.cases().add(arm);
        Elaboration.current().inBlock(arm.body(), body);
        return this;
    }

    /** The branch taken when no case matches (also encodings that name no value). */
    public void otherwise(Runnable body) {
        Elaboration.current().inBlock(statement.otherwise(), body);
    }
}
