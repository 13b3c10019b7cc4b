package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;

/**
 * A restoring divider, one quotient bit per cycle, shared by the command unit's run-time divisions.
 *
 * <p>A client that knows its quotient fits {@code k} bits starts from the dividend's bits above the k lowest as
 * the partial remainder (smaller than the divisor exactly when the quotient fits) and shifts in only those k
 * bits, so a division takes k cycles after the one that loads it. The client drives the operands with
 * {@link #divide} inside its own {@code when} and raises {@link #load} for one cycle; {@link #quotient} and
 * {@link #remainder} are valid once {@link #busy} has fallen, and stay until the next load.
 */
final class SerialDivider extends Area {
    /** Event from the client: take the operands {@link #divide} drives this cycle. */
    final Bool load;
    /** A division is under way. */
    final Bool busy;
    /** The last division's quotient (dividend width; only its k low bits can be set). */
    final UInt quotient;
    /** The last division's remainder (divisor width). */
    final UInt remainder;

    private final int dividendBits;
    private final int divisorBits;
    private final int stepBits;
    private final UInt partialIn;
    private final UInt pendingIn;
    private final UInt divisorIn;
    private final UInt stepsIn;
    private final Bool fitsIn;

    /**
     * @param dividendBits width of the widest dividend
     * @param divisorBits  width of the widest divisor
     * @param maxSteps     the most quotient bits a division asks for (at most {@code dividendBits})
     */
    SerialDivider(int dividendBits, int divisorBits, int maxSteps) {
        super("divider", "restoring division, one quotient bit per cycle, shared by the run-time divisions");
        this.dividendBits = dividendBits;
        this.divisorBits = divisorBits;
        this.stepBits = bitsFor(maxSteps);
        load = wire("divide_load", bool());
        partialIn = wire("divide_partial", uint(divisorBits));
        pendingIn = wire("divide_pending", uint(dividendBits));
        divisorIn = wire("divide_divisor", uint(divisorBits));
        stepsIn = wire("divide_steps", uint(stepBits));
        fitsIn = wire("divide_quotient_fits", bool());
        load.set(false);
        partialIn.set(0);
        pendingIn.set(0);
        divisorIn.set(0);
        stepsIn.set(0);
        fitsIn.set(true);

        UInt divisor = reg("divisor", uint(divisorBits));
        remainder = reg("remainder", uint(divisorBits));
        // The dividend's unread bits leave at the top while the quotient's bits come in at the bottom.
        quotient = reg("quotient", uint(dividendBits));
        UInt left = reg("steps_left", uint(stepBits), 0);
        busy = left.ne(0).named("dividing");

        UInt trial = cat(remainder, quotient.msb()).asUInt().named("trial_remainder");
        Bool subtract = trial.ge(divisor).named("quotient_bit");
        when(load, () -> {
            divisor.set(divisorIn);
            remainder.set(partialIn);
            quotient.set(pendingIn);
            left.set(stepsIn);
        }).elseWhen(busy, () -> {
            // The invariant remainder < divisor keeps either choice within the divisor's width.
            remainder.set(mux(subtract, trial.sub(divisor.zext(divisorBits + 1)), trial).trunc(divisorBits));
            quotient.set(cat(quotient.lsbs(dividendBits - 1), subtract).asUInt());
            left.set(left.sub(1));
        });
        assertAlways(load.not().or(busy.not()), "a division is loaded only while the divider is idle");
        assertAlways(load.not().or(fitsIn), "the quotient fits the quotient bits the client asked for");
    }

    /**
     * Drives the operands of {@code dividend / divisor} (call inside the client's {@code when}, with {@link #load}).
     *
     * @param steps quotient bits: the client guarantees {@code dividend < divisor x 2^steps}
     */
    void divide(UInt dividend, int steps, UInt divisor) {
        if (steps < 1 || steps > dividendBits || dividend.width() > dividendBits || divisor.width() > divisorBits) {
            throw new IllegalArgumentException("a division of " + dividend.width() + " by " + divisor.width()
                    + " bits in " + steps + " steps does not fit a divider of " + dividendBits + " by " + divisorBits);
        }
        UInt wide = dividend.zext(dividendBits);
        UInt top = steps == dividendBits ? U(0, 1) : wide.shr(steps);
        partialIn.set(top.resize(divisorBits));
        pendingIn.set(steps == dividendBits ? wide : cat(wide.lsbs(steps), U(0, dividendBits - steps)).asUInt());
        divisorIn.set(divisor.zext(divisorBits));
        stepsIn.set(steps);
        fitsIn.set(top.lt(divisor));
    }
}
