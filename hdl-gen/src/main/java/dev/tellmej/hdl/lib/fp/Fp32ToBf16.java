package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;

/**
 * binary32 to bfloat16 as NUMERICS.md N4.2 stores it: {@code (b + 0x7FFF + ((b >> 16) & 1)) >>> 16} for
 * non-NaN b (round to nearest even on the dropped 16 bits, overflow to infinity, subnormals kept), NaN stored
 * as 0x7FC0. Latency {@value #LATENCY} cycle (the output register). Cost: a 32-bit adder, about 40 LUTs.
 */
public final class Fp32ToBf16 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 1;

    public final Bool inValid = in("in_valid", bool());
    public final Bits x = in("x", bits(32));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(16));

    public Fp32ToBf16() {
        y.set(regNext("y_1", FpConvert.fromFp32(FpFormat.BF16, x)));
        outValid.set(regNext("valid_1", inValid, 0));
    }
}
