package dev.tellmej.accel.elementwise;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.Fp32SharedOps;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.Int32ToFp32;
import dev.tellmej.model.numerics.ActivationQuantizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The dequantization of a ternary linear's int32 accumulators, NUMERICS.md N8, L lanes per beat: once per
 * vector {@code f = (mc * ws) * INV127} (two RNE multiplies in that order, {@code INV127} = 0x3C010204), then
 * for every accumulator {@code y = (float) acc * f} (N3.1, then one RNE multiply). The outputs stay binary32
 * for the unit that consumes them (RoPE, residual add, gating).
 *
 * <p>Streams: {@code params} gives (mc, ws) once per vector; {@code in} the accumulator beats, {@code last} on
 * the vector's final beat (where the next {@code params} word takes over); {@code out} the binary32 beats.
 * The factor pipeline (14 cycles) runs ahead through a small queue, so consecutive vectors follow each other
 * without a gap once their parameters are in. One beat per cycle; latency {@link #latency} cycles; backpressure
 * through {@link CreditBuffer}s. Cost per lane: one {@code Int32ToFp32}, one {@code Fp32Mul}; plus one
 * {@code Fp32Mul} for both multiplies of the factor ({@link Fp32SharedOps}), so {@code params} takes a vector's
 * parameters at most every {@code Fp32Mul.LATENCY + 1} cycles. Named {@code Dequantizer_l<L>}.
 */
public final class Dequantizer extends Module {
    /** The per-vector parameters: the input's clamped absmax (N6.2) and the matrix scale. */
    public record Params(Bits mc, Bits ws) {}

    /** One input beat: L int32 accumulators. */
    public record In(Vec<SInt> acc, Bool last) {}

    /** One output beat: L binary32 values. */
    public record Out(Vec<Bits> y, Bool last) {}

    public final Stream<Params> params;
    public final Stream<In> in;
    public final Stream<Out> out;
    /** Cycles from an input beat to its output beat (without stalls). */
    public final int latency;

    /** Accumulators of any int32 value. */
    public Dequantizer(int lanes) {
        this(lanes, 32);
    }

    /**
     * Accumulators known to fit {@code accumulatorBits} bits (two's complement; the input stays 32 bits wide): the
     * conversions are that much narrower, and at 25 bits or fewer exact without rounding logic. A linear's
     * accumulators fit {@code 1 + bitsFor(cols * 128)}: each of its cols terms is a trit times an int8. A
     * simulation assertion stops a run whose accumulator does not fit. Named {@code Dequantizer_l<L>_a<bits>}
     * below 32 bits.
     */
    public Dequantizer(int lanes, int accumulatorBits) {
        if (lanes < 1) {
            throw new InvalidParameterException(Locations.capture(), "Dequantizer needs at least one lane, got " + lanes);
        }
        if (accumulatorBits < 2 || accumulatorBits > 32) {
            throw new InvalidParameterException(Locations.capture(), "Dequantizer accumulators are 2 to 32 bits, got "
                    + accumulatorBits);
        }
        param("l", lanes);
        if (accumulatorBits < 32) {
            param("a", accumulatorBits);
        }
        params = in("params", Stream.of(new Params(bits(32), bits(32))));
        in = in("in", Stream.of(new In(vec(lanes, sint(32)), bool())));
        out = out("out", Stream.of(new Out(vec(lanes, bits(32)), bool())));

        // The factor f = (mc * ws) * INV127, computed ahead into a queue: both multiplies on one unit, the second
        // LATENCY cycles after the first, so a vector's parameters are taken at most every safeInterval() cycles
        // (a vector is longer than that wherever the kernel uses the unit).
        Bool paramsFire = params.fire();
        Pipeline factorPipe = new Pipeline("params_fire", paramsFire);
        Fp32SharedOps factorOps = Fp32SharedOps.multiplier(factorPipe, "factor");
        Timed<Bits> scaled = factorOps.mul("factor_mc_ws", factorPipe.input("mc", params.payload.mc()),
                factorPipe.input("ws", params.payload.ws()));
        Timed<Bits> factor = factorOps.mul("factor_inv127", scaled,
                factorPipe.steady(FpFormat.fp32(ActivationQuantizer.INV127)));
        CreditBuffer<Bits> factors = new CreditBuffer<>("factor", bits(32), CreditBuffer.depthFor(factor.cycle()));
        int spacing = factorOps.safeInterval() - 1;
        UInt cooldown = reg("factor_cooldown", uint(bitsFor(spacing)), 0);
        when(paramsFire, () -> cooldown.set(spacing)).elseWhen(cooldown.ne(0), () -> cooldown.set(cooldown.sub(1)));
        params.ready.set(factors.available().and(cooldown.eq(0)));
        factors.issue(paramsFire);
        Stream<Bits> factorQueue = factors.connect(factor.flow());

        // The beats, y = (float) acc * f: a beat moves when its vector's factor is at the head of the queue (it
        // leaves with the vector's last beat) and a slot is free.
        Bool fire = in.fire();
        Pipeline pipe = new Pipeline("fire", fire);
        Timed<Bits> f = pipe.input("f", factorQueue.payload);
        List<Timed<Bits>> ys = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            String l = "lane" + lane;
            SInt acc = in.payload.acc().get(lane);
            if (accumulatorBits < 32) {
                assertAlways(fire.not().or(acc.resize(accumulatorBits).sext(32).eq(acc)), "Dequantizer: accumulator"
                        + " of lane " + lane + " fits " + accumulatorBits + " bits");
            }
            Timed<Bits> wide = Int32ToFp32.apply(l + "_float", pipe.input(l + "_acc", acc.resize(accumulatorBits)));
            ys.add(Fp32Mul.apply(l + "_mul", wide, f));
        }
        Timed<Out> result = Timed.zip(Timed.all(ys), pipe.input("last", in.payload.last()),
                (y, last) -> new Out(new Vec<>(y), last));
        latency = result.cycle();

        CreditBuffer<Out> results = new CreditBuffer<>("result", new Out(vec(lanes, bits(32)), bool()),
                CreditBuffer.depthFor(latency));
        in.ready.set(factorQueue.valid.and(results.available()));
        results.issue(fire);
        factorQueue.ready.set(fire.and(in.payload.last()));
        results.connect(result.flow()).connectTo(out);
    }
}
