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
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Max;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.Fp32SharedOps;
import dev.tellmej.hdl.lib.fp.Fp32ToInt8;
import dev.tellmej.hdl.lib.fp.FpConvert;
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
 * {@link #scaleLatency} cycles, once per vector); {@code out} carries L int8 values per beat and mc (for the
 * dequantization of N8). One beat per cycle after that; latency {@link #latency} cycles; backpressure through
 * a {@link CreditBuffer}. Cost per lane: a conversion, one {@code Fp32Mul}, one {@code Fp32ToInt8}; plus, for the
 * scale (one vector at a time), {@link FpReciprocal}'s table and one {@code Fp32Mul} and one {@code Fp32Add} that
 * do its steps and the multiply by 127 ({@link dev.tellmej.hdl.lib.fp.Fp32SharedOps}). Named
 * {@code Quantizer_l<L>_<format>}.
 */
public final class Quantizer extends Module {
    /** One input beat: L stored values and the vector's absmax m (binary32, the same on every beat). */
    public record In(Vec<Bits> x, Bits absMax, Bool last) {}

    /** One output beat: L int8 values and the vector's mc (binary32). */
    public record Out(Vec<SInt> q, Bits mc, Bool last) {}

    public final Stream<In> in;
    public final Stream<Out> out;
    /** Cycles from an input beat (once its vector's scale is known) to its output beat. */
    public final int latency;
    /** Cycles from a vector's first beat to its scale (max, reciprocal, times 127, the scale register). */
    public final int scaleLatency;

    public Quantizer(int lanes, StorageFormat storage) {
        if (lanes < 1) {
            throw new InvalidParameterException(Locations.capture(), "Quantizer needs at least one lane, got " + lanes);
        }
        FpFormat format = Storage.format(storage);
        param("l", lanes);
        param("", format.name());
        in = in("in", Stream.of(new In(vec(lanes, bits(16)), bits(32), bool())));
        out = out("out", Stream.of(new Out(vec(lanes, sint(8)), bits(32), bool())));

        // The scale: started by a waiting vector's first beat, kept until its last beat has gone in.
        Bool haveScale = reg("have_scale", bool(), 0);
        Bool busy = reg("scale_busy", bool(), 0);
        Bits scale = reg("scale", bits(32));
        Bits mc = reg("mc", bits(32));
        Bool start = in.valid.and(haveScale.not()).and(busy.not());
        Pipeline scalePipe = new Pipeline("scale_start", start);
        // The vector's max is registered before the clamp (for timing: it comes from the RMS-MAX unit's result
        // queue, a LUT RAM read, and the clamp's compare lay behind it); a cycle more once per vector.
        Timed<Bits> clamped = scalePipe.input("abs_max", in.payload.absMax()).stage("abs_max_q")
                .map(m -> Fp32Max.max(m, FpFormat.fp32(ActivationQuantizer.EPS))).stage("mc_clamped");
        Bool clampedValid = scalePipe.valid(clamped.cycle());
        // One vector at a time: N10's five steps and the scale's multiply share one multiplier and one adder.
        Fp32SharedOps ops = new Fp32SharedOps(scalePipe, "scale");
        Timed<Bits> s = ops.mul("scale_mul", scalePipe.steady(FpFormat.fp32(127f)),
                FpReciprocal.build("reciprocal_", clamped, ops));
        Flow<Bits> scaled = s.flow();
        scaleLatency = s.cycle() + 1;
        when(start, () -> busy.set(true));
        when(clampedValid, () -> mc.set(clamped.value()));
        when(scaled.valid, () -> {
            scale.set(scaled.payload);
            haveScale.set(true);
            busy.set(false);
        });

        // The beats: q = toInt8(x * s). The scale register holds for the whole vector and at least scaleLatency
        // cycles after its last beat, so the lanes may read it when their values arrive.
        Bool fire = in.fire();
        Pipeline pipe = new Pipeline("fire", fire);
        Timed<Bits> steadyScale = pipe.steady(scale);
        List<Timed<SInt>> qs = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            String l = "lane" + lane;
            Timed<Bits> x = FpConvert.toFp32(l + "_x", format, pipe.input(l + "_x", in.payload.x().get(lane)));
            qs.add(Fp32ToInt8.apply(l + "_int8", Fp32Mul.apply(l + "_mul", steadyScale, x, format)));
        }
        Timed<Out> result = Timed.zip(Timed.all(qs), pipe.input("mc_out", mc), pipe.input("last", in.payload.last()),
                (q, m, last) -> new Out(new Vec<>(q), m, last));
        latency = result.cycle();

        // The FIFO's head in a register (for timing: the LUT RAM's read of the last flag lay in front of the
        // QUANTIZE executor's next step).
        CreditBuffer<Out> buffer = CreditBuffer.withHeadRegister("result",
                new Out(vec(lanes, sint(8)), bits(32), bool()), CreditBuffer.depthFor(latency));
        in.ready.set(haveScale.and(buffer.available()));
        buffer.issue(fire);
        when(fire.and(in.payload.last()), () -> haveScale.set(false));
        buffer.connect(result.flow()).connectTo(out);
    }
}
