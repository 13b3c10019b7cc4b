package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;

/**
 * bfloat16 to binary32, exact: {@code bits << 16} (NUMERICS.md N4.2), so every pattern, NaN payloads
 * included, is kept. Latency {@value #LATENCY} cycle (the output register). Cost: 17 flip-flops, no logic.
 */
public final class Bf16ToFp32 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 1;

    public final Bool inValid = in("in_valid", bool());
    public final Bits x = in("x", bits(16));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(32));

    public Bf16ToFp32() {
        y.set(cat(regNext("x_1", x), B(0, 16)));
        outValid.set(regNext("valid_1", inValid, 0));
    }
}
