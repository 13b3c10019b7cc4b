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
 * binary32 to bfloat16 as NUMERICS.md N4.2 stores it: {@code (b + 0x7FFF + ((b >> 16) & 1)) >>> 16} for
 * non-NaN b (round to nearest even on the dropped 16 bits, overflow to infinity, subnormals kept), NaN stored
 * as 0x7FC0. Latency {@value #LATENCY} cycle (the output register). Cost: a 32-bit adder, about 40 LUTs.
 */
public final class Fp32ToBf16 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 1;

    /** The input ({@code in_valid}, {@code in_payload}): binary32 bits. */
    public final Flow<Bits> in = in("in", Flow.of(bits(32)));
    /** The result ({@code out_valid}, {@code out_payload}): bfloat16 bits, {@value #LATENCY} cycle later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(16)));

    public Fp32ToBf16() {
        Bits x = in.payload;
        out.payload.set(regNext("y_1", FpConvert.fromFp32(FpFormat.BF16, x)));
        out.valid.set(regNext("valid_1", in.valid, 0));
    }

    /**
     * Places the unit, named {@code name}, fed by {@code in}; returns its result flow:
     * a binary32 value stored as bfloat16.
     */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Bits> in) {
        Fp32ToBf16 unit = Hdl.instance(name, new Fp32ToBf16());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** A binary32 value stored as bfloat16 in a pipeline: valid {@value #LATENCY} cycle after {@code x}. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x) {
        return x.through(name, LATENCY, Fp32ToBf16::apply);
    }
}
