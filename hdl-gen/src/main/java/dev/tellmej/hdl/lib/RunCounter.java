package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;

/**
 * A counter that runs 0, 1, ..., {@code limit - 1} and wraps to 0, against a limit known only at run time (a
 * register: a head count, the beats of a row), with its "at the last value" flag in a register of its own. The
 * flag is computed as the counter moves, from the next count against the limit, so a decision that follows the
 * last value reads a flip-flop instead of an incrementer and a compare in front of it.
 *
 * <p>The limit must hold still from {@link #restart()} on while the counter is in use (or, with
 * {@link #restart(UInt)}, from the cycle after: a limit register loaded in the restart's cycle); a simulation assertion
 * holds {@link #last} equal to {@code value + 1 == limit} in every cycle {@code checkWhen} is true, so a limit
 * that changes under a running count stops the simulation instead of ending a loop early or late. A limit of 0
 * runs 2^width values (compared in width bits). Cost: a register of {@code width} bits, a flag, an incrementer and
 * two compares with the limit. Internals are named {@code <name>}, {@code <name>_last}, {@code <name>_restart},
 * {@code <name>_step}.
 *
 * <pre>{@code
 * RunCounter beat = RunCounter.create("out_beat", 8, rowBeats, running, "Collect");
 * when(load, beat::restart);
 * when(outBeat, () -> {
 *     beat.step();
 *     when(beat.last, () -> ...);   // this beat is the row's last
 * });
 * }</pre>
 */
public final class RunCounter {
    /** The count (a register, reset to 0), {@code width} bits. */
    public final UInt value;
    /** True while {@code value + 1 == limit} (a register, reset to 0). */
    public final Bool last;
    private final Bool restartRequest;
    private final Bool restartSingle;
    private final Bool stepRequest;
    private final int width;

    private RunCounter(UInt value, Bool last, Bool restartRequest, Bool restartSingle, Bool stepRequest) {
        this.value = value;
        this.last = last;
        this.restartRequest = restartRequest;
        this.restartSingle = restartSingle;
        this.stepRequest = stepRequest;
        this.width = value.width();
    }

    /**
     * @param name      the count register's name
     * @param width     the count's bits (at least 1); the limit is compared in as many bits
     * @param limit     how many values the count runs through (held still while the count is in use)
     * @param checkWhen the cycles the flag must be current in (the count is in use), for the assertion
     * @param owner     who uses it, for the assertion's message (e.g. "AttentionExecutor")
     */
    public static RunCounter create(String name, int width, UInt limit, Bool checkWhen, String owner) {
        if (width < 1) {
            throw new InvalidParameterException(Locations.capture(), "RunCounter width must be at least 1, got "
                    + width);
        }
        UInt value = reg(name, uint(width), 0);
        Bool last = reg(name + "_last", bool(), 0);
        Bool restart = wire(name + "_restart", bool());
        Bool step = wire(name + "_step", bool());
        restart.set(false);
        step.set(false);
        UInt bound = limit.resize(width).named(name + "_limit");
        Bool single = bound.eq(1).named(name + "_single");
        // The restart's flag: the limit's, unless restart(limitNow) names the limit of the next cycle.
        Bool restartSingle = wire(name + "_restart_single", bool());
        restartSingle.set(single);
        when(restart, () -> {
            value.set(0);
            last.set(restartSingle);
        }).elseWhen(step, () -> {
            value.set(mux(last, U(0, width), value.add(1).trunc(width)));
            last.set(mux(last, single, value.add(2).trunc(width).eq(bound)));
        });
        assertAlways(checkWhen.not().or(last.eq(value.add(1).trunc(width).eq(bound))),
                owner + ": " + name + "_last follows the count");
        return new RunCounter(value, last, restart, restartSingle, step);
    }

    /** Back to 0 at the next clock edge (when the enclosing conditions hold); wins over {@link #step()}. */
    public void restart() {
        restartRequest.set(true);
    }

    /**
     * Back to 0 at the next clock edge (when the enclosing conditions hold), for a limit register loaded in the same
     * cycle: {@code limitNow} is the value it is loaded with (the register's next value), so the flag is current
     * from the next cycle on. Its compare with 1 lies in front of the flag: keep {@code limitNow} shallow (a
     * register, or a choice between registers), not a sum or a difference. Wins over {@link #step()}.
     */
    public void restart(UInt limitNow) {
        restartRequest.set(true);
        restartSingle.set(limitNow.resize(width).eq(1));
    }

    /** The next value at the next clock edge: 0 after the last (when the enclosing conditions hold). */
    public void step() {
        stepRequest.set(true);
    }
}
