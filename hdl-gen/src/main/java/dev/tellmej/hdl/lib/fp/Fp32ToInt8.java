package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Timed;

/**
 * binary32 to int8 for activation quantization: {@code toInt8(v) = sat8(rne_int(v))} (NUMERICS.md N3.2, N3.3):
 * round to the nearest integer with ties to even ({@code Math.rint}), then clamp to [-128, 127];
 * infinities saturate, NaN gives 0.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: (1) shift the significand to the integer point
 * with guard and sticky (|v| >= 128 saturates at once); (2) round, negate, clamp. Cost: about 70 LUTs, 30
 * flip-flops.
 */
public final class Fp32ToInt8 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 2;

    /** The input ({@code in_valid}, {@code in_payload}): binary32 bits. */
    public final Flow<Bits> in = in("in", Flow.of(bits(32)));
    /** The result ({@code out_valid}, {@code out_payload}): the int8 result, {@value #LATENCY} cycles later. */
    public final Flow<SInt> out = out("out", Flow.of(sint(8)));

    public Fp32ToInt8() {
        Bits x = in.payload;
        // Stage 1: |v| = m * 2^(e - 150); the integer part is m >> (150 - e). |v| >= 128 (e >= 134) saturates;
        // below 0.5 (e <= 125) the shift is clamped where only sticky bits are left.
        UInt e = FP32.exponent(x);
        Bool large = e.ge(134);
        UInt shift = FpCircuits.clamp(U(150, 8).sub(e), 26).resize(5);
        FpCircuits.Cut cut = FpCircuits.cutRight(FP32.significand(x), mux(large, U(0, 5), shift));
        UInt integer1 = regNext("integer_1", cut.kept().resize(8));
        Bool guard1 = regNext("guard_1", cut.guard());
        Bool sticky1 = regNext("sticky_1", cut.sticky());
        Bool large1 = regNext("large_1", large);
        Bool nan1 = regNext("nan_1", FP32.isNaN(x));
        Bool sign1 = regNext("sign_1", FP32.sign(x));

        // Stage 2: round half to even (at most 127 + 1 = 128), then sign and clamp.
        Bool up = guard1.and(sticky1.or(integer1.bit(0)));
        UInt magnitude = integer1.zext(9).add(up.asUInt().zext(9));
        SInt positive = mux(large1.or(magnitude.gt(127)), S(127, 10), magnitude.toSInt());
        SInt negative = mux(large1, S(-128, 10), magnitude.toSInt().neg());
        SInt value = mux(nan1, S(0, 10), mux(sign1, negative, positive));
        out.payload.set(regNext("y_2", value.resize(8)));
        out.valid.set(regNext("valid_2", regNext("valid_1", in.valid, 0), 0));
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow: {@code toInt8(v)}. */
    @ElaborationHelper
    public static Flow<SInt> apply(String name, Flow<Bits> in) {
        Fp32ToInt8 unit = Hdl.instance(name, new Fp32ToInt8());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** {@code toInt8(v)} in a pipeline: valid {@value #LATENCY} cycles after {@code x}. */
    @ElaborationHelper
    public static Timed<SInt> apply(String name, Timed<Bits> x) {
        return x.through(name, LATENCY, Fp32ToInt8::apply);
    }
}
