package dev.tellmej.sim.designs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;

/** Counts while enabled and states, with a simulation-only assertion, that the count never reaches {@code limit}. */
public final class AssertingCounter extends Module {
    /** The Java line of the assertion (the test's expectation). */
    public static final int ASSERTION_LINE = 22;

    public final Bool enable = in("enable", bool());
    public final UInt count = out("count", uint(4));

    public AssertingCounter(int limit) {
        param("limit", limit);
        UInt value = reg("value", uint(4), 0);
        when(enable, () -> value.set(value.add(1)));
        count.set(value);
        assertAlways(value.ne(limit), "the count never reaches " + limit);
    }
}
