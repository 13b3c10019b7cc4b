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
 * Binary32 multiplication {@code y = a * b}, exactly Java's {@code float *}: round to nearest, ties to even,
 * subnormal inputs and results kept (gradual underflow), overflow to infinity, {@code inf * 0} and any NaN
 * input giving the canonical NaN 0x7FC00000 (NUMERICS.md N2).
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle, {@code out.valid} follows {@code in.valid}:
 * <ol>
 *   <li>unpack, classify, count the leading zeros of the significand that may be subnormal (two subnormals
 *       give zero, so at most one needs it);
 *   <li>normalize it to [2^23, 2^24) and sum the exponents (the multiplier's input registers);
 *   <li>24 x 24 product (the multiplier's M register);
 *   <li>product register (P);
 *   <li>one-bit normalization, the bits below the guard bit folded into a sticky bit; how far an underflowing
 *       result must shift right;
 *   <li>the right shift (26 bits) into the subnormal range, with sticky;
 *   <li>round to nearest even, pack, substitute specials (output register).
 * </ol>
 * Cost: two DSP48E2 for the 24 x 24 significand product (Yosys splits it into a 24 x 17 and a 24 x 7 slice),
 * 450 LUTs (Yosys {@code synth_xilinx -family xcup}) and about 300 flip-flops of pipeline around it.
 */
public final class Fp32Mul extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 7;

    /** The operands (ports {@code in_valid}, {@code in_payload_a}, {@code in_payload_b}): binary32 a and b. */
    public final Flow<Operands> in = in("in", Flow.of(Operands.fp32()));
    /** The product ({@code out_valid}, {@code out_payload}), {@value #LATENCY} cycles after its operands. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public Fp32Mul() {
        Bits a = in.payload.a();
        Bits b = in.payload.b();
        // Stage 1: unpack and classify.
        Bool nanIn = FP32.isNaN(a).or(FP32.isNaN(b))
                .or(FP32.isInfinite(a).and(FP32.isZero(b)))
                .or(FP32.isInfinite(b).and(FP32.isZero(a)));
        Bool infIn = FP32.isInfinite(a).or(FP32.isInfinite(b)).and(nanIn.not());
        // Two subnormals multiply to less than 2^-252, which rounds to zero: only one significand ever needs
        // normalizing, the subnormal one's if there is one (x), and the other (y) goes to the multiplier as it is.
        Bool aSubnormal = FP32.exponent(a).eq(0);
        Bool bothSubnormal = aSubnormal.and(FP32.exponent(b).eq(0));
        Bool zeroIn = FP32.isZero(a).or(FP32.isZero(b)).or(bothSubnormal).and(nanIn.not()).and(infIn.not());
        UInt x = mux(aSubnormal, FP32.significand(a), FP32.significand(b));
        UInt y = mux(aSubnormal, FP32.significand(b), FP32.significand(a));
        Bool sign1 = regNext("sign_1", FP32.sign(a).xor(FP32.sign(b)));
        Bool nan1 = regNext("nan_1", nanIn);
        Bool inf1 = regNext("inf_1", infIn);
        Bool zero1 = regNext("zero_1", zeroIn);
        UInt mx1 = regNext("mx_1", x);
        UInt my1 = regNext("my_1", y);
        UInt ea1 = regNext("ea_1", FP32.scaleExponent(a));
        UInt eb1 = regNext("eb_1", FP32.scaleExponent(b));
        UInt lz1 = regNext("lz_1", FpCircuits.leadingZeros(x.asBits()));

        // Stage 2: x normalized to [2^23, 2^24) (y already is, or the result is zero); exponent of the product's
        // bit 47. value = mx * my * 2^(ea' + eb' - 300), so a leading one at bit 47 has biased exponent
        // ea' + eb' - 126.
        UInt ma2 = regNext("ma_2", mx1.shlKeep(lz1));
        UInt mb2 = regNext("mb_2", my1);
        SInt exponentSum = ea1.toSInt().sext(11).add(eb1.toSInt().sext(11))
                .sub(lz1.toSInt().sext(11)).sub(S(126, 11));
        SInt e2 = regNext("e_2", exponentSum);
        Bits flags2 = regNext("flags_2", cat(sign1, nan1, inf1, zero1));

        // Stages 3 and 4: the product, registered twice (the DSP's M and P registers).
        UInt product3 = regNext("product_3", ma2.mul(mb2));
        attribute(product3, "use_dsp", "yes");
        UInt product4 = regNext("product_4", product3);
        SInt e4 = Delay.of("e", e2, 2);
        Bits flags4 = Delay.of("flags", flags2, 2);

        // Stage 5: the product is in [2^46, 2^48): bring its leading one to bit 47. A result below the normal
        // range (exponent < 1) shifts right by 1 - exponent into the subnormals; beyond 26 bits nothing is left
        // but the sticky bit, so the amount is clamped.
        Bool top = product4.bit(47);
        // Only the 24 kept bits and the guard bit are needed from the normalized product; every bit below them
        // can only ever be sticky, so they are OR-ed into one bit here and the shift below is 26 bits wide.
        Bool lowBits = product4.slice(21, 0).ne(0);
        UInt compressed = mux(top,
                cat(product4.slice(47, 23), product4.bit(22).or(lowBits)).asUInt(),
                cat(product4.slice(46, 22), lowBits).asUInt());
        SInt exponent = mux(top, e4, e4.sub(1));
        Bool underflow = exponent.lt(1);
        UInt shiftWide = S(1, 11).sub(exponent).asUInt();
        UInt shift = mux(underflow, FpCircuits.clamp(shiftWide, 26).resize(5), U(0, 5));
        UInt scaleExp = mux(underflow, U(1, 10), exponent.asUInt().resize(10));
        UInt n5 = regNext("n_5", compressed);
        UInt shift5 = regNext("shift_5", shift);
        UInt scale5 = regNext("scale_5", scaleExp);
        Bits flags5 = regNext("flags_5", flags4);

        // Stage 6: shift into the subnormal range; keep 24 bits, a guard bit and a sticky bit.
        FpCircuits.Cut cut = FpCircuits.cutRight(n5, shift5);
        UInt kept6 = regNext("kept_6", cut.kept().slice(25, 2));
        Bool guard6 = regNext("guard_6", cut.kept().bit(1));
        Bool sticky6 = regNext("sticky_6", cut.kept().bit(0).or(cut.guard()).or(cut.sticky()));
        UInt scale6 = regNext("scale_6", scale5);
        Bits flags6 = regNext("flags_6", flags5);

        // Stage 7: round, pack, specials.
        FpCircuits.Rounded rounded = FpCircuits.roundPack(scale6, new FpCircuits.Cut(kept6, guard6, sticky6), 8, 23);
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

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow: {@code a * b}. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Operands> in) {
        Fp32Mul unit = Hdl.instance(name, new Fp32Mul());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** {@code a * b} in a pipeline: valid {@value #LATENCY} cycles after the later operand. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> a, Timed<Bits> b) {
        return Timed.zip(a, b, Operands::new).through(name, LATENCY, Fp32Mul::apply);
    }
}
