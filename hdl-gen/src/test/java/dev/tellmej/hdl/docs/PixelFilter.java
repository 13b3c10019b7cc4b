package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;

/** Records as payloads, stream operators, and a child FIFO. */
public final class PixelFilter extends Module {
    // doc:begin pixel-filter
    /** A pixel: flattened in declaration order (red is the least significant field). */
    public record Pixel(UInt red, UInt green, UInt blue) {
        static Pixel shape() {
            return new Pixel(uint(8), uint(8), uint(8));
        }
    }

    public final Stream<Pixel> in = in("in", Stream.of(Pixel.shape()));
    public final Stream<Pixel> out = out("out", Stream.of(Pixel.shape()));
    public final Bool dropDark = in("drop_dark", bool());

    public PixelFilter() {
        in.throwWhen(dropDark.and(in.payload.red().lt(16)))   // discard dark pixels
                .map(p -> new Pixel(p.blue(), p.green(), p.red()))  // swap channels, no logic
                .stage("swapped")                              // register valid and payload
                .queue("buffer", 8)                            // a SyncFifo child, 8 deep
                .connectTo(out);
    }
    // doc:end pixel-filter
}
