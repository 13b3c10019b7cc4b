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
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
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
        FpFormat format = Storage.format(storage);
        baseName("Gating_" + activation.label());
        param("l", lanes);
        param("", format.name());
        in = in("in", Stream.of(new In(vec(lanes, bits(32)), vec(lanes, bits(32)), bool())));
        out = out("out", Stream.of(new Out(vec(lanes, bits(16)), bits(32), bool())));
        Bool fire = in.fire();

        // f = st(act(g) * u) on every lane, u waiting for the activation.
        Pipeline pipe = new Pipeline("fire", fire);
        List<Timed<Bits>> stored = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            String l = "lane" + lane;
            Timed<Bits> act = activate(activation, l + "_act", pipe.input(l + "_g", in.payload.g().get(lane)));
            Timed<Bits> product = Fp32Mul.apply(l + "_mul", act, pipe.input(l + "_u", in.payload.u().get(lane)));
            stored.add(FpConvert.fromFp32(l + "_store", format, product));
        }
        Timed<List<Bits>> f = Timed.all(stored);
        int products = f.cycle();
        Bool last = pipe.input("last", in.payload.last()).at(products);

        // The absmax: the beat's largest magnitude (registered), folded into the vector's running maximum; two
        // registers after the products.
        Vec<Bits> storedR = regNext("stored_r", new Vec<>(f.value()));
        UInt beatMax = regNext("beat_max", format.maxMagnitude(f.value()));
        Bool lastR = regNext("last_r", last);
        Bool validR = pipe.valid(products + 1);
        UInt running = reg("running_max", uint(15), 0);
        UInt vectorMax = mux(beatMax.gt(running), beatMax, running);
        when(validR, () -> running.set(mux(lastR, U(0, 15), vectorMax)));
        Bits absMax = FpConvert.toFp32(format, cat(FALSE, vectorMax));
        Vec<Bits> storedOut = regNext("stored_out", storedR);
        Bits absMaxOut = regNext("abs_max_out", absMax);
        Bool lastOut = regNext("last_out", lastR);
        Timed<Out> result = pipe.at(products + 2, "result", new Out(storedOut, absMaxOut, lastOut));
        latency = result.cycle();

        CreditBuffer<Out> buffer = new CreditBuffer<>("result", new Out(vec(lanes, bits(16)), bits(32), bool()),
                CreditBuffer.depthFor(latency));
        in.ready.set(buffer.available());
        buffer.issue(fire);
        buffer.connect(result.flow()).connectTo(out);
    }

    private static Timed<Bits> activate(Activation activation, String name, Timed<Bits> x) {
        return activation == Activation.SILU ? FpSilu.apply(name, x) : FpRelu2.apply(name, x);
    }
}
