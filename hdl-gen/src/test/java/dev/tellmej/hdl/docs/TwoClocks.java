package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.ActiveLevel;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ClockDomain;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.ResetKind;
import dev.tellmej.hdl.lib.Synchronizer;

/** Two clock domains and the one legal way across. */
public final class TwoClocks extends Module {
    // doc:begin two-clocks
    public final Bool request = in("request", bool());
    public final Bool seen = out("seen", bool());

    public TwoClocks() {
        ClockDomain fast = clockDomain("fast_clk", "fast_reset", ResetKind.SYNC, ActiveLevel.HIGH);
        Bool held = regNext("held", request, 0);                      // implicit domain: clk
        Bool synced = Synchronizer.bit("held_sync", held, fast, 2);   // async_reg stages in fast_clk
        withClockDomain(fast, () -> seen.set(regNext("seen_q", synced, 0)));
    }
    // doc:end two-clocks
}
