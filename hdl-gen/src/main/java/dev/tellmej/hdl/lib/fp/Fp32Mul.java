package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Timed;

/**
 * Binary32 multiplication {@code y = a * b}, exactly Java's {@code float *}: round to nearest, ties to even,
 * subnormal inputs and results kept (gradual underflow), overflow to infinity, {@code inf * 0} and any NaN
 * input giving the canonical NaN 0x7FC00000 (NUMERICS.md N2).
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle, {@code out.valid} follows {@code in.valid}. Both
 * shifts are products on DSP48E2 (a shift by k is a multiplication by the one-hot 2^k) in place of barrel
 * shifters in LUTs, as in {@link Fp32Add}; each product fills a stage of its own between the DSP's input and P
 * registers, its one-hot multiplier decoded in the stage before it:
 * <ol>
 *   <li>unpack, classify, count the leading zeros of the significand that may be subnormal (two subnormals
 *       give zero, so at most one needs it) and decode them into a one-hot multiplier;
 *   <li>normalize it to [2^23, 2^24), a product on one DSP48E2; sum the exponents;
 *   <li>24 x 24 product (the multiplier's M register); the exponent decoded into the underflow's shift;
 *   <li>product register (P);
 *   <li>the 26 product bits that can be kept or rounded picked (the rest only sticky), the right shift's one-hot
 *       multiplier completed with the product's top bit: 0 or 1 place in the normal range, 2 - e into the
 *       subnormals (e the exponent of the product's bit 47);
 *   <li>the right shift, a product on one DSP48E2: its high bits are the kept ones and the guard bit, its low
 *       bits the sticky ones;
 *   <li>round to nearest even, pack, substitute specials (output register).
 * </ol>
 * Cost: 4 DSP48E2 (two for the 24 x 24 significand product, which Yosys splits into a 24 x 17 and a 24 x 7
 * slice, one for each shift), 333 LUTs (Yosys {@code synth_xilinx -family xcup}, {@code scripts/tellme report
 * elementwise --units fp32-mul}) and 430 flip-flops, against 2 DSP48E2, 465 LUTs and 329 flip-flops with the
 * shifts in LUTs (Vivado packs the registers around the products into the DSPs). Timing proxy: new paths at
 * most 3.21 ns (the leading-zero count into the normalizing multiplier); the worst, 3.83 ns (the 24 x 24 product).
 *
 * <p><b>A binary16 second operand</b> ({@code new Fp32Mul(FpFormat.FP16)}, module {@code Fp32Mul_fp16}): where
 * {@code b} is always the binary32 value of a binary16 number (a stored activation widened by {@link FpConvert}),
 * its significand has 11 bits and it is never subnormal in binary32, so the product is 24 x 11 bits on one
 * DSP48E2 and only {@code a} ever needs normalizing. The result is the same bits as the full unit's for every
 * such {@code b}; a simulation assertion stops on any other. Cost: 3 DSP48E2 and about 66 LUTs fewer.
 */
