package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Data;
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
 * <p>Latency {@value #LATENCY} cycles, one result per cycle, {@code out.valid} follows {@code in.valid}. Both
 * shifts are products on DSP48E2 (a shift by k is a multiplication by the one-hot 2^k) in place of barrel
 * shifters in LUTs. The registers in front of and behind each product are the DSP's A, B and P registers, so a
 * product fills a stage of its own, and its one-hot multiplier is decoded in the stage before it:
 * <ol>
 *   <li>compare magnitudes, classify; each operand's distance below the larger exponent (0 for the larger one)
 *       decoded into a one-hot multiplier, a far distance's coarse step of 12 places taken in the fabric;
 *   <li>align both significands (three extra bits: guard, round, sticky), one DSP48E2 product each; the larger
 *       one's shift is 0, so no swap multiplexer stands between the compare and the DSPs;
 *   <li>add or subtract the significands on one carry chain (28 bits with the carry), the smaller inverted;
 *   <li>the normalizing shift, the leading-zero count of the 28 bits limited by the exponent (a stop bit) so a
 *       result below the normal range stays subnormal, decoded into one-hot multipliers;
 *   <li>normalize: the leading one to bit 27 (none after a carry), products on two DSP48E2;
 *   <li>round to nearest even, pack, substitute specials (output register).
 * </ol>
 * Cost: 4 DSP48E2, 376 LUTs (Yosys {@code synth_xilinx -family xcup}) and 424 flip-flops, against 449 LUTs,
 * 283 flip-flops and no DSP with the shifts in LUTs (Vivado packs the registers around the products into the
 * DSPs). The timing proxy's worst path inside the unit went from 3.63 ns (the leading-zero count and the
 * exponent limit) to 3.11 ns (the rounding); a path from a register into stage 1 from 3.21 ns to 3.45 ns, as
 * the decoders load the exponent differences more than the one subtract used to.
 */
