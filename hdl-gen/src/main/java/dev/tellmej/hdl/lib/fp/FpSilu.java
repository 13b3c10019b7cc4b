package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Delay;

/**
 * SiLU by NUMERICS.md N12.1, bit for bit: {@code silu(x) = x * reciprocal(1 + exp(-x))}: negate (exact),
 * {@link FpExp}, add 1 (RNE), {@link FpReciprocal}, multiply by x (RNE). NaN gives the canonical NaN (the
 * composition does that by itself); -infinity gives -0 (where the composition would give NaN); below about
 * -88, exp(-x) overflows and the result is -0.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: exp (26), + 1 (6), reciprocal (39), x * r (7),
 * the -infinity case (1). Cost: six {@link Fp32Mul} (twelve DSP48E2), four {@link Fp32Add}, two ROMs, and a
 * delay line for x (SRLs).
 */
public final class FpSilu extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = FpExp.LATENCY + Fp32Add.LATENCY + FpReciprocal.LATENCY + Fp32Mul.LATENCY + 1;

    public final Bool inValid = in("in_valid", bool());
    public final Bits x = in("x", bits(32));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(32));

    public FpSilu() {
        FpExp exp = instance("exp", new FpExp());
        exp.inValid.set(inValid);
        exp.x.set(FP32.negate(x));
        Fp32Add plusOne = instance("plus_one", new Fp32Add());
        plusOne.inValid.set(exp.outValid);
        plusOne.a.set(FP32.constant(Float.floatToRawIntBits(1f)));
        plusOne.b.set(exp.y);
        FpReciprocal reciprocal = instance("reciprocal", new FpReciprocal());
        reciprocal.inValid.set(plusOne.outValid);
        reciprocal.x.set(plusOne.y);
        Fp32Mul times = instance("times_x", new Fp32Mul());
        times.inValid.set(reciprocal.outValid);
        times.a.set(Delay.of("x", x, FpExp.LATENCY + Fp32Add.LATENCY + FpReciprocal.LATENCY));
        times.b.set(reciprocal.y);

        Bool negativeInfinity = Delay.of("neg_inf", FP32.isInfinite(x).and(FP32.sign(x)),
                FpExp.LATENCY + Fp32Add.LATENCY + FpReciprocal.LATENCY + Fp32Mul.LATENCY);
        y.set(regNext("y_out", mux(negativeInfinity, B(0x8000_0000L, 32), times.y)));
        outValid.set(regNext("valid_out", times.outValid, 0));
    }
}
