package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Timed;

/**
 * exp(x) by the algorithm of NUMERICS.md N9, bit for bit: {@code t = x * LOG2E} (one RNE multiply);
 * {@code t >= 128} gives +infinity and {@code t < -160} gives +0; {@code F = floor(t * 2^23)} (a shift of t's
 * significand, rounding toward minus infinity); {@code n = F >> 23}, table index {@code i = (F >> 16) & 127},
 * {@code u = (F & 0xFFFF) * 2^-16}; {@code r = V[i] + D[i] * u} (multiply, then add, both RNE) from a
 * 128-entry ROM of {@link FpTables}; result {@code scale2(r, n)} ({@link FpScale2}). NaN gives the canonical
 * NaN, +infinity +infinity, -infinity +0 (through the t tests).
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: multiply by LOG2E (7); the floor shift (1);
 * n, i and the fraction (1); u and the table read (1); D[i] * u (7); + V[i] (6); scale2 (2); special cases (1).
 * Cost: two {@link Fp32Mul} (eight DSP48E2), one {@link Fp32Add}, a 128 x 64 ROM in LUTs, delay lines.
 */
public final class FpExp extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}; derived from the pipeline and checked at elaboration. */
    public static final int LATENCY = 26;

    /** x ({@code in_valid}, {@code in_payload}, binary32). */
    public final Flow<Bits> in = in("in", Flow.of(bits(32)));
    /** exp(x) ({@code out_valid}, {@code out_payload}, binary32), {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public FpExp() {
        Pipeline pipe = new Pipeline("valid", in.valid);
        // t = x * LOG2E.
        Timed<Bits> product = Fp32Mul.apply("log2e_mul", pipe.input("x", in.payload),
                pipe.steady(FpFormat.fp32(FpTables.LOG2E)));
        Bits t = product.value();

        // Stage A: |t| * 2^23 = m * 2^(e - 127): a left shift for e >= 127 (at most 7 while t is in range), a
        // right shift below, remembering whether bits were lost (floor of a negative value rounds away).
        Bool nan = FP32.isNaN(t);
        Bool sign = FP32.sign(t);
        UInt magnitude = FP32.magnitude(t).asUInt();
        Bool tooBig = sign.not().and(magnitude.ge(0x4300_0000L));      // t >= 128, +inf included
        Bool tooSmall = sign.and(magnitude.gt(0x4320_0000L));          // t < -160, -inf included
        // The raw exponent field, not the scale exponent (1 for a subnormal): both give e < 127 and a right shift
        // clamped to 31 for a subnormal t, and the raw field has no zero test in front of the subtractions.
        UInt e = FP32.exponent(t);
        UInt m = FP32.significand(t);
        Bool up = e.ge(127);
        UInt leftShift = FpCircuits.clamp(e.sub(127), 7).resize(3);
        UInt rightShift = FpCircuits.clamp(U(127, 8).sub(e), 31).resize(5);
        UInt left = m.zext(31).shlKeep(leftShift);
        FpCircuits.Shifted right = FpCircuits.shiftRightSticky(m, rightShift);
        UInt scaledA = regNext("scaled_a", mux(up, left, right.value().zext(31)));
        // Only a negative t rounds away from zero when bits are lost (floor); a positive one truncates.
        Bool lostA = regNext("lost_a", sign.and(up.not()).and(right.sticky()));
        Bool signA = regNext("sign_a", sign);
        Bits casesA = regNext("cases_a", cat(nan, tooBig, tooSmall));

        // Stage B: F = floor(t * 2^23) as a signed 32-bit integer; its fields.
        SInt magnitudeF = scaledA.zext(32).add(lostA.asUInt().zext(32)).asSInt();
        SInt fixed = mux(signA, magnitudeF.neg(), magnitudeF);
        SInt nB = regNext("n_b", fixed.shr(23));
        UInt indexB = regNext("index_b", fixed.slice(22, 16).asUInt());
        UInt fractionB = regNext("fraction_b", fixed.slice(15, 0).asUInt());
        Bits casesB = regNext("cases_b", casesA);

        // Stage C: u = (F & 0xFFFF) * 2^-16 (exact); the table word for index i.
        Mem<Bits> table = mem("rom", bits(64), FpTables.EXP_ENTRIES).style(RamStyle.DISTRIBUTED)
                .init(FpTables.words(FpTables.EXP_ENTRIES, FpTables::expValue, FpTables::expSlope));
        int c = product.cycle() + 3;   // after the registers of stages A, B and C
        Timed<Bits> word = pipe.at(c, "rom_word", table.readSync("rom_word", indexB));
        Timed<Bits> u = pipe.at(c, "u", regNext("u_c", FpCircuits.fixedToFp32(fractionB, 16)));
        Timed<SInt> n = pipe.at(c, "n", regNext("n_c", nB));
        Timed<Bits> cases = pipe.at(c, "cases", regNext("cases_c", casesB));

        // r = V[i] + D[i] * u; scale2(r, n); the special cases.
        Timed<Bits> r = FpChord.apply("chord", word, u);
        Timed<Bits> scaled = FpScale2.apply("scale2", r, n);
        Timed.zip(cases, scaled, (k, y) -> mux(k.bit(2), FP32.constant(FP32.canonicalNaN()),
                        mux(k.bit(1), FP32.constant(FP32.infinity()), mux(k.bit(0), B(0, 32), y))))
                .stage("y_out").flow(LATENCY).connectTo(out);
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Bits> in) {
        FpExp unit = Hdl.instance(name, new FpExp());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** exp(x) in a pipeline: valid {@value #LATENCY} cycles after x. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x) {
        return x.through(name, LATENCY, FpExp::apply);
    }
}