public final class Fp32Mul extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 7;

    /**
     * A DSP48E2 multiplies at most 26 x 17 bits unsigned, so stage 6's one-hot multiplier reaches right shifts of 0
     * to 16. A larger one (17 to 28, 28 standing for any larger) moves the product window right by this many places
     * first, in the multiplexer in front of the DSP's A register; the bits it drops are all sticky.
     */
    private static final int SHIFT_STEP = 12;
    /** Bits of b's significand a DSP48E2 takes unsigned on its B port: a wider b is multiplied in two parts. */
    private static final int PARTIAL_BITS = 17;
    /** The coarse step of the normalizing shift: x below 2^12 moves up 12 places before its product. */
    private static final int NORMALIZE_STEP = 12;
    /** The largest right shift on the multiplier alone: 2^0 to 2^16. */
    private static final int SHIFT_NEAR = 16;
    /** Right shifts from here on leave nothing above the sticky bits, so the shift is clamped to it. */
    private static final int SHIFT_ALL = SHIFT_NEAR + SHIFT_STEP;

    /** The operands (ports {@code in_valid}, {@code in_payload_a}, {@code in_payload_b}): binary32 a and b. */
    public final Flow<Operands> in;
    /** The product ({@code out_valid}, {@code out_payload}), {@value #LATENCY} cycles after its operands. */
    public final Flow<Bits> out;

    /** The full unit: any binary32 a and b. */
    public Fp32Mul() {
        this(FP32);
    }

    /**
     * A unit whose second operand {@code b} is always the binary32 value of a {@code bSource} number.
     *
     * @param bSource {@link FpFormat#FP32} for any b (the full unit), or a format whose every value is a binary32
     *                normal number, zero, infinity or NaN with a shorter significand ({@link FpFormat#FP16}); see
     *                {@link #narrows(FpFormat)}
     * @throws IllegalArgumentException for another format (bfloat16's subnormals are binary32 subnormals)
     */
    public Fp32Mul(FpFormat bSource) {
        if (!bSource.equals(FP32) && !narrows(bSource)) {
            throw new IllegalArgumentException("Fp32Mul takes b from binary32 or from a format whose values are all"
                    + " binary32 normals (binary16), got " + bSource.name() + "; widen it and use new Fp32Mul()");
        }
        boolean narrow = !bSource.equals(FP32);
        if (narrow) {
            param("", bSource.name());
        }
        in = in("in", Flow.of(Operands.fp32()));
        out = out("out", Flow.of(bits(32)));
        // The significand bits of b below its source's precision are zero: the product leaves them out.
        int lowZeros = FP32.fracBits() - bSource.fracBits();
        Bits a = in.payload.a();
        Bits b = in.payload.b();
        if (narrow) {
            Bool bExact = FP32.fraction(b).slice(lowZeros - 1, 0).eq(0)
                    .and(FP32.exponent(b).ne(0).or(FP32.isZero(b)));
            assertAlways(in.valid.not().or(bExact), "Fp32Mul_" + bSource.name() + ": operand b holds a widened "
                    + bSource.name() + " value");
        }
        // Stage 1: unpack and classify.
        Bool nanIn = FP32.isNaN(a).or(FP32.isNaN(b))
                .or(FP32.isInfinite(a).and(FP32.isZero(b)))
                .or(FP32.isInfinite(b).and(FP32.isZero(a)));
        Bool infIn = FP32.isInfinite(a).or(FP32.isInfinite(b)).and(nanIn.not());
        // Two subnormals multiply to less than 2^-252, which rounds to zero: only one significand ever needs
        // normalizing, the subnormal one's if there is one (x), and the other (y) goes to the multiplier as it is.
        // A narrow b is never subnormal, so x is always a's significand and y b's top bits.
        Bool aSubnormal = FP32.exponent(a).eq(0);
        Bool bothSubnormal = aSubnormal.and(FP32.exponent(b).eq(0));
        Bool zeroIn = FP32.isZero(a).or(FP32.isZero(b)).or(bothSubnormal).and(nanIn.not()).and(infIn.not());
        UInt x = narrow ? FP32.significand(a) : mux(aSubnormal, FP32.significand(a), FP32.significand(b));
        UInt y = narrow ? FP32.significand(b).slice(23, lowZeros)
                : mux(aSubnormal, FP32.significand(b), FP32.significand(a));
        Bool sign1 = regNext("sign_1", FP32.sign(a).xor(FP32.sign(b)));
        Bool nan1 = regNext("nan_1", nanIn);
        Bool inf1 = regNext("inf_1", infIn);
        Bool zero1 = regNext("zero_1", zeroIn);
        // The normalizing shift of x is a product on a DSP48E2, x times the one-hot 2^lz. Its B port takes 17 bits
        // unsigned, so a shift of 12 or more (x below 2^12) takes a coarse step of 12 in the multiplexer in front
        // of the A register, and the multiplier is 2^(lz mod 12).
        UInt lz = FpCircuits.leadingZeros(x.asBits());
        Bool farX = x.slice(23, NORMALIZE_STEP).eq(0);
        UInt mx1 = regNext("mx_1", mux(farX, x.shl(NORMALIZE_STEP).resize(24), x));
        // Bit j of the multiplier (lz mod 12 == j) is decoded from x itself, "x's leading one at bit 23 - j or at
        // 11 - j", beside the count (which the exponent takes in stage 2): the count and a compare after it were
        // two LUT levels more on the path from the caller's operand.
        Data[] normalizeBits = new Data[NORMALIZE_STEP];
        for (int j = 0; j < NORMALIZE_STEP; j++) {
            normalizeBits[NORMALIZE_STEP - 1 - j] = leadingOneAt(x, 23 - j)
                    .or(leadingOneAt(x, 23 - j - NORMALIZE_STEP));
        }
        UInt normalize1 = regNext("normalize_1", cat(normalizeBits).asUInt());
        UInt my1 = regNext("my_1", y);
        UInt ea1 = regNext("ea_1", FP32.scaleExponent(a));
        UInt eb1 = regNext("eb_1", FP32.scaleExponent(b));
        UInt lz1 = regNext("lz_1", lz);

        // Stage 2: x normalized to [2^23, 2^24) (y already is, or the result is zero) on the DSP48E2 (its A, B and
        // P registers: mx_1, normalize_1, ma_2; the product's bits above 23 are zero); exponent of the product's
        // bit 47. value = mx * my * 2^(ea' + eb' - 300), so a leading one at bit 47 has biased exponent
        // ea' + eb' - 126.
        UInt ma2 = regNext("ma_2", mx1.mul(normalize1).resize(24));
        UInt mb2 = regNext("mb_2", my1);
        SInt exponentSum = ea1.toSInt().sext(11).add(eb1.toSInt().sext(11))
                .sub(lz1.toSInt().sext(11)).sub(S(126, 11));
        SInt e2 = regNext("e_2", exponentSum);
        Bits flags2 = regNext("flags_2", cat(sign1, nan1, inf1, zero1));

        // Stages 3 and 4: the product, registered twice. Beside it, the exponent decides in advance how far stage 6
        // shifts the product right (see Underflow). A narrow b's product is 24 x 11 bits, one DSP48E2 (its M and P
        // registers); the 48-bit product is it with b's zero bits appended. A binary32 b's 24 x 24 product takes
        // two DSP48E2s (a DSP multiplies 26 x 17 bits unsigned): stage 3 registers the partial products of b's low
        // 17 bits and of its high 7, stage 4 their sum (for timing: the multiplier and the sum in fabric were one
        // stage).
        UInt productReg4;
        if (mb2.width() <= PARTIAL_BITS) {
            UInt product3 = regNext("product_3", ma2.mul(mb2));
            attribute(product3, "use_dsp", "yes");
            productReg4 = regNext("product_4", product3);
        } else {
            UInt low3 = regNext("product_low_3", ma2.mul(mb2.slice(PARTIAL_BITS - 1, 0)));
            UInt high3 = regNext("product_high_3", ma2.mul(mb2.slice(mb2.width() - 1, PARTIAL_BITS)));
            attribute(low3, "use_dsp", "yes");
            attribute(high3, "use_dsp", "yes");
            int productBits = ma2.width() + mb2.width();
            productReg4 = regNext("product_4", high3.resize(productBits).shl(PARTIAL_BITS).trunc(productBits)
                    .add(low3.resize(productBits)));
        }
        UInt product4 = lowZeros == 0 ? productReg4 : cat(productReg4, B(0, lowZeros)).asUInt();
        SInt e3 = regNext("e_3", e2);
        Bits flags3 = regNext("flags_3", flags2);
        Underflow underflow = new Underflow(e3);
        Bool low4 = regNext("low_4", underflow.low);
        Bool far4 = regNext("far_4", underflow.far);
        UInt shiftLow4 = regNext("shift_low_4", underflow.multiplier);
        // The exponent field before rounding, scale - 1: e - 1 with the leading one at bit 47, e - 2 at bit 46
        // (only its low 8 bits: a scale of 255 or more overflows whatever the rounding does, and one of 254 does
        // when the significand rounds up to 2^24).
        UInt fieldTop4 = regNext("field_top_4", e3.sub(1).asUInt().resize(8));
        UInt fieldBelow4 = regNext("field_below_4", e3.sub(2).asUInt().resize(8));
        Bool hugeTop4 = regNext("huge_top_4", e3.ge(255));
        Bool hugeBelow4 = regNext("huge_below_4", e3.ge(256));
        Bool edgeTop4 = regNext("edge_top_4", e3.eq(254));
        Bool edgeBelow4 = regNext("edge_below_4", e3.eq(255));
        Bits flags4 = regNext("flags_4", flags3);

        // Stage 5: the product p is in [2^46, 2^48). Its 26 bits from bit 22 up, W = p[47:22], go to stage 6's
        // DSP48E2 with a one-hot multiplier 2^(16 - t); everything below bit 22 can only ever be sticky.
        // W x 2^(16 - t) holds at bits 40..17 the 24 kept bits, at bit 16 the guard bit, below it the rest:
        //   exponent e >= 2: t = 1 when the leading one is at bit 47 (scale e), t = 0 when at bit 46 (scale e - 1);
        //   exponent e <= 1: the result is subnormal (or just reaches the normal range by rounding), scale 1, and
        //                    t = 2 - e either way (the leading one at 47 is one place further from the hidden bit).
        // A DSP48E2 multiplies 26 x 17 bits unsigned, so the multiplier reaches t <= 16; t >= 17 moves W right by
        // 12 first, in the multiplexer in front of the A register, and the 12 bits it drops become sticky.
        Bool top = product4.bit(47);
        UInt window = product4.slice(47, 22);
        UInt aligned = mux(far4, window.shr(SHIFT_STEP).zext(26), window);
        Bool dropped = product4.slice(21, 0).ne(0)
                .or(far4.and(product4.slice(22 + SHIFT_STEP - 1, 22).ne(0)));
        // Bits 16 and 15 of the multiplier are the normal range's t = 0 and t = 1 (the low case never has bit 16).
        UInt multiplier = cat(low4.not().and(top.not()),
                shiftLow4.bit(15).or(low4.not().and(top)),
                shiftLow4.slice(14, 0)).asUInt();
        UInt field = mux(low4, U(0, 8), mux(top, fieldTop4, fieldBelow4));
        Bool huge = mux(top, hugeTop4, hugeBelow4);
        Bool edge = mux(top, edgeTop4, edgeBelow4);
        UInt window5 = regNext("window_5", aligned);
        UInt shift5 = regNext("shift_5", multiplier);
        Bool dropped5 = regNext("dropped_5", dropped);
        UInt field5 = regNext("field_5", field);
        Bool huge5 = regNext("huge_5", huge);
        Bool edge5 = regNext("edge_5", edge);
        Bits flags5 = regNext("flags_5", flags4);

        // Stage 6: the right shift as a product on a DSP48E2 (the registers around it are its A, B and P
        // registers). Bits 42 and 41 of the product are always zero: a leading one at bit 47 always shifts.
        UInt shifted6 = regNext("shifted_6", window5.mul(shift5).slice(40, 0));
        Bool dropped6 = regNext("dropped_6", dropped5);
        UInt field6 = regNext("field_6", field5);
        Bool huge6 = regNext("huge_6", huge5);
        Bool edge6 = regNext("edge_6", edge5);
        Bits flags6 = regNext("flags_6", flags5);

        // Stage 7: round, pack, specials.
        Bool sticky = shifted6.slice(15, 0).ne(0).or(dropped6);
        FpCircuits.Rounded rounded =
                roundPack(field6, huge6, edge6, shifted6.slice(40, 17), shifted6.bit(16), sticky);
        Bool sign = flags6.bit(3);
        Bool nan = flags6.bit(2);
        Bool inf = flags6.bit(1);
        Bool zero = flags6.bit(0);
        Bits result = mux(nan, FP32.constant(FP32.canonicalNaN()),
                mux(inf.or(rounded.overflow().and(zero.not())), cat(sign, B(FP32.infinity(), 31)),
                        mux(zero, cat(sign, B(0, 31)), cat(sign, rounded.magnitude()))));
        out.payload.set(regNext("y_7", result));
        out.valid.set(Delay.valid("valid", in.valid, LATENCY));
    }

    /**
     * Stage 4's look at the exponent e of the product's bit 47, for a result below the normal range: whether
     * there is one ({@code low}: e <= 1, then the right shift is t = 2 - e, clamped to {@value #SHIFT_ALL}),
     * whether t takes the coarse step ({@code far}: t > {@value #SHIFT_NEAR}), and the one-hot multiplier bits
     * 15..0: 2^(16 - t), or 2^(28 - t) after the step; zero when e >= 2, where stage 5 picks t = 0 or 1 from the
     * product's top bit. Each bit is a comparison of e with one or two constants.
     */
    private static final class Underflow {
        final Bool low;
        final Bool far;
        final UInt multiplier;

        Underflow(SInt e) {
            low = e.le(1);
            far = e.le(2 - SHIFT_NEAR - 1);
            Data[] bits = new Data[SHIFT_NEAR];
            for (int j = 0; j < SHIFT_NEAR; j++) {
                // Bit j is 2^j: t = 16 - j on the multiplier alone, t = 28 - j after the step (t = 28: any more).
                int near = SHIFT_NEAR - j;
                int afterStep = near + SHIFT_STEP;
                Bool bit = e.eq(2 - near);
                if (afterStep > SHIFT_NEAR && afterStep < SHIFT_ALL) {
                    bit = bit.or(e.eq(2 - afterStep));
                } else if (afterStep == SHIFT_ALL) {
                    bit = bit.or(e.le(2 - SHIFT_ALL));
                }
                bits[SHIFT_NEAR - 1 - j] = bit;
            }
            multiplier = cat(bits).asUInt();
        }
    }

    /**
     * Rounds to nearest, ties to even, and packs like {@link FpCircuits#roundPack}, with the sticky bit arriving
     * late (it is the OR of the DSP product's low bits): the carry chain adds the guard bit alone (round half up),
     * and a tie (guard set, sticky clear) then clears the last bit, which turns half up into half to even without
     * a borrow (the sum's last bit is set unless the increment already made it even). The exponent field is the
     * same either way. Overflow needs no compare after the carry chain: {@code huge} (a scale of 255 or more)
     * always overflows, {@code edge} (254, field 253) does when the rounded field reaches 255, its two low bits set.
     *
     * @param field the exponent field before rounding, scale - 1 (0 for a subnormal), at most 253 unless huge
     */
    private static FpCircuits.Rounded roundPack(UInt field, Bool huge, Bool edge, UInt kept, Bool guard,
            Bool sticky) {
        // field x 2^23 + kept + guard on one carry chain: guard enters as the carry of an extra low bit. A field of
        // at most 253 plus a significand of at most 2^24 stays within 31 bits.
        UInt halfUp = cat(field, B(0, 23), TRUE).asUInt().add(cat(kept.zext(31), guard).asUInt()).slice(31, 1);
        Bool tie = guard.and(sticky.not());
        Bits magnitude = cat(halfUp.slice(30, 1), halfUp.bit(0).and(tie.not()));
        Bool overflow = huge.or(edge.and(halfUp.bit(24)).and(halfUp.bit(23)));
        return new FpCircuits.Rounded(magnitude, overflow);
    }

    /**
     * Whether a unit for {@code b} from {@code source} is narrower than the full one: every value of the format is
     * a binary32 normal number (or zero, infinity, NaN) with fewer significand bits. True for binary16; false for
     * binary32 and for bfloat16 (whose subnormals stay subnormal in binary32).
     */
    public static boolean narrows(FpFormat source) {
        int smallestSubnormalExponent = 1 - source.bias() - source.fracBits();
        int fp32MinNormalExponent = 1 - FP32.bias();
        return source.fracBits() < FP32.fracBits() && source.expBits() <= FP32.expBits()
                && smallestSubnormalExponent >= fp32MinNormalExponent;
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow: {@code a * b}. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Operands> in) {
        return apply(name, in, FP32);
    }

    /**
     * Places a unit for {@code b} from {@code bSource} (the narrow one where {@link #narrows} says so, else the
     * full one), named {@code name}, fed by {@code in}; returns its result flow: {@code a * b}.
     */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Operands> in, FpFormat bSource) {
        Fp32Mul unit = Hdl.instance(name, new Fp32Mul(narrows(bSource) ? bSource : FP32));
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** {@code a * b} in a pipeline: valid {@value #LATENCY} cycles after the later operand. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> a, Timed<Bits> b) {
        return apply(name, a, b, FP32);
    }

    /**
     * {@code a * b} in a pipeline where {@code b} is the binary32 value of a {@code bSource} number (a stored value
     * widened): the narrow unit where {@link #narrows} allows it. Valid {@value #LATENCY} cycles after the later
     * operand.
     */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> a, Timed<Bits> b, FpFormat bSource) {
        return Timed.zip(a, b, Operands::new).through(name, LATENCY, new Placer(bSource)::place);
    }

    /**
     * Places units for one source format of b: a method to hand to {@link Timed#through} (a lambda in this class
     * would be taken for the caller's source line in the generated Verilog; a helper class is skipped).
     */
    @ElaborationHelper
    private record Placer(FpFormat bSource) {
        Flow<Bits> place(String name, Flow<Operands> in) {
            return apply(name, in, bSource);
        }
    }

    /** True when bit {@code position} of the 24-bit {@code x} is its leading one (every bit above it zero). */
    private static Bool leadingOneAt(UInt x, int position) {
        Bool one = x.bit(position);
        return position == 23 ? one : one.and(x.slice(23, position + 1).eq(0));
    }
}
