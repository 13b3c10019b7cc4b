package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.LaneSerial;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.List;

/**
 * The residual add of NUMERICS.md N17.2.6 and N17.3.5, L lanes per beat: {@code h' = st(h + y)} with h the
 * stored residual stream and y the dequantized binary32 output of the projection (N8): one RNE addition, then
 * storage rounding (N4).
 *
 * <p>Streams: {@code in} carries L stored h and L binary32 y per beat (plus {@code last}, passed through);
 * {@code out} carries the L stored results. Latency {@link #latency} cycles (read back h, add, store);
 * backpressure through a {@link CreditBuffer} at the output. With P physical lanes (P divides L) a beat takes
 * L / P cycles ({@link LaneSerial}); the kernel's epilogue feeds it a word a cycle (its reads of the residual
 * are pipelined), so it has all L lanes there. Cost per physical lane: one {@code Fp32Add}, two conversions. Named
 * {@code ResidualAdd_l<L>_<format>}, with {@code _p<P>} when P < L.
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

    /** A unit of L physical lanes: a beat every cycle. */
    public ResidualAdd(int lanes, StorageFormat storage) {
        this(lanes, lanes, storage);
    }

    /**
     * A unit of L lanes a beat computed by P physical lanes: a beat every L / P cycles.
     *
     * @throws InvalidParameterException when L < 1, or P does not divide L
     */
    public ResidualAdd(int lanes, int physicalLanes, StorageFormat storage) {
        if (lanes < 1) {
            throw new InvalidParameterException(Locations.capture(), "ResidualAdd needs at least one lane, got " + lanes);
        }
        if (physicalLanes < 1 || lanes % physicalLanes != 0) {
            throw new InvalidParameterException(Locations.capture(), "ResidualAdd's physical lanes must divide its "
                    + lanes + " lanes, got " + physicalLanes);
        }
        FpFormat format = Storage.format(storage);
        param("l", lanes);
        param("", format.name());
        if (physicalLanes < lanes) {
            param("p", physicalLanes);
        }
        in = in("in", Stream.of(new In(vec(lanes, bits(16)), vec(lanes, bits(32)), bool())));
        out = out("out", Stream.of(new Out(vec(lanes, bits(16)), bool())));
        Bool fire = in.fire();

        // h' = st(h + y) on every lane, y waiting for h's read-back; P physical lanes take the beat's slices.
        LaneSerial.Beat sums = LaneSerial.apply("h", fire, List.<List<Bits>>of(in.payload.h(), in.payload.y()),
                in.payload.last(), physicalLanes, (lane, operands) -> {
                    Timed<Bits> h = FpConvert.toFp32(lane + "_h", format, operands.get(0));
                    return FpConvert.fromFp32(lane + "_store", format, Fp32Add.apply(lane + "_add", h, operands.get(1)));
                });
        latency = sums.latency();

        // A beat every L / P cycles: at most latency / (L / P) of them are in flight.
        int cyclesPerBeat = lanes / physicalLanes;
        CreditBuffer<Out> buffer = new CreditBuffer<>("result", new Out(vec(lanes, bits(16)), bool()),
                CreditBuffer.depthFor((latency + cyclesPerBeat - 1) / cyclesPerBeat));
        in.ready.set(buffer.available().and(sums.idle()));
        buffer.issue(fire);
        buffer.connect(new Flow<>(sums.valid(), new Out(new Vec<>(sums.values()), sums.last()))).connectTo(out);
    }
}
