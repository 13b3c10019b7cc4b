package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP16;
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
 * The product of two binary16 values as binary32: the bits of Java's {@code x * y} for {@code x =
 * Float.float16ToFloat(a)}, {@code y = Float.float16ToFloat(b)}, which is what two {@link Fp16ToFp32} followed by
 * an {@link Fp32Mul} give, at a fraction of the cost. The attention unit's score pass multiplies stored queries
 * by stored keys with it.
 *
 * <p>Why it is exact: a finite binary16 value is m * 2^(E - 10) with an 11-bit integer m (a subnormal normalized
 * first), E from -24 to 15, so x * y = m_x m_y * 2^(E_x + E_y - 20) with m_x m_y below 2^22: it fits binary32's
 * 24-bit significand, and its exponent (-48 to 30) lies inside binary32's normal range. The product needs no
 * rounding, no subnormal result and no overflow. The special cases follow {@link Fp32Mul}: a NaN operand or
 * infinity times zero gives the canonical NaN 0x7FC00000, an infinity otherwise a signed infinity, a zero a signed
 * zero (the sign is always the exclusive or of the operands').
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: unpack, normalize a subnormal (through the exact
 * binary32 widening), classify (1); the 11 x 11 product (1, one DSP48E2); the one-bit normalization and pack
 * (1). Cost: one DSP48E2 and under a hundred LUTs, where the two conversions and the general multiplier take two
 * DSP48E2 and about 520 LUTs.
 */
public final class Fp16Product extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 3;

    /** The operands ({@code in_valid}, {@code in_payload_a}, {@code in_payload_b}): binary16 bits each. */
    public final Flow<Operands> in = in("in", Flow.of(new Operands(bits(16), bits(16))));
    /** {@code a * b} ({@code out_valid}, {@code out_payload}): binary32 bits, {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public Fp16Product() {
        Bits a = in.payload.a();
        Bits b = in.payload.b();
        // Stage 1: each m in [2^10, 2^11) and E (value = m * 2^(E - 10)), read off the exact binary32 widening
        // (FpConvert normalizes a subnormal); the classes of the operands and the product's sign.
        Bits wideA = FpConvert.toFp32(FP16, a);
        Bits wideB = FpConvert.toFp32(FP16, b);
        UInt mA = regNext("m_a_1", cat(TRUE, FP32.fraction(wideA).asBits().slice(22, 13)).asUInt());
        UInt mB = regNext("m_b_1", cat(TRUE, FP32.fraction(wideB).asBits().slice(22, 13)).asUInt());
        // E_a + E_b (-48 to 30) in 7 bits, signed.
        SInt e1 = regNext("e_1", FP32.exponent(wideA).toSInt().sub(S(127, 9)).resize(7)
                .add(FP32.exponent(wideB).toSInt().sub(S(127, 9)).resize(7)).resize(7));
        Bool nan = FP16.isNaN(a).or(FP16.isNaN(b))
                .or(FP16.isInfinite(a).and(FP16.isZero(b))).or(FP16.isZero(a).and(FP16.isInfinite(b)));
        Bool infinite = FP16.isInfinite(a).or(FP16.isInfinite(b));
        Bool zero = FP16.isZero(a).or(FP16.isZero(b));
        Bits flags1 = regNext("flags_1", cat(nan, infinite, zero));
        Bool sign1 = regNext("sign_1", a.bit(15).xor(b.bit(15)));

        // Stage 2: m_a m_b in [2^20, 2^22).
        UInt product2 = regNext("product_2", mA.mul(mB));
        attribute(product2, "use_dsp", "yes");
        SInt e2 = regNext("e_2", e1);
        Bits flags2 = regNext("flags_2", flags1);
        Bool sign2 = regNext("sign_2", sign1);

        // Stage 3: leading one at bit 21 or 20; biased exponent E_a + E_b + 127 (+ 1 for bit 21), 79 to 158.
        Bool top = product2.bit(21);
        Bits fractionOut = mux(top, cat(product2.slice(20, 0), B(0, 2)), cat(product2.slice(19, 0), B(0, 3)));
        UInt biased = e2.sext(9).add(S(127, 9)).asUInt().add(top.asUInt().zext(9)).resize(8);
        Bits finite = cat(sign2, biased.asBits(), fractionOut);
        Bits result = mux(flags2.bit(2), FP32.constant(FP32.canonicalNaN()),
                mux(flags2.bit(1), cat(sign2, B(FP32.infinity(), 31)),
                        mux(flags2.bit(0), cat(sign2, B(0, 31)), finite)));
        out.payload.set(regNext("y_3", result));
        out.valid.set(Delay.valid("valid", in.valid, LATENCY));
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow: the products. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Operands> in) {
        Fp16Product unit = Hdl.instance(name, new Fp16Product());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** {@code a * b} of two binary16 patterns in a pipeline: binary32, valid {@value #LATENCY} cycles after both. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> a, Timed<Bits> b) {
        return Timed.zip(a, b, Operands::new).through(name, LATENCY, Fp16Product::apply);
    }
}
