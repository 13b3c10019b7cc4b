package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;

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

    public final Bool inValid = in("in_valid", bool());
    public final Bits x = in("x", bits(32));
    public final Bool outValid = out("out_valid", bool());
    public final SInt y = out("y", sint(8));

    public Fp32ToInt8() {
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
        y.set(regNext("y_2", value.resize(8)));
        outValid.set(regNext("valid_2", regNext("valid_1", inValid, 0), 0));
    }
}
