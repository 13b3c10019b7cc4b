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

    /**
     * The operands.
     *
     * @param r a normal binary32 value
     * @param n the power of two, signed
     */
    public record In(Bits r, SInt n) {}

    /** r and n ({@code in_valid}, {@code in_payload_r}, {@code in_payload_n}). */
    public final Flow<In> in;
    /** {@code r * 2^n} ({@code out_valid}, {@code out_payload}), {@value #LATENCY} cycles later. */
    public final Flow<Bits> out;

    /** @param nBits width of {@code n} (2..16) */
    public FpScale2(int nBits) {
        if (nBits < 2 || nBits > 16) {
            throw new IllegalArgumentException("FpScale2 takes n of 2..16 bits, got " + nBits);
        }
        param("n", nBits);
        in = in("in", Flow.of(new In(bits(32), sint(nBits))));
        out = out("out", Flow.of(bits(32)));
        Bits r = in.payload.r();
        SInt n = in.payload.n();
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
        out.payload.set(regNext("y_2", result));
        out.valid.set(regNext("valid_2", regNext("valid_1", in.valid, 0), 0));
    }

    /** Places the unit, named {@code name}, fed by {@code in} (n of any width 2..16); returns its result flow. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<In> in) {
        FpScale2 unit = Hdl.instance(name, new FpScale2(in.payload.n().width()));
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** {@code r * 2^n} in a pipeline: valid {@value #LATENCY} cycles after the later operand. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> r, Timed<SInt> n) {
        return Timed.zip(r, n, In::new).through(name, LATENCY, FpScale2::apply);
    }
}
