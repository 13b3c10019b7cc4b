package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ClockDomain;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;

/**
 * Brings a single-bit level from another clock domain into {@code target} through a chain of registers
 * marked {@code async_reg} (and kept out of shift-register extraction), the only crossing the clock-domain
 * check accepts. Latency: {@code stages} cycles of the target clock. Multi-bit values need a handshake or
 * a dual-clock FIFO instead.
 */
public final class Synchronizer {
    private Synchronizer() {}

    /** The synchronized copy of {@code source}; registers {@code name_0 .. name_<stages-1>}. */
    public static Bool bit(String name, Bool source, ClockDomain target, int stages) {
        if (stages < 2) {
            throw new InvalidParameterException(Locations.capture(), "a synchronizer needs at least 2 stages, got " + stages);
        }
        Bool[] out = new Bool[1];
        withClockDomain(target, () -> {
            Bool previous = source;
            for (int i = 0; i < stages; i++) {
                Bool stage = regNext(name + "_" + i, previous);
                if (i == 0) {
                    synchronizerStage(stage);
                } else {
                    attribute(stage, "async_reg", "true");
                }
                attribute(stage, "shreg_extract", "no");
                previous = stage;
            }
            out[0] = previous;
        });
        return out[0];
    }
}
