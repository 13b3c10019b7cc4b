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
 * The square of a binary16 value as binary32: the bits of Java's {@code x * x} for {@code x =
 * Float.float16ToFloat(h)}, which is what an {@link Fp16ToFp32} followed by an {@link Fp32Mul} of the value by
 * itself gives, at a fraction of the cost.
 *
 * <p>Why it is exact: a finite binary16 value is m * 2^(E - 10) with an 11-bit integer m (a subnormal normalized
 * first), E from -24 to 15, so x * x = m^2 * 2^(2E - 20) with m^2 below 2^22: it fits binary32's 24-bit
 * significand, and its exponent (2E from -48 to 30) lies inside binary32's normal range. The product needs no
 * rounding, no subnormal result and no overflow. The special cases follow {@link Fp32Mul}: a NaN gives the
 * canonical NaN 0x7FC00000, an infinity +infinity, a zero +0 (the sign of a square is always +).
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: unpack, normalize a subnormal by its 10-bit
 * leading-zero count (1); the 11 x 11 product (1, one DSP48E2); the one-bit normalization and pack (1). Cost: one
 * DSP48E2 and some 60 LUTs, where the conversion and the general multiplier take two DSP48E2 and about 520 LUTs.
 */
public final class Fp16Square extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 3;

    /** The input ({@code in_valid}, {@code in_payload}): binary16 bits. */
    public final Flow<Bits> in = in("in", Flow.of(bits(16)));
    /** {@code x * x} ({@code out_valid}, {@code out_payload}): binary32 bits, {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public Fp16Square() {
        Bits h = in.payload;
        // Stage 1: m in [2^10, 2^11) and E (value = m * 2^(E - 10)), read off the exact binary32 widening
        // (FpConvert normalizes a subnormal): a binary16 value leaves all but the top 10 fraction bits zero, and
        // its unbiased exponent is -24 to 15.
        Bits wide = FpConvert.toFp32(FP16, h);
        UInt m1 = regNext("m_1", cat(TRUE, FP32.fraction(wide).asBits().slice(22, 13)).asUInt());
        SInt e1 = regNext("e_1", FP32.exponent(wide).toSInt().sub(S(127, 9)).resize(6));
        Bits flags1 = regNext("flags_1", cat(FP16.isNaN(h), FP16.isInfinite(h), FP16.isZero(h)));

        // Stage 2: m^2 in [2^20, 2^22).
        UInt square2 = regNext("square_2", m1.mul(m1));
        attribute(square2, "use_dsp", "yes");
        SInt e2 = regNext("e_2", e1);
        Bits flags2 = regNext("flags_2", flags1);

        // Stage 3: leading one at bit 21 or 20; biased exponent 2E + 127 (+ 1 for bit 21), 79 to 158.
        Bool top = square2.bit(21);
        Bits fractionOut = mux(top, cat(square2.slice(20, 0), B(0, 2)), cat(square2.slice(19, 0), B(0, 3)));
        UInt biased = e2.sext(9).add(e2.sext(9)).add(S(127, 9)).asUInt().add(top.asUInt().zext(9)).resize(8);
        Bits finite = cat(FALSE, biased.asBits(), fractionOut);
        Bits result = mux(flags2.bit(2), FP32.constant(FP32.canonicalNaN()),
                mux(flags2.bit(1), cat(FALSE, B(FP32.infinity(), 31)),
                        mux(flags2.bit(0), B(0, 32), finite)));
        out.payload.set(regNext("y_3", result));
        out.valid.set(Delay.valid("valid", in.valid, LATENCY));
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow: the squares. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Bits> in) {
        Fp16Square unit = Hdl.instance(name, new Fp16Square());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** The square of a binary16 pattern in a pipeline: binary32, valid {@value #LATENCY} cycles after {@code x}. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x) {
        return x.through(name, LATENCY, Fp16Square::apply);
    }
}
