package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Timed;

/**
 * bfloat16 to binary32, exact: {@code bits << 16} (NUMERICS.md N4.2), so every pattern, NaN payloads
 * included, is kept. Latency {@value #LATENCY} cycle (the output register). Cost: 17 flip-flops, no logic.
 */
public final class Bf16ToFp32 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 1;

    /** The input ({@code in_valid}, {@code in_payload}): bfloat16 bits. */
    public final Flow<Bits> in = in("in", Flow.of(bits(16)));
    /** The result ({@code out_valid}, {@code out_payload}): binary32 bits, {@value #LATENCY} cycle later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public Bf16ToFp32() {
        Bits x = in.payload;
        out.payload.set(cat(regNext("x_1", x), B(0, 16)));
        out.valid.set(regNext("valid_1", in.valid, 0));
    }

    /**
     * Places the unit, named {@code name}, fed by {@code in}; returns its result flow:
     * the binary32 value of a bfloat16 pattern.
     */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Bits> in) {
        Bf16ToFp32 unit = Hdl.instance(name, new Bf16ToFp32());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** The binary32 value of a bfloat16 pattern in a pipeline: valid {@value #LATENCY} cycle after {@code x}. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x) {
        return x.through(name, LATENCY, Bf16ToFp32::apply);
    }
}
