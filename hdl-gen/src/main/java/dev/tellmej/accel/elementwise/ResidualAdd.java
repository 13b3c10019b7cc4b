package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The residual add of NUMERICS.md N17.2.6 and N17.3.5, L lanes per beat: {@code h' = st(h + y)} with h the
 * stored residual stream and y the dequantized binary32 output of the projection (N8): one RNE addition, then
 * storage rounding (N4).
 *
 * <p>Streams: {@code in} carries L stored h and L binary32 y per beat (plus {@code last}, passed through);
 * {@code out} carries the L stored results. One beat per cycle; latency {@link #latency} cycles (read back h,
 * add, store); backpressure through a {@link CreditBuffer} at the output. Cost per lane: one {@code Fp32Add},
 * two conversions. Named {@code ResidualAdd_l<L>_<format>}.
 */
public final class ResidualAdd extends Module {
    /** One input beat: L stored residual values, L binary32 projection outputs. */
    public record In(Vec<Bits> h, Vec<Bits> y, Bool last) {}

    /** One output beat: L stored sums. */
    public record Out(Vec<Bits> h, Bool last) {}

    public final Stream<In> in;
    public final Stream<Out> out;
    /** Cycles from an input beat to its output beat (without stalls). */
    public final int latency;

    public ResidualAdd(int lanes, StorageFormat storage) {
        if (lanes < 1) {
            throw new InvalidParameterException(Locations.capture(), "ResidualAdd needs at least one lane, got " + lanes);
        }
        FpFormat format = Storage.format(storage);
        param("l", lanes);
        param("", format.name());
        in = in("in", Stream.of(new In(vec(lanes, bits(16)), vec(lanes, bits(32)), bool())));
        out = out("out", Stream.of(new Out(vec(lanes, bits(16)), bool())));
        Bool fire = in.fire();

        // h' = st(h + y) on every lane, y waiting for h's read-back.
        Pipeline pipe = new Pipeline("fire", fire);
        List<Timed<Bits>> stored = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            String l = "lane" + lane;
            Timed<Bits> h = FpConvert.toFp32(l + "_h", format, pipe.input(l + "_h", in.payload.h().get(lane)));
            Timed<Bits> sum = Fp32Add.apply(l + "_add", h, pipe.input(l + "_y", in.payload.y().get(lane)));
            stored.add(FpConvert.fromFp32(l + "_store", format, sum));
        }
        Timed<Out> result = Timed.zip(Timed.all(stored), pipe.input("last", in.payload.last()),
                (h, last) -> new Out(new Vec<>(h), last));
        latency = result.cycle();

        CreditBuffer<Out> buffer = new CreditBuffer<>("result", new Out(vec(lanes, bits(16)), bool()),
                CreditBuffer.depthFor(latency));
        in.ready.set(buffer.available());
        buffer.issue(fire);
        buffer.connect(result.flow()).connectTo(out);
    }
}
