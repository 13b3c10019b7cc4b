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

    /** The input ({@code in_valid}, {@code in_payload}): binary16 bits. */
    public final Flow<Bits> in = in("in", Flow.of(bits(16)));
    /** The result ({@code out_valid}, {@code out_payload}): binary32 bits, {@value #LATENCY} cycle later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public Fp16ToFp32() {
        Bits x = in.payload;
        out.payload.set(regNext("y_1", FpConvert.toFp32(FpFormat.FP16, x)));
        out.valid.set(regNext("valid_1", in.valid, 0));
    }

    /**
     * Places the unit, named {@code name}, fed by {@code in}; returns its result flow:
     * the binary32 value of a binary16 pattern.
     */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Bits> in) {
        Fp16ToFp32 unit = Hdl.instance(name, new Fp16ToFp32());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** The binary32 value of a binary16 pattern in a pipeline: valid {@value #LATENCY} cycle after {@code x}. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x) {
        return x.through(name, LATENCY, Fp16ToFp32::apply);
    }
}
