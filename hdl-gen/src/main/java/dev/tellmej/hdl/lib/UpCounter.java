package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;

/**
 * A counter from 0 to {@code modulo - 1} that wraps: call {@link #increment()} or {@link #clear()} inside
 * any condition; the value register updates on the next clock edge (clear wins). Cost: one register of
 * log2(modulo) bits, an incrementer and a comparator. Internals are named {@code <name>},
 * {@code <name>_increment}, {@code <name>_clear}.
 */
public final class UpCounter {
    /** The current count (a register, reset to 0). */
    public final UInt value;
    /** True in a cycle where the counter is incremented from {@code modulo - 1} back to 0. */
    public final Bool willOverflow;
    private final Bool incrementRequest;
    private final Bool clearRequest;

    private UpCounter(UInt value, Bool willOverflow, Bool incrementRequest, Bool clearRequest) {
        this.value = value;
        this.willOverflow = willOverflow;
        this.incrementRequest = incrementRequest;
        this.clearRequest = clearRequest;
    }

    /** A counter register named {@code name} counting modulo {@code modulo} (at least 2). */
    public static UpCounter create(String name, long modulo) {
        if (modulo < 2) {
            throw new InvalidParameterException(Locations.capture(), "UpCounter modulo must be at least 2, got " + modulo);
        }
        UInt value = reg(name, uint(log2Up(modulo)), 0);
        Bool increment = wire(name + "_increment", bool());
        Bool clear = wire(name + "_clear", bool());
        increment.set(false);
        clear.set(false);
        Bool atEnd = value.eq(modulo - 1);
        Bool overflow = increment.and(atEnd);
        boolean powerOfTwo = Long.bitCount(modulo) == 1;
        when(clear, () -> value.set(0))
                .elseWhen(increment, () -> value.set(powerOfTwo ? value.add(1) : mux(atEnd, U(0, value.width()), value.add(1))));
        return new UpCounter(value, overflow, increment, clear);
    }

    /** Counts up by one at the next clock edge (when the enclosing conditions hold). */
    public void increment() {
        incrementRequest.set(true);
    }

    /** Returns to 0 at the next clock edge (when the enclosing conditions hold); wins over increment. */
    public void clear() {
        clearRequest.set(true);
    }
}
