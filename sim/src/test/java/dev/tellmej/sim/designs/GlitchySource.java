package dev.tellmej.sim.designs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;

/**
 * A stream source that breaks the handshake rules on purpose. Mode 0 raises valid for one cycle out of
 * two whatever ready says (valid drops before ready); mode 1 keeps valid high but counts the payload up
 * every cycle (the payload changes while stalled).
 */
public final class GlitchySource extends Module {
    public final UInt mode = in("mode", uint(1));
    public final Stream<UInt> out = out("out", Stream.of(uint(8)));

    public GlitchySource() {
        UInt counter = reg("counter", uint(8), 0);
        counter.set(counter.add(1));
        out.valid.set(mux(mode.eq(0), counter.bit(0), TRUE));
        out.payload.set(counter);
    }
}
