package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;

/**
 * Delay lines: a value registered {@code cycles} times, for side data that must stay aligned with a pipelined
 * unit's result. Data stages have no reset (so synthesis may pack a long line into SRL shift registers);
 * valid bits are reset to 0. The registers' source comments point at the line that asked for the delay.
 */
@dev.tellmej.hdl.ElaborationHelper
public final class Delay {
    private Delay() {}

    /**
     * {@code value} delayed by {@code cycles} registers named {@code name_d1 .. name_d<cycles>}; {@code cycles == 0}
     * returns {@code value} itself. Works on any shape (Data, record, Vec).
     */
    public static <T> T of(String name, T value, int cycles) {
        if (cycles < 0) {
            throw new IllegalArgumentException("delay of " + cycles + " cycles");
        }
        T current = value;
        for (int i = 1; i <= cycles; i++) {
            current = regNext(uniqueName(name + "_d" + i), current);
        }
        return current;
    }

    /** A valid bit delayed by {@code cycles} registers reset to 0. */
    public static Bool valid(String name, Bool value, int cycles) {
        if (cycles < 0) {
            throw new IllegalArgumentException("delay of " + cycles + " cycles");
        }
        Bool current = value;
        for (int i = 1; i <= cycles; i++) {
            current = regNext(uniqueName(name + "_d" + i), current, 0);
        }
        return current;
    }
}
