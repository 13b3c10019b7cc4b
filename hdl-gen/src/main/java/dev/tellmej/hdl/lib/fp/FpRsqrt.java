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
 * 1.5 - b (6); y0 * c (7); scale2 (2); special cases (1). Cost: four {@link Fp32Mul} (sixteen DSP48E2), two
 * {@link Fp32Add}, a 64 x 64 ROM in LUTs, delay lines.
 *
 * <p>{@link FpSchedule#SHARED} ({@code FpRsqrt_shared}) runs the six steps on one {@code Fp32Mul} and one
 * {@code Fp32Add} ({@link Fp32SharedOps}): the same results, {@value #SHARED_LATENCY} cycles later (each
 * step's operands go through the shared units' register); an input at most every {@value #SHARED_LATENCY}
 * cycles (two inputs 8, 15, 23 or 38 cycles apart would collide).
 */
public final class FpRsqrt extends Module {
    /**
     * Cycles from {@code in_valid} to {@code out_valid} of the pipelined unit; derived from the pipeline and checked
     * at elaboration.
     */
    public static final int LATENCY = 46;
    /** The same for {@link FpSchedule#SHARED}: the six steps in a row, each a register later. */
    public static final int SHARED_LATENCY = LATENCY + 6 * Fp32SharedOps.OPERAND_REGISTER;

    /** This unit's cycles from {@code in_valid} to {@code out_valid}: {@link #latency(FpSchedule)} of its schedule. */
    public final int latency;

    /** x ({@code in_valid}, {@code in_payload}, binary32). */
    public final Flow<Bits> in = in("in", Flow.of(bits(32)));
    /** 1/sqrt(x) ({@code out_valid}, {@code out_payload}, binary32), {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    /** The pipelined unit: one input per cycle. */
    public FpRsqrt() {
        this(FpSchedule.PIPELINED);
    }

    public FpRsqrt(FpSchedule schedule) {
        if (schedule == FpSchedule.SHARED) {
            param("", "shared");
        }
        Pipeline pipe = new Pipeline("valid", in.valid);
        Fp32Ops ops = schedule == FpSchedule.SHARED ? new Fp32SharedOps(pipe, "newton") : Fp32Ops.pipelined();
        latency = latency(schedule);
        build("", pipe.input("x", in.payload), ops).flow(latency).connectTo(out);
    }

    /**
     * Builds 1/sqrt(x) into the module under construction: {@code x} (binary32) as its pipeline has it, the result
     * {@value #LATENCY} cycles later. Register and unit names start with {@code prefix}; the six multiplies and
     * adds go to {@code ops} (a user with shared units may issue its own operations on them around these).
     */
    @ElaborationHelper
    public static Timed<Bits> build(String prefix, Timed<Bits> x, Fp32Ops ops) {
        Pipeline pipe = x.pipeline();
        int c0 = x.cycle();
        Bits v = x.value();

        // Stage A: classify; leading zeros of a subnormal's fraction.
        Bool nan = FP32.isNaN(v).or(FP32.sign(v).and(FP32.isZero(v).not()));
        Bool zero = FP32.isZero(v);
        Bool infinite = FP32.isInfinite(v).and(FP32.sign(v).not());
        Bits casesA = regNext(prefix + "cases_a", cat(nan, zero, infinite));
        Bool signA = regNext(prefix + "sign_a", FP32.sign(v));
        UInt exponentA = regNext(prefix + "exponent_a", FP32.exponent(v));
        UInt fractionA = regNext(prefix + "fraction_a", FP32.fraction(v));
        UInt lzA = regNext(prefix + "lz_a", FpCircuits.leadingZeros(FP32.fraction(v).asBits()));

        // Stage B: E and the normalized fraction; parity; h = 0.5 * m' = 1.frac * 2^(odd - 1); -E'/2.
        Bool subnormal = exponentA.eq(0);
        UInt shift = lzA.add(1);
        UInt fraction = mux(subnormal, fractionA.shlKeep(shift), fractionA);
        // E = e - 127 for a normal, -126 - shift for a subnormal (10-bit two's complement).
        SInt exponent = mux(subnormal, U(1024 - 126, 10).sub(shift.zext(10)), exponentA.zext(10).sub(127)).asSInt();
        Bool odd = exponent.bit(0);
        SInt evenExponent = exponent.sub(odd.asUInt().zext(10).asSInt());
        SInt minusHalf = evenExponent.shr(1).neg();
        UInt fractionB = regNext(prefix + "fraction_b", fraction);
        Bool oddB = regNext(prefix + "odd_b", odd);
        SInt minusHalfB = regNext(prefix + "minus_half_b", minusHalf);
        Bits casesB = regNext(prefix + "cases_b", casesA);
        Bool signB = regNext(prefix + "sign_b", signA);

        // Stage C: the table word for i = 32 * odd + (frac >> 18); u = (frac & 0x3FFFF) * 2^-18; h.
        Mem<Bits> table = mem(prefix + "rom", bits(64), FpTables.RSQRT_ENTRIES).style(RamStyle.DISTRIBUTED)
                .init(FpTables.words(FpTables.RSQRT_ENTRIES, FpTables::rsqrtValue, FpTables::rsqrtSlope));
        int c = c0 + 3;   // after the registers of stages A, B and C
        Timed<Bits> word = pipe.at(c, prefix + "rom_word",
                table.readSync(prefix + "rom_word", cat(oddB, fractionB.slice(22, 18)).asUInt()));
        Timed<Bits> u = pipe.at(c, prefix + "u", regNext(prefix + "u_c",
                FpCircuits.fixedToFp32(fractionB.slice(17, 0), 18)));
        Timed<Bits> h = pipe.at(c, prefix + "h", regNext(prefix + "h_c", cat(FALSE, B(0b0111111, 7), oddB,
                fractionB)));
        Timed<SInt> halfExponent = pipe.at(c, prefix + "minus_half", regNext(prefix + "minus_half_c", minusHalfB));
        Timed<Bits> cases = pipe.at(c, prefix + "cases", regNext(prefix + "cases_c", casesB));
        Timed<Bool> sign = pipe.at(c, prefix + "sign", regNext(prefix + "sign_c", signB));

        // y0 = V[i] + D[i] * u; Newton: a = y0 * y0, b = h * a, c = 1.5 - b, y1 = y0 * c.
        Timed<Bits> y0 = ops.chord(prefix + "chord", word, u).named(prefix + "y0");
        Timed<Bits> a = ops.mul(prefix + "square_mul", y0, y0);
        Timed<Bits> b = ops.mul(prefix + "half_mul", h, a);
        Timed<Bits> correction = ops.add(prefix + "newton_sub", pipe.steady(FpFormat.fp32(1.5f)),
                b.map(FP32::negate));
        Timed<Bits> y1 = ops.mul(prefix + "refine_mul", y0, correction);

        // scale2(y1, -E'/2); the special cases.
        Timed<Bits> scaled = FpScale2.apply(prefix + "scale2", y1, halfExponent);
        return Timed.zip(cases, sign, scaled, (k, s, y) -> mux(k.bit(2), FP32.constant(FP32.canonicalNaN()),
                        mux(k.bit(1), cat(s, B(FP32.infinity(), 31)), mux(k.bit(0), B(0, 32), y))))
                .stage(prefix + "y_out");
    }

    /** Cycles from an input to its result for a unit of {@code schedule}. */
    public static int latency(FpSchedule schedule) {
        return schedule == FpSchedule.SHARED ? SHARED_LATENCY : LATENCY;
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Bits> in) {
        FpRsqrt unit = Hdl.instance(name, new FpRsqrt());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** 1/sqrt(x) in a pipeline: valid {@value #LATENCY} cycles after x. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x) {
        return apply(name, x, FpSchedule.PIPELINED);
    }

    /** 1/sqrt(x) in a pipeline by a unit of the given schedule: valid {@link #latency(FpSchedule)} cycles after x. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x, FpSchedule schedule) {
        return x.through(name, latency(schedule), (n, flow) -> {
            FpRsqrt unit = Hdl.instance(n, new FpRsqrt(schedule));
            Hdl.assign(unit.in, flow);
            return unit.out;
        });
    }
}
