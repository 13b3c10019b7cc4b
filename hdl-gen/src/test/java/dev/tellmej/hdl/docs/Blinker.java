package dev.tellmej.hdl.docs;

// doc:begin blinker
import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;

/** Toggles an LED every 2^width cycles while enabled. */
public final class Blinker extends Module {
    public final Bool enable = in("enable", bool());
    public final Bool led = out("led", bool());

    public Blinker(int width) {
        param("w", width);
        UInt ticks = reg("ticks", uint(width), 0);
        Bool state = reg("state", bool(), 0);
        when(enable, () -> {
            ticks.set(ticks.add(1));
            when(ticks.andR(), () -> state.set(state.not()));
        });
        led.set(state);
    }
}
// doc:end blinker
