package dev.tellmej.hdl.examples;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;

/** An up-counter with enable and synchronous clear; {@code wrap} pulses when it rolls over. */
public final class Counter extends Module {
    public final Bool enable = in("enable", bool());
    public final Bool clear = in("clear", bool());
    public final UInt count = out("count", uint(8));
    public final Bool wrap = out("wrap", bool());

    public Counter(int width) {
        param("w", width);
        UInt value = reg("value", uint(width), 0);
        when(clear, () -> value.set(0))
                .elseWhen(enable, () -> value.set(value.add(1)));
        count.set(value.resize(8));
        wrap.set(enable.and(value.andR()));
    }
}
