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
 * 1/x by the algorithm of NUMERICS.md N10, bit for bit: |x| = m * 2^E with m in [1, 2) (a subnormal is
 * normalized by its leading-zero count); {@code i} = the top 6 fraction bits, {@code u} = the other 17 bits
 * times 2^-17; {@code y0 = V[i] + D[i] * u} from a 64-entry ROM of {@link FpTables}; one Newton step
 * {@code p = m * y0}, {@code q = 2 - p}, {@code y1 = y0 * q}; result {@code sign(x) * scale2(y1, -E)}
 * ({@link FpScale2}: 1/x of a tiny subnormal overflows to infinity, 1/x of x > 2^126 is a rounded subnormal).
 * Special cases: NaN gives the canonical NaN, ±0 gives ±infinity, ±infinity gives ±0.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: classify and count leading zeros (1);
 * normalize, index (1); u and the table read (1); D[i] * u (7); + V[i] (6); m * y0 (7); 2 - p (6); y0 * q (7);
 * scale2 (2); special cases (1). Cost: three {@link Fp32Mul} (twelve DSP48E2), two {@link Fp32Add}, a 64 x 64
 * ROM in LUTs, delay lines.
 *
 * <p>{@link FpSchedule#SHARED} ({@code FpReciprocal_shared}) runs the five steps on one {@code Fp32Mul} and one
 * {@code Fp32Add} ({@link Fp32SharedOps}): the same results, {@value #SHARED_LATENCY} cycles later (each
 * step's operands go through the shared units' register); an input at most every
 * {@value #SHARED_LATENCY} cycles (two inputs 15 or 30 cycles apart would collide).
 */
public final class FpReciprocal extends Module {
    /**
     * Cycles from {@code in_valid} to {@code out_valid} of the pipelined unit; derived from the pipeline and checked
     * at elaboration.
     */
    public static final int LATENCY = 39;
    /** The same for {@link FpSchedule#SHARED}: the five steps in a row, each a register later. */
    public static final int SHARED_LATENCY = LATENCY + 5 * Fp32SharedOps.OPERAND_REGISTER;

    /** This unit's cycles from {@code in_valid} to {@code out_valid}: {@link #latency(FpSchedule)} of its schedule. */
    public final int latency;

    /** x ({@code in_valid}, {@code in_payload}, binary32). */
    public final Flow<Bits> in = in("in", Flow.of(bits(32)));
    /** 1/x ({@code out_valid}, {@code out_payload}, binary32), {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    /** The pipelined unit: one input per cycle. */
    public FpReciprocal() {
        this(FpSchedule.PIPELINED);
    }

    public FpReciprocal(FpSchedule schedule) {
        if (schedule == FpSchedule.SHARED) {
            param("", "shared");
        }
        Pipeline pipe = new Pipeline("valid", in.valid);
        Fp32Ops ops = schedule == FpSchedule.SHARED ? new Fp32SharedOps(pipe, "newton") : Fp32Ops.pipelined();
        latency = latency(schedule);
        build("", pipe.input("x", in.payload), ops).flow(latency).connectTo(out);
    }

    /**
     * Builds 1/x into the module under construction: {@code x} (binary32) as its pipeline has it, the result
     * {@value #LATENCY} cycles later. Register and unit names start with {@code prefix}; the five multiplies and
     * adds go to {@code ops} (a user with shared units may issue its own operations on them around these).
     */
    @ElaborationHelper
    public static Timed<Bits> build(String prefix, Timed<Bits> x, Fp32Ops ops) {
        Pipeline pipe = x.pipeline();
        int c0 = x.cycle();
        Bits v = x.value();

        // Stage A: classify; leading zeros of a subnormal's fraction.
        Bits casesA = regNext(prefix + "cases_a", cat(FP32.isNaN(v), FP32.isInfinite(v), FP32.isZero(v)));
        Bool signA = regNext(prefix + "sign_a", FP32.sign(v));
        UInt exponentA = regNext(prefix + "exponent_a", FP32.exponent(v));
        UInt fractionA = regNext(prefix + "fraction_a", FP32.fraction(v));
        UInt lzA = regNext(prefix + "lz_a", FpCircuits.leadingZeros(FP32.fraction(v).asBits()));

        // Stage B: m = 1.frac in [1, 2), -E; a subnormal shifts its leading one out of the fraction.
        Bool subnormal = exponentA.eq(0);
        UInt shift = lzA.add(1);
        UInt fraction = mux(subnormal, fractionA.shlKeep(shift), fractionA);
        // -E = 127 - e for a normal; 126 + shift for a subnormal (E = -126 - shift).
        SInt minusE = mux(subnormal, U(126, 10).add(shift.zext(10)), U(127, 10).sub(exponentA.zext(10))).asSInt();
        UInt fractionB = regNext(prefix + "fraction_b", fraction);
        SInt minusEB = regNext(prefix + "minus_e_b", minusE);
        Bits casesB = regNext(prefix + "cases_b", casesA);
        Bool signB = regNext(prefix + "sign_b", signA);

        // Stage C: the table word for i = frac >> 17; u = (frac & 0x1FFFF) * 2^-17; m.
        Mem<Bits> table = mem(prefix + "rom", bits(64), FpTables.RECIPROCAL_ENTRIES).style(RamStyle.DISTRIBUTED)
                .init(FpTables.words(FpTables.RECIPROCAL_ENTRIES, FpTables::reciprocalValue, FpTables::reciprocalSlope));
        int c = c0 + 3;   // after the registers of stages A, B and C
        Timed<Bits> word = pipe.at(c, prefix + "rom_word", table.readSync(prefix + "rom_word",
                fractionB.slice(22, 17)));
        Timed<Bits> u = pipe.at(c, prefix + "u", regNext(prefix + "u_c",
                FpCircuits.fixedToFp32(fractionB.slice(16, 0), 17)));
        Timed<Bits> m = pipe.at(c, prefix + "m", regNext(prefix + "m_c", cat(B(127, 9), fractionB)));
        Timed<SInt> negativeE = pipe.at(c, prefix + "minus_e", regNext(prefix + "minus_e_c", minusEB));
        Timed<Bits> cases = pipe.at(c, prefix + "cases", regNext(prefix + "cases_c", casesB));
        Timed<Bool> sign = pipe.at(c, prefix + "sign", regNext(prefix + "sign_c", signB));

        // y0 = V[i] + D[i] * u; Newton: p = m * y0, q = 2 - p, y1 = y0 * q.
        Timed<Bits> y0 = ops.chord(prefix + "chord", word, u).named(prefix + "y0");
        Timed<Bits> p = ops.mul(prefix + "newton_mul", m, y0);
        Timed<Bits> q = ops.add(prefix + "newton_sub", pipe.steady(FpFormat.fp32(2f)), p.map(FP32::negate));
        Timed<Bits> y1 = ops.mul(prefix + "refine_mul", y0, q);

        // sign(x) * scale2(y1, -E); the special cases.
        Timed<Bits> scaled = FpScale2.apply(prefix + "scale2", y1, negativeE);
        return Timed.zip(cases, sign, scaled, (k, s, y) -> mux(k.bit(2), FP32.constant(FP32.canonicalNaN()),
                        mux(k.bit(1), cat(s, B(0, 31)),
                                mux(k.bit(0), cat(s, B(FP32.infinity(), 31)), cat(s, FP32.magnitude(y))))))
                .stage(prefix + "y_out");
    }

    /** Cycles from an input to its result for a unit of {@code schedule}. */
    public static int latency(FpSchedule schedule) {
        return schedule == FpSchedule.SHARED ? SHARED_LATENCY : LATENCY;
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Bits> in) {
        FpReciprocal unit = Hdl.instance(name, new FpReciprocal());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** 1/x in a pipeline: valid {@value #LATENCY} cycles after x. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x) {
        return apply(name, x, FpSchedule.PIPELINED);
    }

    /** 1/x in a pipeline by a unit of the given schedule: valid {@link #latency(FpSchedule)} cycles after x. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x, FpSchedule schedule) {
        return x.through(name, latency(schedule), (n, flow) -> {
            FpReciprocal unit = Hdl.instance(n, new FpReciprocal(schedule));
            Hdl.assign(unit.in, flow);
            return unit.out;
        });
    }
}
