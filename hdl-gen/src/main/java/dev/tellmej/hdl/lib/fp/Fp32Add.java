package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Timed;

/**
 * Binary32 addition {@code y = a + b}, exactly Java's {@code float +}: round to nearest, ties to even,
 * subnormal inputs and results kept, overflow to infinity, {@code +inf + -inf} and any NaN input giving the
 * canonical NaN 0x7FC00000, an exact zero sum {@code +0} unless both operands are {@code -0} (NUMERICS.md N2).
 * Subtraction is addition of the operand with its sign bit flipped ({@link FpFormat#negate}), which IEEE
 * defines to be the same operation.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle, {@code out.valid} follows {@code in.valid}:
 * <ol>
 *   <li>compare magnitudes, swap so the larger comes first, exponent difference, classify;
 *   <li>align the smaller significand (three extra bits: guard, round, sticky);
 *   <li>add or subtract the significands on one carry chain (28 bits with the carry);
 *   <li>leading-zero count of the 28 bits, limited by the exponent so a result below the normal range stays
 *       subnormal;
 *   <li>normalize: one left shift brings the leading one to bit 27 (none after a carry);
 *   <li>round to nearest even, pack, substitute specials (output register).
 * </ol>
 * Cost: no DSP; 441 LUTs (Yosys {@code synth_xilinx -family xcup}) and about 280 flip-flops.
 */
