package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
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
        FpFormat format = Units.format(storage);
        param("l", lanes);
        param("", format.name());
        in = in("in", Stream.of(new In(vec(lanes, bits(16)), vec(lanes, bits(32)), bool())));
        out = out("out", Stream.of(new Out(vec(lanes, bits(16)), bool())));
        int toFp32 = Units.toFp32Latency(format);
        latency = toFp32 + dev.tellmej.hdl.lib.fp.Fp32Add.LATENCY + Units.storeLatency(format);

        CreditBuffer<Out> buffer = new CreditBuffer<>("result", new Out(vec(lanes, bits(16)), bool()),
                CreditBuffer.depthFor(latency));
        in.ready.set(buffer.available());
        Bool fire = in.fire();
        buffer.issue(fire);

        List<Bits> stored = new ArrayList<>();
        Bool valid = null;
        for (int lane = 0; lane < lanes; lane++) {
            Flow<Bits> h = Units.toFp32("lane" + lane + "_h", format, fire, in.payload.h().get(lane));
            Bits y = Delay.of("lane" + lane + "_y", in.payload.y().get(lane), toFp32);
            Flow<Bits> sum = Units.add("lane" + lane + "_add", h.valid, h.payload, y);
            Flow<Bits> result = Units.store("lane" + lane + "_store", format, sum.valid, sum.payload);
            stored.add(result.payload);
            valid = lane == 0 ? result.valid : valid;
        }
        Bool last = Delay.of("last", in.payload.last(), latency);
        buffer.connect(new Flow<>(valid, new Out(new Vec<>(stored), last))).connectTo(out);
    }
}
