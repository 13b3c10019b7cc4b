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
 * 1/sqrt(x) by the algorithm of NUMERICS.md N11, bit for bit: x = m * 2^E (subnormals normalized); for odd
 * E, {@code m' = 2m} and {@code E' = E - 1}, else {@code m' = m}, {@code E' = E}; index
 * {@code i = 32 * (E & 1) + (frac >> 18)}, {@code u = (frac & 0x3FFFF) * 2^-18};
 * {@code y0 = V[i] + D[i] * u} from a 64-entry ROM of {@link FpTables}; one Newton step
 * {@code h = 0.5 * m'} (exact), {@code a = y0 * y0}, {@code b = h * a}, {@code c = 1.5 - b}, {@code y1 = y0 * c};
 * result {@code scale2(y1, -E'/2)}. Special cases: NaN and negative inputs (-infinity included) give the
 * canonical NaN, +0 gives +infinity, -0 gives -infinity, +infinity gives +0.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: classify and count leading zeros (1);
 * normalize, index, h (1); u and the table read (1); D[i] * u (7); + V[i] (6); y0 * y0 (7); h * a (7);
 * 1.5 - b (6); y0 * c (7); scale2 (2); special cases (1). Cost: four {@link Fp32Mul} (eight DSP48E2), two
 * {@link Fp32Add}, a 64 x 64 ROM in LUTs, delay lines.
 */
public final class FpRsqrt extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 3 + 4 * Fp32Mul.LATENCY + 2 * Fp32Add.LATENCY + FpScale2.LATENCY + 1;

    public final Bool inValid = in("in_valid", bool());
    public final Bits x = in("x", bits(32));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(32));

    public FpRsqrt() {
        // Stage A: classify; leading zeros of a subnormal's fraction.
        Bool nan = FP32.isNaN(x).or(FP32.sign(x).and(FP32.isZero(x).not()));
        Bool zero = FP32.isZero(x);
        Bool infinite = FP32.isInfinite(x).and(FP32.sign(x).not());
        Bits casesA = regNext("cases_a", cat(nan, zero, infinite));
        Bool signA = regNext("sign_a", FP32.sign(x));
        UInt exponentA = regNext("exponent_a", FP32.exponent(x));
        UInt fractionA = regNext("fraction_a", FP32.fraction(x));
        UInt lzA = regNext("lz_a", FpCircuits.leadingZeros(FP32.fraction(x).asBits()));
        Bool validA = regNext("valid_a", inValid, 0);

        // Stage B: E and the normalized fraction; parity; h = 0.5 * m' = 1.frac * 2^(odd - 1); -E'/2.
        Bool subnormal = exponentA.eq(0);
        UInt shift = lzA.add(1);
        UInt fraction = mux(subnormal, fractionA.shlKeep(shift), fractionA);
        // E = e - 127 for a normal, -126 - shift for a subnormal (10-bit two's complement).
        SInt exponent = mux(subnormal, U(1024 - 126, 10).sub(shift.zext(10)), exponentA.zext(10).sub(127)).asSInt();
        Bool odd = exponent.bit(0);
        SInt evenExponent = exponent.sub(odd.asUInt().zext(10).asSInt());
        SInt minusHalf = evenExponent.shr(1).neg();
        UInt fractionB = regNext("fraction_b", fraction);
        Bool oddB = regNext("odd_b", odd);
        SInt minusHalfB = regNext("minus_half_b", minusHalf);
        Bits casesB = regNext("cases_b", casesA);
        Bool signB = regNext("sign_b", signA);
        Bool validB = regNext("valid_b", validA, 0);

        // Stage C: the table word for i = 32 * odd + (frac >> 18); u = (frac & 0x3FFFF) * 2^-18; h.
        Mem<Bits> table = mem("rom", bits(64), FpTables.RSQRT_ENTRIES).style(RamStyle.DISTRIBUTED)
                .init(FpTables.words(FpTables.RSQRT_ENTRIES, FpTables::rsqrtValue, FpTables::rsqrtSlope));
        Bits word = table.readSync("rom_word", cat(oddB, fractionB.slice(22, 18)).asUInt());
        Bits uC = regNext("u_c", FpCircuits.fixedToFp32(fractionB.slice(17, 0), 18));
        Bits hC = regNext("h_c", cat(FALSE, B(0b0111111, 7), oddB, fractionB));
        SInt minusHalfC = regNext("minus_half_c", minusHalfB);
        Bits casesC = regNext("cases_c", casesB);
        Bool signC = regNext("sign_c", signB);
        Bool validC = regNext("valid_c", validB, 0);

        // y0 = V[i] + D[i] * u.
        FpChord chord = instance("chord", new FpChord());
        chord.inValid.set(validC);
        chord.word.set(word);
        chord.u.set(uC);
        Bits y0 = chord.y;

        // Newton: a = y0 * y0; b = h * a; c = 1.5 - b; y1 = y0 * c.
        Fp32Mul square = instance("square_mul", new Fp32Mul());
        square.inValid.set(chord.outValid);
        square.a.set(y0);
        square.b.set(y0);
        Fp32Mul half = instance("half_mul", new Fp32Mul());
        half.inValid.set(square.outValid);
        half.a.set(Delay.of("h", hC, 2 * Fp32Mul.LATENCY + Fp32Add.LATENCY));
        half.b.set(square.y);
        Fp32Add correction = instance("newton_sub", new Fp32Add());
        correction.inValid.set(half.outValid);
        correction.a.set(FP32.constant(Float.floatToRawIntBits(1.5f)));
        correction.b.set(FP32.negate(half.y));
        Fp32Mul refine = instance("refine_mul", new Fp32Mul());
        refine.inValid.set(correction.outValid);
        refine.a.set(Delay.of("y0", y0, 2 * Fp32Mul.LATENCY + Fp32Add.LATENCY));
        refine.b.set(correction.y);

        // scale2(y1, -E'/2).
        int toScale = 4 * Fp32Mul.LATENCY + 2 * Fp32Add.LATENCY;
        FpScale2 scale2 = instance("scale2", new FpScale2(9));
        scale2.inValid.set(refine.outValid);
        scale2.r.set(refine.y);
        scale2.n.set(Delay.of("minus_half", minusHalfC, toScale));

        Bits cases = Delay.of("cases", casesC, toScale + FpScale2.LATENCY);
        Bool sign = Delay.of("sign", signC, toScale + FpScale2.LATENCY);
        Bits result = mux(cases.bit(2), FP32.constant(FP32.canonicalNaN()),
                mux(cases.bit(1), cat(sign, B(FP32.infinity(), 31)),
                        mux(cases.bit(0), B(0, 32), scale2.y)));
        y.set(regNext("y_out", result));
        outValid.set(regNext("valid_out", scale2.outValid, 0));
    }
}