public final class Fp32Add extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 6;

    /**
     * A DSP48E2 multiplies at most 26 x 17 bits unsigned, so a one-hot multiplier reaches 17 shift amounts, and
     * an alignment takes 27 (0 to 26). A far distance (16 or more) therefore moves the significand right by this
     * many places first, in the multiplexer in front of the DSP's A register; the bits it drops all land below
     * the sticky place.
     */
    private static final int ALIGN_STEP = 12;
    /** Alignment distances from which the coarse step is taken (16 to 26; 26 stands for any larger one). */
    private static final int ALIGN_FAR = 16;

    /** The operands (ports {@code in_valid}, {@code in_payload_a}, {@code in_payload_b}): binary32 a and b. */
    public final Flow<Operands> in = in("in", Flow.of(Operands.fp32()));
    /** The sum ({@code out_valid}, {@code out_payload}), {@value #LATENCY} cycles after its operands. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public Fp32Add() {
        Bits a = in.payload.a();
        Bits b = in.payload.b();
        // Stage 1: compare magnitudes (the bit patterns of |a| and |b| compare like the values) and classify.
        Bool swap = FP32.magnitude(b).asUInt().gt(FP32.magnitude(a).asUInt());
        Bool nanIn = FP32.isNaN(a).or(FP32.isNaN(b))
                .or(FP32.isInfinite(a).and(FP32.isInfinite(b)).and(FP32.sign(a).ne(FP32.sign(b))));
        Bool infIn = FP32.isInfinite(a).or(FP32.isInfinite(b)).and(nanIn.not());
        // Only an exact zero sum of two zeros can be -0: (-0) + (-0).
        Bool zeroSign = FP32.sign(a).and(FP32.sign(b));
        // Both significands go to stage 2's DSP48E2, each shifted right by its distance below the larger
        // exponent (0 for the larger one), so that no swap multiplexer stands between the compare and the
        // registers: the compare only tells stage 3 which one to subtract.
        // The distances come from the raw exponent fields' differences: a subnormal's scale exponent is 1, not 0,
        // and the aligner corrects for its own operand's beside the difference (a zero test in front of the
        // subtraction put two LUT levels before its carry chain).
        UInt rawAOverB = FP32.exponent(a).subExpand(FP32.exponent(b));
        UInt rawBOverA = FP32.exponent(b).subExpand(FP32.exponent(a));
        Aligner alignA = new Aligner(FP32.significand(a), rawBOverA, FP32.exponent(a).eq(0));
        Aligner alignB = new Aligner(FP32.significand(b), rawAOverB, FP32.exponent(b).eq(0));
        UInt sigA1 = regNext("sig_a_1", alignA.significand);
        UInt alignA1 = regNext("align_a_1", alignA.multiplier);
        Bool lostA1 = regNext("lost_a_1", alignA.lost);
        UInt sigB1 = regNext("sig_b_1", alignB.significand);
        UInt alignB1 = regNext("align_b_1", alignB.multiplier);
        Bool lostB1 = regNext("lost_b_1", alignB.lost);
        Bool swap1 = regNext("swap_1", swap);
        UInt expA1 = regNext("exp_a_1", FP32.scaleExponent(a));
        UInt expB1 = regNext("exp_b_1", FP32.scaleExponent(b));
        Bits signs1 = regNext("signs_1", cat(FP32.sign(a), FP32.sign(b)));
        Bits flags1 = regNext("flags_1", cat(nanIn, infIn, zeroSign));

        // Stage 2: the alignment products; the registers around them are the DSP48E2's A, B and P registers.
        // G >> 13 = (m << 3) >> d, the significand with guard, round and sticky places; G's 13 low bits (and the
        // bits lost to the coarse step) are what the shift drops. The larger operand's G has none of them.
        UInt alignedA2 = regNext("aligned_a_2", sigA1.mul(alignA1).slice(39, 0));
        UInt alignedB2 = regNext("aligned_b_2", sigB1.mul(alignB1).slice(39, 0));
        Bool lost2 = regNext("lost_2", lostA1.or(lostB1));
        Bool swap2 = regNext("swap_2", swap1);
        Bool subtract2 = regNext("subtract_2", signs1.bit(1).ne(signs1.bit(0)));
        Bool sign2 = regNext("sign_2", mux(swap1, signs1.bit(0), signs1.bit(1)));
        UInt exp2 = regNext("exp_2", mux(swap1, expB1, expA1));
        Bits flags2 = regNext("flags_2", flags1);

        // Stage 3: the dropped bits OR-ed into the smaller operand's sticky bit 0; then add or subtract
        // (|big| >= |small|, so the difference is never negative) on one carry chain: big + (small xor s) + s,
        // the carry-in s entering as a low bit that is then dropped. The smaller one is inverted in place.
        Bool sticky = alignedA2.slice(12, 0).ne(0).or(alignedB2.slice(12, 0).ne(0)).or(lost2);
        UInt x = withSticky(alignedA2, sticky.and(swap2));
        UInt y = withSticky(alignedB2, sticky.and(swap2.not()));
        UInt flipX = mux(subtract2.and(swap2), x.not(), x);
        UInt flipY = mux(subtract2.and(swap2.not()), y.not(), y);
        UInt withCarryIn = cat(flipX, TRUE).asUInt().add(cat(flipY, subtract2).asUInt());
        UInt sum3 = regNext("sum_3", withCarryIn.slice(28, 1));
        // Beside the adder: a one at bit 27 - exponent, below which the normalization must not move the leading
        // one (the result would leave the normal range): leading zeros of sum | stop = min(leading zeros, exp).
        // The scale exponent is at least 1, so bit 27 never stops.
        Data[] stopBits = new Data[28];
        stopBits[0] = FALSE;
        for (int i = 0; i < 27; i++) {
            stopBits[27 - i] = exp2.eq(27 - i);
        }
        Bits stop3 = regNext("stop_3", cat(stopBits));
        Bool sign3 = regNext("sign_3", sign2);
        UInt exp3 = regNext("exp_3", exp2);
        Bits flags3 = regNext("flags_3", flags2);

        // Stage 4: how far to shift left, s, so the leading one lands at bit 27 (0 after a carry, 1 when the
        // hidden bit's place holds it), limited by the exponent (the stop bit) so that a result below the normal
        // range keeps exponent 1 and stays subnormal. Stage 5 shifts on two DSP48E2, sum x 2^s: the low one
        // takes s <= 16 and the low 26 bits (a shift of 2 or more finds bits 27 and 26 zero; they come in
        // below), the high one s >= 17, whose 17 leading zeros leave 11 bits, and counts 2^17 more. Each one-hot
        // multiplier is zero when the other one holds the shift.
        Bits limited = sum3.asBits().or(stop3);
        UInt leftShift = FpCircuits.leadingZeros(limited);
        Data[] shiftLo = new Data[17];
        for (int i = 0; i <= 16; i++) {
            shiftLo[16 - i] = leftShift.eq(i);
        }
        Data[] shiftHi = new Data[11];
        for (int i = 0; i <= 10; i++) {
            shiftHi[10 - i] = leftShift.eq(17 + i);
        }
        UInt sumLo4 = regNext("sum_lo_4", sum3.slice(25, 0));
        // The high product's own copy of the 11 bits (a register that feeds one DSP only can be its A register):
        // OR-ed with bits 27..17, which are zero whenever it is used, so that it stays a register of its own.
        UInt sumHi4 = regNext("sum_hi_4", sum3.slice(10, 0).asBits().or(sum3.slice(27, 17).asBits()).asUInt());
        UInt normalizeLo4 = regNext("normalize_lo_4", cat(shiftLo).asUInt());
        UInt normalizeHi4 = regNext("normalize_hi_4", cat(shiftHi).asUInt());
        UInt top4 = regNext("top_4", sum3.slice(27, 26));
        UInt shift4 = regNext("shift_4", leftShift);
        Bool zero4 = regNext("zero_4", sum3.eq(0));
        Bool sign4 = regNext("sign_4", sign3);
        // The rounding adds the result's scale exponent less one to the fraction: exp + 1 - s less one (the leading
        // one at bit 27 stands a place above a hidden bit at 26), so exp - s, with no +1 here and no -1 in stage 6.
        UInt exp4 = regNext("exp_4", exp3.zext(9));
        Bits flags4 = regNext("flags_4", flags3);

        // Stage 5: the normalizing products, of which the low 28 bits are kept; the exponent drops by the shift
        // (a stage ahead of the rounding, whose carry chain it would otherwise lead).
        // Bits 27 and 26 of the sum: either set means s <= 1 and the leading one lands at bit 27; with both set
        // (s = 0, after a carry) bit 26 keeps its own.
        UInt shiftedLo5 = regNext("shifted_lo_5", sumLo4.mul(normalizeLo4).slice(27, 0));
        UInt shiftedHi5 = regNext("shifted_hi_5", sumHi4.mul(normalizeHi4).slice(10, 0));
        Bool top5 = regNext("top_5", top4.bit(1).or(top4.bit(0)));
        Bool next5 = regNext("next_5", top4.bit(1).and(top4.bit(0)));
        UInt belowExp5 = regNext("below_exp_5", exp4.sub(shift4.zext(9)));
        Bool zero5 = regNext("zero_5", zero4);
        Bool sign5 = regNext("sign_5", sign4);
        Bits flags5 = regNext("flags_5", flags4);

        // Stage 6: round (guard = bit 3, round and sticky = bits 2..0), pack, specials.
        Bits high = shiftedHi5.asBits().or(cat(top5, next5, B(0, 9)));
        UInt n5 = shiftedLo5.asBits().or(cat(high, B(0, 17))).asUInt();
        FpCircuits.Cut cut = new FpCircuits.Cut(n5.slice(27, 4), n5.bit(3), n5.slice(2, 0).ne(0));
        FpCircuits.Rounded rounded = FpCircuits.roundPackBelow(belowExp5, cut, 8, 23);
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

    /**
     * One operand's side of the alignment: its significand m for the DSP's A port (m >> 12 for a distance of 16
     * or more, whose 12 dropped bits all land below the sticky place) and the one-hot multiplier 2^(16 - d') for
     * its B port, d' = d or d - 12; d is the operand's distance below the larger exponent (0 when it is the
     * larger one or the exponents are equal; 26 stands for any larger one, which leaves only the sticky bit).
     * Both are a look at the bits of the two exponent differences after the subtract: the wrong-way difference
     * is negative (its borrow bit set) and matches no distance.
     */
    private static final class Aligner {
        final UInt significand;
        final UInt multiplier;
        final Bool lost;

        /**
         * {@code rawBelow}: the other operand's exponent field minus this one's (9 bits, two's complement);
         * {@code subnormal}: this one's field is 0. The distance below the other, in scale exponents (a zero
         * field counts as 1), is rawBelow where this field is not 0 (a subnormal other then lies at or above, and
         * rawBelow is not positive either), and rawBelow - 1 where it is (both subnormal: 0, and rawBelow too).
         */
        Aligner(UInt m, UInt rawBelow, Bool subnormal) {
            // At least ALIGN_FAR = 16 below: rawBelow at least 16 (17 for a subnormal: 16 is 15 below).
            Bool farRaw = rawBelow.msb().not().and(rawBelow.slice(7, 4).ne(0));
            Bool far = farRaw.and(subnormal.and(rawBelow.eq(ALIGN_FAR)).not());
            significand = mux(far, m.shr(ALIGN_STEP).zext(24), m);
            lost = far.and(m.slice(ALIGN_STEP - 1, 0).ne(0));
            Data[] bits = new Data[17];
            for (int i = 0; i <= 16; i++) {
                // Bit i is 2^i = 2^(16 - d'): a near distance d = 16 - i or a far one d = 28 - i.
                int near = 16 - i;
                int farDistance = near + ALIGN_STEP;
                Bool bit = near < ALIGN_FAR ? distance(rawBelow, subnormal, near) : FALSE;
                boolean farToo = farDistance >= ALIGN_FAR && farDistance <= 26;
                bits[16 - i] = farToo ? bit.or(distance(rawBelow, subnormal, farDistance)) : bit;
            }
            multiplier = cat(bits).asUInt();
        }

        /** This operand lies exactly {@code d} binades below the other (d = 0: not below; 26: 26 or more). */
        private static Bool distance(UInt rawBelow, Bool subnormal, int d) {
            if (d == 0) {
                // Not below: rawBelow <= 0, or <= 1 for a subnormal.
                return rawBelow.msb().or(mux(subnormal, rawBelow.slice(8, 1).eq(0), rawBelow.eq(0)));
            }
            return d < 26 ? mux(subnormal, rawBelow.eq(d + 1), rawBelow.eq(d))
                    : rawBelow.msb().not().and(mux(subnormal, rawBelow.ge(27), rawBelow.ge(26)));
        }
    }

    /** The 27 significand bits (with guard, round, sticky places) of an alignment product, sticky OR-ed in. */
    private static UInt withSticky(UInt product, Bool sticky) {
        return product.slice(39, 13).asBits().or(sticky.asBits().zext(27)).asUInt().zext(28);
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
