package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;

/**
 * A value computed a cycle ahead of where it is read: {@code now} into a register, so the logic that computes it
 * leaves the paths of the decision that reads it (a check, a compare, a size in front of a state machine's next
 * step). Correct only where {@code now} held still in the cycle before the read; a simulation assertion holds the
 * register equal to {@code now} in every cycle {@code readWhen} is true, so a schedule that breaks this fails in
 * the simulator instead of deciding on a stale value. The register resets to 0 (false); {@link #product}'s
 * registers have no reset.
 */
public final class Ahead {
    private Ahead() {}

    /**
     * @param name     the register's name
     * @param now      the value as computed this cycle
     * @param readWhen the cycles the register is read in (its value must be {@code now}'s)
     * @param owner    who reads it, for the assertion's message (e.g. "AttentionExecutor")
     */
    public static Bool of(String name, Bool now, Bool readWhen, String owner) {
        Bool held = regNext(name, now, 0);
        assertAlways(readWhen.not().or(held.eq(now)), owner + ": " + name + " is current where it is read");
        return held;
    }

    /** The same for an unsigned value. */
    public static UInt of(String name, UInt now, Bool readWhen, String owner) {
        UInt held = regNext(name, now, 0);
        assertAlways(readWhen.not().or(held.eq(now)), owner + ": " + name + " is current where it is read");
        return held;
    }

    /**
     * {@code a x b} in {@code width} bits, two cycles ahead of where it is read: the operands into registers
     * ({@code name_a}, {@code name_b}: a DSP slice's A and B registers), their product into {@code name} (its P
     * register), so no path runs from a register outside the DSP through its multiplier. Correct only where
     * {@code a} and {@code b} held still in the two cycles before the read; a simulation assertion holds the
     * product equal to {@code a x b} in every cycle {@code readWhen} is true.
     */
    public static UInt product(String name, UInt a, UInt b, int width, Bool readWhen, String owner) {
        // No resets: a DSP slice takes registers without one most readily, and the product is read only after
        // its operands have held still for two cycles.
        UInt aHeld = regNext(name + "_a", a);
        UInt bHeld = regNext(name + "_b", b);
        UInt held = regNext(name, aHeld.mul(bHeld).resize(width));
        assertAlways(readWhen.not().or(held.eq(a.mul(b).resize(width))), owner + ": " + name
                + " is current where it is read");
        return held;
    }
}
