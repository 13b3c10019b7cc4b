package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;

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

    public final Bool inValid = in("in_valid", bool());
    public final Bits a = in("a", bits(32));
    public final Bits b = in("b", bits(32));
    public final Bool outValid = out("out_valid", bool());
    /** a < b. */
    public final Bool lt = out("lt", bool());
    /** a == b. */
    public final Bool eq = out("eq", bool());
    /** a > b. */
    public final Bool gt = out("gt", bool());
    /** a or b is NaN. */
    public final Bool unordered = out("unordered", bool());

    public Fp32Compare() {
        Bool nan = FP32.isNaN(a).or(FP32.isNaN(b));
        Bool zeros = FP32.isZero(a).and(FP32.isZero(b));
        UInt ka = orderKey(a);
        UInt kb = orderKey(b);
        Bool equal = zeros.or(a.eq(b)).and(nan.not());
        lt.set(regNext("lt_1", ka.lt(kb).and(nan.not()).and(zeros.not())));
        gt.set(regNext("gt_1", ka.gt(kb).and(nan.not()).and(zeros.not())));
        eq.set(regNext("eq_1", equal));
        unordered.set(regNext("unordered_1", nan));
        outValid.set(regNext("valid_1", inValid, 0));
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
