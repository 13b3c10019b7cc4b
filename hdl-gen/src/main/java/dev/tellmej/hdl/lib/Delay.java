package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import java.util.ArrayList;
import java.util.List;

/**
 * Delay lines: a value registered {@code cycles} times, for side data that must stay aligned with a pipelined
 * unit's result. Data stages have no reset, so synthesis may pack a long line into SRL shift registers, except
 * the stage a caller reads: it is reset to 0, which no SRL primitive has, so it stays a flip-flop behind the
 * shift register (the "SRL then register" shape; an SRL's clock-to-out is about 0.8 ns, a flip-flop's 0.1, and
 * Yosys 0.23 honours neither {@code shreg_extract} nor {@code srl_style}). Valid bits are reset to 0.
 * {@link Pipeline} inserts these lines by itself; use them directly only outside one. The registers' source
 * comments point at the line that asked for the delay.
 */
@ElaborationHelper
public final class Delay {
    private Delay() {}

    /**
     * {@code value} delayed by {@code cycles} registers named {@code name_d1 .. name_d<cycles>}; {@code cycles == 0}
     * returns {@code value} itself. Works on any shape (Data, record, Vec).
     */
    public static <T> T of(String name, T value, int cycles) {
        return line(name, value).tap(cycles);
    }

    /** A valid bit delayed by {@code cycles} registers reset to 0. */
    public static Bool valid(String name, Bool value, int cycles) {
        return validLine(name, value).tap(cycles);
    }

    /**
     * A data delay line that grows as far as its furthest tap, registers {@code name_d1, ...}: no reset but on the
     * stage each {@link Line#tap} call builds last (see the class comment).
     */
    public static <T> Line<T> line(String name, T value) {
        return new Line<>(name, value, false);
    }

    /** A valid delay line (registers reset to 0) that grows as far as its furthest tap. */
    public static Line<Bool> validLine(String name, Bool value) {
        return new Line<>(name, value, true);
    }

    /**
     * A delay line built on demand in the module under construction: {@link #tap}{@code (k)} is the value
     * {@code k} cycles late, and every tap shares the registers of the longest one, so reading a value at
     * several later cycles costs only the longest delay.
     *
     * @param <T> the value's shape
     */
    @ElaborationHelper
    public static final class Line<T> {
        private final String name;
        private final boolean resetToZero;
        private final List<T> taps = new ArrayList<>();

        private Line(String name, T value, boolean resetToZero) {
            this.name = name;
            this.resetToZero = resetToZero;
            taps.add(value);
        }

        /**
         * The value delayed by {@code cycles} registers (0: the value itself), adding registers as needed; a stage
         * this call adds and returns is reset to 0, so it is a flip-flop even where the stages before it become a
         * shift register. A tap inside the line as already built is returned as it is.
         */
        @SuppressWarnings("unchecked")
        public T tap(int cycles) {
            if (cycles < 0) {
                throw new IllegalArgumentException("delay of " + cycles + " cycles");
            }
            while (taps.size() <= cycles) {
                T previous = taps.getLast();
                String register = uniqueName(name + "_d" + taps.size());
                boolean read = taps.size() == cycles;
                taps.add(resetToZero ? (T) regNext(register, (Bool) previous, 0)
                        : read ? regNext(register, previous, 0) : regNext(register, previous));
            }
            return taps.get(cycles);
        }

        /** Registers built so far. */
        public int length() {
            return taps.size() - 1;
        }
    }
}
