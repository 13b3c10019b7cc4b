package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;

/**
 * {@code scale2(r, n) = r * 2^n} rounded to nearest even, for a normal binary32 r (NUMERICS.md N9.1, Java
 * {@code Fp32.scale2}, equal to {@code Math.scalb}): with {@code e} r's biased exponent, {@code e + n} in
 * 1..254 replaces the exponent field; {@code e + n >= 255} gives infinity; {@code e + n < -25} gives zero;
 * otherwise the result is subnormal (or rounds up to the smallest normal), which N9.1 defines as r moved to
 * exponent {@code e + n + 126} times 2^-126 with one RNE multiply. That multiply by a power of two is a right
 * shift of the significand by {@code 1 - (e + n)} bits rounded to nearest even, which is what this unit does
 * (no DSP). The sign of r is kept.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: (1) exponent sum, the shift with guard and
 * sticky; (2) round and select. Cost: about 120 LUTs, 80 flip-flops. Named {@code FpScale2_n<nBits>}.
 */
public final class FpScale2 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 2;

    public final Bool inValid = in("in_valid", bool());
    /** A normal binary32 value. */
    public final Bits r;
    /** The power of two, signed. */
    public final SInt n;
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(32));

    /** @param nBits width of {@code n} (2..16) */
    public FpScale2(int nBits) {
        if (nBits < 2 || nBits > 16) {
            throw new IllegalArgumentException("FpScale2 takes n of 2..16 bits, got " + nBits);
        }
        param("n", nBits);
        r = in("r", bits(32));
        n = in("n", sint(nBits));
        int w = Math.max(nBits, 9) + 2;
        // Stage 1.
        SInt exponent = FP32.exponent(r).toSInt().sext(w).add(n.sext(w));
        Bool overflow = exponent.ge(255);
        Bool normal = exponent.ge(1);
        Bool vanish = exponent.lt(-25);
        UInt shift = S(1, w).sub(exponent).asUInt().resize(5);
        FpCircuits.Cut cut = FpCircuits.cutRight(FP32.significand(r), shift);
        Bits r1 = regNext("r_1", r);
        UInt exponent1 = regNext("exponent_1", exponent.asUInt().resize(8));
        Bits cases1 = regNext("cases_1", cat(overflow, normal, vanish));
        UInt kept1 = regNext("kept_1", cut.kept());
        Bool guard1 = regNext("guard_1", cut.guard());
        Bool sticky1 = regNext("sticky_1", cut.sticky());

        // Stage 2.
        Bool sign = FP32.sign(r1);
        FpCircuits.Rounded tiny = FpCircuits.roundPack(U(1, 8), new FpCircuits.Cut(kept1, guard1, sticky1), 8, 23);
        Bits result = mux(cases1.bit(2), cat(sign, B(FP32.infinity(), 31)),
                mux(cases1.bit(1), cat(sign, exponent1, FP32.fraction(r1)),
                        mux(cases1.bit(0), cat(sign, B(0, 31)), cat(sign, tiny.magnitude()))));
        y.set(regNext("y_2", result));
        outValid.set(regNext("valid_2", regNext("valid_1", inValid, 0), 0));
    }
}
