package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.FpRelu2;
import dev.tellmej.hdl.lib.fp.FpSilu;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The gated FFN product of NUMERICS.md N17.3.3, L lanes per beat: {@code f = st(act(g) * u)} with g and u the
 * dequantized binary32 gate and up projections (N8), act SiLU (N12.1) or ReLU² (N12.2), one RNE multiply and
 * storage rounding (N4). The unit also finds the per-vector absmax of the stored f (N6.1), which the
 * quantization of the down projection's input needs, and delivers it with the vector's last beat.
 *
 * <p>Streams: {@code in} carries L (g, u) pairs per beat, {@code last} on a vector's final beat (vectors of
 * other lengths are padded with zeros, which change neither f's kept elements nor the absmax); {@code out}
 * carries L stored f per beat, and on the last beat {@code absMax}, the binary32 value of max |f| (NaN when any
 * f is NaN). One beat per cycle; latency {@link #latency} cycles; backpressure through a {@link CreditBuffer}.
 * Cost per lane: one {@link FpSilu} (12 DSP48E2) or {@link FpRelu2} (2), one {@code Fp32Mul} (2), a
 * conversion. Named {@code Gating_<act>_l<L>_<format>}.
 */
public final class Gating extends Module {
    /** One input beat: L gate and L up values (binary32). */
    public record In(Vec<Bits> g, Vec<Bits> u, Bool last) {}

    /** One output beat: L stored products; on the last beat the vector's absmax (binary32). */
    public record Out(Vec<Bits> f, Bits absMax, Bool last) {}

    public final Stream<In> in;
    public final Stream<Out> out;
    /** Cycles from an input beat to its output beat (without stalls). */
    public final int latency;

    public Gating(Activation activation, int lanes, StorageFormat storage) {
        if (lanes < 1) {
            throw new InvalidParameterException(Locations.capture(), "Gating needs at least one lane, got " + lanes);
        }
        FpFormat format = Units.format(storage);
        baseName("Gating_" + activation.label());
        param("l", lanes);
        param("", format.name());
        in = in("in", Stream.of(new In(vec(lanes, bits(32)), vec(lanes, bits(32)), bool())));
        out = out("out", Stream.of(new Out(vec(lanes, bits(16)), bits(32), bool())));
        int activationLatency = activation == Activation.SILU ? FpSilu.LATENCY : FpRelu2.LATENCY;
        int products = activationLatency + Fp32Mul.LATENCY + Units.storeLatency(format);
        latency = products + 2;

        CreditBuffer<Out> buffer = new CreditBuffer<>("result", new Out(vec(lanes, bits(16)), bits(32), bool()),
                CreditBuffer.depthFor(latency));
        in.ready.set(buffer.available());
        Bool fire = in.fire();
        buffer.issue(fire);

        List<Bits> stored = new ArrayList<>();
        Bool valid = null;
        for (int lane = 0; lane < lanes; lane++) {
            Flow<Bits> act = activate(activation, "lane" + lane + "_act", fire, in.payload.g().get(lane));
            Bits u = Delay.of("lane" + lane + "_u", in.payload.u().get(lane), activationLatency);
            Flow<Bits> product = Units.mul("lane" + lane + "_mul", act.valid, act.payload, u);
            Flow<Bits> f = Units.store("lane" + lane + "_store", format, product.valid, product.payload);
            stored.add(f.payload);
            valid = lane == 0 ? f.valid : valid;
        }
        Bool last = Delay.of("last", in.payload.last(), products);

        // The absmax: the beat's largest magnitude (registered), folded into the vector's running maximum.
        Vec<Bits> storedR = regNext("stored_r", new Vec<>(stored));
        UInt beatMax = regNext("beat_max", Units.maxMagnitude(stored));
        Bool lastR = regNext("last_r", last);
        Bool validR = regNext("valid_r", valid, 0);
        UInt running = reg("running_max", uint(15), 0);
        UInt vectorMax = mux(beatMax.gt(running), beatMax, running);
        when(validR, () -> running.set(mux(lastR, U(0, 15), vectorMax)));
        Bits absMax = FpConvert.toFp32(format, cat(FALSE, vectorMax));
        Vec<Bits> storedOut = regNext("stored_out", storedR);
        Bits absMaxOut = regNext("abs_max_out", absMax);
        Bool lastOut = regNext("last_out", lastR);
        Bool validOut = regNext("valid_out", validR, 0);
        buffer.connect(new Flow<>(validOut, new Out(storedOut, absMaxOut, lastOut))).connectTo(out);
    }

    private Flow<Bits> activate(Activation activation, String name, Bool valid, Bits x) {
        if (activation == Activation.SILU) {
            FpSilu unit = instance(name, new FpSilu());
            unit.inValid.set(valid);
            unit.x.set(x);
            return new Flow<>(unit.outValid, unit.y);
        }
        FpRelu2 unit = instance(name, new FpRelu2());
        unit.inValid.set(valid);
        unit.x.set(x);
        return new Flow<>(unit.outValid, unit.y);
    }
}