public final class Fp32Add extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 6;

    /** The operands (ports {@code in_valid}, {@code in_payload_a}, {@code in_payload_b}): binary32 a and b. */
    public final Flow<Operands> in = in("in", Flow.of(Operands.fp32()));
    /** The sum ({@code out_valid}, {@code out_payload}), {@value #LATENCY} cycles after its operands. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public Fp32Add() {
        Bits a = in.payload.a();
        Bits b = in.payload.b();
        // Stage 1: order by magnitude (the bit patterns of |a| and |b| compare like the values).
        Bool swap = FP32.magnitude(b).asUInt().gt(FP32.magnitude(a).asUInt());
        Bits big = mux(swap, b, a);
        Bits small = mux(swap, a, b);
        Bool nanIn = FP32.isNaN(a).or(FP32.isNaN(b))
                .or(FP32.isInfinite(a).and(FP32.isInfinite(b)).and(FP32.sign(a).ne(FP32.sign(b))));
        Bool infIn = FP32.isInfinite(a).or(FP32.isInfinite(b)).and(nanIn.not());
        // Only an exact zero sum of two zeros can be -0: (-0) + (-0).
        Bool zeroSign = FP32.sign(a).and(FP32.sign(b));
        // The exponent difference both ways, beside the compare rather than after the swap (the compare, the
        // swap and a subtract in a row were the unit's longest path): the compare only picks one.
        UInt aOverB = FpCircuits.clamp(FP32.scaleExponent(a).sub(FP32.scaleExponent(b)), 27).resize(5);
        UInt bOverA = FpCircuits.clamp(FP32.scaleExponent(b).sub(FP32.scaleExponent(a)), 27).resize(5);
        Bits big1 = regNext("big_1", big);
        Bits small1 = regNext("small_1", small);
        UInt diff1 = regNext("diff_1", mux(swap, bOverA, aOverB));
        Bits flags1 = regNext("flags_1", cat(nanIn, infIn, zeroSign));

        // Stage 2: significands with three extra low bits; the smaller shifted right with a sticky bit.
        UInt bigSig = cat(FP32.significand(big1), B(0, 3)).asUInt();
        UInt smallSig = cat(FP32.significand(small1), B(0, 3)).asUInt();
        FpCircuits.Shifted aligned = FpCircuits.shiftRightSticky(smallSig, diff1);
        UInt alignedSig = aligned.value().asBits().or(aligned.sticky().asBits().zext(27)).asUInt();
        UInt bigSig2 = regNext("big_sig_2", bigSig);
        UInt smallSig2 = regNext("small_sig_2", alignedSig);
        Bool subtract2 = regNext("subtract_2", FP32.sign(big1).ne(FP32.sign(small1)));
        Bool sign2 = regNext("sign_2", FP32.sign(big1));
        UInt exp2 = regNext("exp_2", FP32.scaleExponent(big1));
        Bits flags2 = regNext("flags_2", flags1);

        // Stage 3: add or subtract (|big| >= |small|, so the difference is never negative) on one carry chain:
        // big + (small xor s) + s, the carry-in s entering as a low bit that is then dropped.
        UInt flipped = mux(subtract2, smallSig2.zext(28).not(), smallSig2.zext(28));
        UInt withCarryIn = cat(bigSig2.zext(28), TRUE).asUInt().add(cat(flipped, subtract2).asUInt());
        UInt sum3 = regNext("sum_3", withCarryIn.slice(28, 1));
        Bool sign3 = regNext("sign_3", sign2);
        UInt exp3 = regNext("exp_3", exp2);
        Bits flags3 = regNext("flags_3", flags2);

        // Stage 4: how far to shift left so the leading one lands at bit 27 (0 after a carry, 1 when the hidden
        // bit's place holds it). Limited by the exponent, so a result below the normal range keeps exponent 1
        // and stays subnormal.
        UInt leading = FpCircuits.leadingZeros(sum3.asBits());
        UInt leftShift = mux(leading.zext(8).le(exp3), leading, exp3.resize(5));
        UInt sum4 = regNext("sum_4", sum3);
        UInt shift4 = regNext("shift_4", leftShift);
        Bool sign4 = regNext("sign_4", sign3);
        UInt exp4 = regNext("exp_4", exp3.zext(9).add(1));
        Bits flags4 = regNext("flags_4", flags3);

        // Stage 5: normalize: one left shift of the 28 bits; the exponent drops by the shift.
        UInt n5 = regNext("n_5", sum4.shlKeep(shift4));
        UInt exp5 = regNext("exp_5", exp4.sub(shift4.zext(9)));
        Bool zero5 = regNext("zero_5", sum4.eq(0));
        Bool sign5 = regNext("sign_5", sign4);
        Bits flags5 = regNext("flags_5", flags4);

        // Stage 6: round (guard = bit 3, round and sticky = bits 2..0), pack, specials.
        FpCircuits.Cut cut = new FpCircuits.Cut(n5.slice(27, 4), n5.bit(3), n5.slice(2, 0).ne(0));
        FpCircuits.Rounded rounded = FpCircuits.roundPack(exp5, cut, 8, 23);
        Bool nan = flags5.bit(2);
        Bool inf = flags5.bit(1);
        Bool zeroSumSign = flags5.bit(0);
        // An infinite operand is the larger magnitude, so the sign of the sum is the larger operand's.
        Bits infinity = cat(sign5, B(FP32.infinity(), 31));
        Bits result = mux(nan, FP32.constant(FP32.canonicalNaN()),
                mux(inf, infinity,
                        mux(zero5, cat(zeroSumSign, B(0, 31)),
                                mux(rounded.overflow(), infinity, cat(sign5, rounded.magnitude())))));
        out.payload.set(regNext("y_6", result));
        out.valid.set(Delay.valid("valid", in.valid, LATENCY));
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow: {@code a + b}. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Operands> in) {
        Fp32Add unit = Hdl.instance(name, new Fp32Add());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** {@code a + b} in a pipeline: valid {@value #LATENCY} cycles after the later operand. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> a, Timed<Bits> b) {
        return Timed.zip(a, b, Operands::new).through(name, LATENCY, Fp32Add::apply);
    }

    /**
     * NUMERICS.md N5.2's pairwise tree in a pipeline: level by level {@code p[k] = p[2k] + p[2k+1]} until one value
     * is left, {@code values.size()} (a power of two) inputs; the adders are named {@code <prefix>_<level>_<k>}.
     * Valid {@value #LATENCY} x log2(n) cycles after the latest input; one input alone is returned as it is.
     */
    @ElaborationHelper
    public static Timed<Bits> tree(String prefix, java.util.List<Timed<Bits>> values) {
        if (values.isEmpty() || Integer.bitCount(values.size()) != 1) {
            throw new IllegalArgumentException("a pairwise tree needs a power of two of inputs, got " + values.size());
        }
        java.util.List<Timed<Bits>> level = values;
        for (int depth = 0; level.size() > 1; depth++) {
            java.util.List<Timed<Bits>> next = new java.util.ArrayList<>();
            for (int k = 0; k < level.size() / 2; k++) {
                next.add(apply(prefix + "_" + depth + "_" + k, level.get(2 * k), level.get(2 * k + 1)));
            }
            level = next;
        }
        return level.getFirst();
    }
}
