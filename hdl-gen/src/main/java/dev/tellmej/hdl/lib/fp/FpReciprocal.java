package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Delay;

/**
 * 1/x by the algorithm of NUMERICS.md N10, bit for bit: |x| = m * 2^E with m in [1, 2) (a subnormal is
 * normalized by its leading-zero count); {@code i} = the top 6 fraction bits, {@code u} = the other 17 bits
 * times 2^-17; {@code y0 = V[i] + D[i] * u} from a 64-entry ROM of {@link FpTables}; one Newton step
 * {@code p = m * y0}, {@code q = 2 - p}, {@code y1 = y0 * q}; result {@code sign(x) * scale2(y1, -E)}
 * ({@link FpScale2}: 1/x of a tiny subnormal overflows to infinity, 1/x of x > 2^126 is a rounded subnormal).
 * Special cases: NaN gives the canonical NaN, ±0 gives ±infinity, ±infinity gives ±0.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: classify and count leading zeros (1);
 * normalize, index (1); u and the table read (1); D[i] * u (7); + V[i] (6); m * y0 (7); 2 - p (6); y0 * q (7);
 * scale2 (2); special cases (1). Cost: three {@link Fp32Mul} (six DSP48E2), two {@link Fp32Add}, a 64 x 64
 * ROM in LUTs, delay lines.
 */
public final class FpReciprocal extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 3 + 3 * Fp32Mul.LATENCY + 2 * Fp32Add.LATENCY + FpScale2.LATENCY + 1;

    public final Bool inValid = in("in_valid", bool());
    public final Bits x = in("x", bits(32));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(32));

    public FpReciprocal() {
        // Stage A: classify; leading zeros of a subnormal's fraction.
        Bits casesA = regNext("cases_a", cat(FP32.isNaN(x), FP32.isInfinite(x), FP32.isZero(x)));
        Bool signA = regNext("sign_a", FP32.sign(x));
        UInt exponentA = regNext("exponent_a", FP32.exponent(x));
        UInt fractionA = regNext("fraction_a", FP32.fraction(x));
        UInt lzA = regNext("lz_a", FpCircuits.leadingZeros(FP32.fraction(x).asBits()));
        Bool validA = regNext("valid_a", inValid, 0);

        // Stage B: m = 1.frac in [1, 2), -E; a subnormal shifts its leading one out of the fraction.
        Bool subnormal = exponentA.eq(0);
        UInt shift = lzA.add(1);
        UInt fraction = mux(subnormal, fractionA.shlKeep(shift), fractionA);
        // -E = 127 - e for a normal; 126 + shift for a subnormal (E = -126 - shift).
        SInt minusE = mux(subnormal, U(126, 10).add(shift.zext(10)), U(127, 10).sub(exponentA.zext(10))).asSInt();
        UInt fractionB = regNext("fraction_b", fraction);
        SInt minusEB = regNext("minus_e_b", minusE);
        Bits casesB = regNext("cases_b", casesA);
        Bool signB = regNext("sign_b", signA);
        Bool validB = regNext("valid_b", validA, 0);

        // Stage C: the table word for i = frac >> 17; u = (frac & 0x1FFFF) * 2^-17; m.
        Mem<Bits> table = mem("rom", bits(64), FpTables.RECIPROCAL_ENTRIES).style(RamStyle.DISTRIBUTED)
                .init(FpTables.words(FpTables.RECIPROCAL_ENTRIES, FpTables::reciprocalValue, FpTables::reciprocalSlope));
        Bits word = table.readSync("rom_word", fractionB.slice(22, 17));
        Bits uC = regNext("u_c", FpCircuits.fixedToFp32(fractionB.slice(16, 0), 17));
        Bits mC = regNext("m_c", cat(B(127, 9), fractionB));
        SInt minusEC = regNext("minus_e_c", minusEB);
        Bits casesC = regNext("cases_c", casesB);
        Bool signC = regNext("sign_c", signB);
        Bool validC = regNext("valid_c", validB, 0);

        // y0 = V[i] + D[i] * u.
        FpChord chord = instance("chord", new FpChord());
        chord.inValid.set(validC);
        chord.word.set(word);
        chord.u.set(uC);
        Bits y0 = chord.y;

        // Newton: p = m * y0; q = 2 - p; y1 = y0 * q.
        Fp32Mul product = instance("newton_mul", new Fp32Mul());
        product.inValid.set(chord.outValid);
        product.a.set(Delay.of("m", mC, Fp32Mul.LATENCY + Fp32Add.LATENCY));
        product.b.set(y0);
        Fp32Add correction = instance("newton_sub", new Fp32Add());
        correction.inValid.set(product.outValid);
        correction.a.set(FP32.constant(Float.floatToRawIntBits(2f)));
        correction.b.set(FP32.negate(product.y));
        Fp32Mul refine = instance("refine_mul", new Fp32Mul());
        refine.inValid.set(correction.outValid);
        refine.a.set(Delay.of("y0", y0, Fp32Mul.LATENCY + Fp32Add.LATENCY));
        refine.b.set(correction.y);

        // sign(x) * scale2(y1, -E).
        int toScale = 3 * Fp32Mul.LATENCY + 2 * Fp32Add.LATENCY;
        FpScale2 scale2 = instance("scale2", new FpScale2(10));
        scale2.inValid.set(refine.outValid);
        scale2.r.set(refine.y);
        scale2.n.set(Delay.of("minus_e", minusEC, toScale));

        Bits cases = Delay.of("cases", casesC, toScale + FpScale2.LATENCY);
        Bool sign = Delay.of("sign", signC, toScale + FpScale2.LATENCY);
        Bits result = mux(cases.bit(2), FP32.constant(FP32.canonicalNaN()),
                mux(cases.bit(1), cat(sign, B(0, 31)),
                        mux(cases.bit(0), cat(sign, B(FP32.infinity(), 31)), cat(sign, FP32.magnitude(scale2.y)))));
        y.set(regNext("y_out", result));
        outValid.set(regNext("valid_out", scale2.outValid, 0));
    }
}
