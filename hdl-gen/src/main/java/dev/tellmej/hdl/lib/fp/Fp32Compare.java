package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Timed;

/**
 * IEEE comparison of two binary32 values, as Java's {@code <}, {@code ==}, {@code >}: {@code -0 == +0};
 * a NaN operand makes the pair unordered and every other flag false. Also {@link #orderKey}, the unsigned
 * key whose order is the values' total order with {@code -0 < +0} (used by {@link Fp32Max}).
 *
 * <p>Latency {@value #LATENCY} cycle (the output registers). Cost: two 32-bit comparators, about 70 LUTs.
 */
public final class Fp32Compare extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 1;

    /** The comparison's outcome: exactly one flag is set. */
    public record Result(Bool lt, Bool eq, Bool gt, Bool unordered) {
        /** The template: four flags. */
        public static Result shape() {
            return new Result(bool(), bool(), bool(), bool());
        }
    }

    /** The operands ({@code in_valid}, {@code in_payload_a}, {@code in_payload_b}). */
    public final Flow<Operands> in = in("in", Flow.of(Operands.fp32()));
    /** a < b, a == b, a > b, unordered ({@code out_payload_lt}, ...), {@value #LATENCY} cycle later. */
    public final Flow<Result> out = out("out", Flow.of(Result.shape()));

    public Fp32Compare() {
        Bits a = in.payload.a();
        Bits b = in.payload.b();
        Bool nan = FP32.isNaN(a).or(FP32.isNaN(b));
        Bool zeros = FP32.isZero(a).and(FP32.isZero(b));
        UInt ka = orderKey(a);
        UInt kb = orderKey(b);
        Bool equal = zeros.or(a.eq(b)).and(nan.not());
        out.payload.lt().set(regNext("lt_1", ka.lt(kb).and(nan.not()).and(zeros.not())));
        out.payload.gt().set(regNext("gt_1", ka.gt(kb).and(nan.not()).and(zeros.not())));
        out.payload.eq().set(regNext("eq_1", equal));
        out.payload.unordered().set(regNext("unordered_1", nan));
        out.valid.set(regNext("valid_1", in.valid, 0));
    }

    /** Places an Fp32Compare named {@code name} fed by {@code in}; returns its result flow. */
    @ElaborationHelper
    public static Flow<Result> apply(String name, Flow<Operands> in) {
        Fp32Compare unit = Hdl.instance(name, new Fp32Compare());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** The comparison of a and b in a pipeline: valid {@value #LATENCY} cycle after the later operand. */
    @ElaborationHelper
    public static Timed<Result> apply(String name, Timed<Bits> a, Timed<Bits> b) {
        return Timed.zip(a, b, Operands::new).through(name, LATENCY, Fp32Compare::apply);
    }

    /**
     * An unsigned key ordered like the non-NaN binary32 values, with {@code -0 < +0}: negative patterns
     * inverted, positive ones with the top bit set.
     */
    public static UInt orderKey(Bits x) {
        Bool sign = FP32.sign(x);
        return mux(sign, x.not(), cat(TRUE, FP32.magnitude(x))).asUInt();
    }
}
