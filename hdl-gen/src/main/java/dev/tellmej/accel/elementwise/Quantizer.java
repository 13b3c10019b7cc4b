package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.fp.Fp32Max;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.Fp32ToInt8;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.FpReciprocal;
import dev.tellmej.model.numerics.ActivationQuantizer;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-token activation quantization, NUMERICS.md N6, L lanes per beat: with m the absmax of the vector's stored
 * values (found upstream, by {@link RmsNormMax} or {@link Gating}), {@code mc = max(m, EPS)} ({@code EPS} =
 * 0x3727C5AC; NaN stays NaN), {@code s = 127 * reciprocal(mc)} (N10, one RNE multiply), and for every value
 * {@code q = toInt8(x * s)} (one RNE multiply, then N3.3).
 *
 * <p>Streams: {@code in} carries L stored values per beat and the vector's absmax on every beat ({@code last}
 * on the final one); the scale is computed when a vector's first beat arrives (its beats wait about
 * {@value #SCALE_LATENCY} cycles, once per vector); {@code out} carries L int8 values per beat and mc (for the
 * dequantization of N8). One beat per cycle after that; latency {@link #latency} cycles; backpressure through
 * a {@link CreditBuffer}. Cost per lane: a conversion, one {@code Fp32Mul}, one {@code Fp32ToInt8}; plus one
 * {@link FpReciprocal} and one {@code Fp32Mul} for the scale. Named {@code Quantizer_l<L>_<format>}.
 */
public final class Quantizer extends Module {
    /** Cycles from a vector's first beat to its scale (max, reciprocal, times 127, register). */
    public static final int SCALE_LATENCY = 1 + FpReciprocal.LATENCY + Fp32Mul.LATENCY + 1;

    /** One input beat: L stored values and the vector's absmax m (binary32, the same on every beat). */
    public record In(Vec<Bits> x, Bits absMax, Bool last) {}

    /** One output beat: L int8 values and the vector's mc (binary32). */
    public record Out(Vec<SInt> q, Bits mc, Bool last) {}

    public final Stream<In> in;
    public final Stream<Out> out;
    /** Cycles from an input beat (once its vector's scale is known) to its output beat. */
    public final int latency;

    public Quantizer(int lanes, StorageFormat storage) {
        if (lanes < 1) {
            throw new InvalidParameterException(Locations.capture(), "Quantizer needs at least one lane, got " + lanes);
        }
        FpFormat format = Units.format(storage);
        param("l", lanes);
        param("", format.name());
        in = in("in", Stream.of(new In(vec(lanes, bits(16)), bits(32), bool())));
        out = out("out", Stream.of(new Out(vec(lanes, sint(8)), bits(32), bool())));
        int toFp32 = Units.toFp32Latency(format);
        latency = toFp32 + Fp32Mul.LATENCY + Fp32ToInt8.LATENCY;

        // The scale: started by a waiting vector's first beat, kept until its last beat has gone in.
        Bool haveScale = reg("have_scale", bool(), 0);
        Bool busy = reg("scale_busy", bool(), 0);
        Bits scale = reg("scale", bits(32));
        Bits mc = reg("mc", bits(32));
        Bool start = in.valid.and(haveScale.not()).and(busy.not());
        Bits clamped = regNext("mc_clamped", Fp32Max.max(in.payload.absMax(), Units.constant(ActivationQuantizer.EPS)));
        Bool startR = regNext("scale_start", start, 0);
        FpReciprocal reciprocal = instance("reciprocal", new FpReciprocal());
        reciprocal.inValid.set(startR);
        reciprocal.x.set(clamped);
        Flow<Bits> s = Units.mul("scale_mul", reciprocal.outValid, Units.constant(127f), reciprocal.y);
        when(start, () -> busy.set(true));
        when(startR, () -> mc.set(clamped));
        when(s.valid, () -> {
            scale.set(s.payload);
            haveScale.set(true);
            busy.set(false);
        });

        CreditBuffer<Out> buffer = new CreditBuffer<>("result", new Out(vec(lanes, sint(8)), bits(32), bool()),
                CreditBuffer.depthFor(latency));
        in.ready.set(haveScale.and(buffer.available()));
        Bool fire = in.fire();
        buffer.issue(fire);
        when(fire.and(in.payload.last()), () -> haveScale.set(false));

        // The scale register holds for the whole vector and at least SCALE_LATENCY cycles after its last beat,
        // so the lanes may read it when their values arrive.
        List<SInt> qs = new ArrayList<>();
        Bool valid = null;
        for (int lane = 0; lane < lanes; lane++) {
            Flow<Bits> x = Units.toFp32("lane" + lane + "_x", format, fire, in.payload.x().get(lane));
            Flow<Bits> scaled = Units.mul("lane" + lane + "_mul", x.valid, x.payload, scale);
            Flow<SInt> q = Units.toInt8("lane" + lane + "_int8", scaled.valid, scaled.payload);
            qs.add(q.payload);
            valid = lane == 0 ? q.valid : valid;
        }
        Bits mcOut = Delay.of("mc_out", mc, latency);
        Bool last = Delay.of("last", in.payload.last(), latency);
        buffer.connect(new Flow<>(valid, new Out(new Vec<>(qs), mcOut, last))).connectTo(out);
    }
}
