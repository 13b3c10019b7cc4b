package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;

import dev.tellmej.hdl.Module;

/**
 * binary32 to binary16 as NUMERICS.md N4.1 stores it: round to nearest even ({@code Float.floatToFloat16}),
 * overflow to infinity, subnormals kept, every NaN stored as 0x7E00.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: (1) align the significand to the fp16 exponent
 * with guard and sticky; (2) round, pack, specials. Cost: about 90 LUTs, 60 flip-flops.
 */
public final class Fp32ToFp16 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 2;

    public final Bool inValid = in("in_valid", bool());
    public final Bits x = in("x", bits(32));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(16));

    public Fp32ToFp16() {
        FpConvert.Cut16 cut = FpConvert.cutFp16(x);
        Bits x1 = regNext("x_1", x);
        UInt scale1 = regNext("scale_1", cut.scale());
        UInt kept1 = regNext("kept_1", cut.kept());
        Bool guard1 = regNext("guard_1", cut.guard());
        Bool sticky1 = regNext("sticky_1", cut.sticky());
        Bits result = FpConvert.packFp16(x1, scale1, new FpCircuits.Cut(kept1, guard1, sticky1),
                FpFormat.FP32.isNaN(x1));
        y.set(regNext("y_2", result));
        outValid.set(regNext("valid_2", regNext("valid_1", inValid, 0), 0));
    }
}
