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
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Timed;

/**
 * binary32 to int8 for activation quantization: {@code toInt8(v) = sat8(rne_int(v))} (NUMERICS.md N3.2, N3.3):
 * round to the nearest integer with ties to even ({@code Math.rint}), then clamp to [-128, 127];
 * infinities saturate, NaN gives 0.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: (1) the shift to the integer point from the exponent
 * (|v| >= 128 saturates at once); (2) shift the significand, with guard and sticky; (3) round, negate, clamp.
 * The shift's subtract and the barrel shifter with its sticky OR are a stage each (together they were a
 * 300 MHz design's longest path behind a multiplier's output register). Cost: about 70 LUTs, 65 flip-flops.
 */
public final class Fp32ToInt8 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 3;

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
        UInt shift1 = regNext("shift_1", mux(large, U(0, 5), shift));
        UInt significand1 = regNext("significand_1", FP32.significand(x));
        Bool large1 = regNext("large_1", large);
        Bool nan1 = regNext("nan_1", FP32.isNaN(x));
        Bool sign1 = regNext("sign_1", FP32.sign(x));

        // Stage 2: the integer part, with the guard bit and the sticky OR of the bits below it.
        FpCircuits.Cut cut = FpCircuits.cutRight(significand1, shift1);
        UInt integer2 = regNext("integer_2", cut.kept().resize(8));
        Bool guard2 = regNext("guard_2", cut.guard());
        Bool sticky2 = regNext("sticky_2", cut.sticky());
        Bool large2 = regNext("large_2", large1);
        Bool nan2 = regNext("nan_2", nan1);
        Bool sign2 = regNext("sign_2", sign1);

        // Stage 3: round half to even (at most 127 + 1 = 128), then sign and clamp.
        Bool up = guard2.and(sticky2.or(integer2.bit(0)));
        UInt magnitude = integer2.zext(9).add(up.asUInt().zext(9));
        SInt positive = mux(large2.or(magnitude.gt(127)), S(127, 10), magnitude.toSInt());
        SInt negative = mux(large2, S(-128, 10), magnitude.toSInt().neg());
        SInt value = mux(nan2, S(0, 10), mux(sign2, negative, positive));
        out.payload.set(regNext("y_3", value.resize(8)));
        out.valid.set(Delay.valid("valid", in.valid, LATENCY));
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
