package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;

/**
 * binary16 to binary32, exact: {@code Float.float16ToFloat} (NUMERICS.md N4.1 read-back). Subnormals are
 * normalized with a 10-bit leading-zero count; a NaN keeps sign and payload and is made quiet
 * ({@link FpConvert#toFp32}).
 *
 * <p>Latency {@value #LATENCY} cycle (the output register), one result per cycle. Cost: about 40 LUTs, 33
 * flip-flops.
 */
public final class Fp16ToFp32 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 1;

    public final Bool inValid = in("in_valid", bool());
    public final Bits x = in("x", bits(16));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(32));

    public Fp16ToFp32() {
        y.set(regNext("y_1", FpConvert.toFp32(FpFormat.FP16, x)));
        outValid.set(regNext("valid_1", inValid, 0));
    }
}
