package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Timed;

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

    /** The input ({@code in_valid}, {@code in_payload}): binary32 bits. */
    public final Flow<Bits> in = in("in", Flow.of(bits(32)));
    /** The result ({@code out_valid}, {@code out_payload}): binary16 bits, {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(16)));

    public Fp32ToFp16() {
        Bits x = in.payload;
        FpConvert.Cut16 cut = FpConvert.cutFp16(x);
        Bits x1 = regNext("x_1", x);
        UInt scale1 = regNext("scale_1", cut.scale());
        UInt kept1 = regNext("kept_1", cut.kept());
        Bool guard1 = regNext("guard_1", cut.guard());
        Bool sticky1 = regNext("sticky_1", cut.sticky());
        Bits result = FpConvert.packFp16(x1, scale1, new FpCircuits.Cut(kept1, guard1, sticky1),
                FpFormat.FP32.isNaN(x1));
        out.payload.set(regNext("y_2", result));
        out.valid.set(regNext("valid_2", regNext("valid_1", in.valid, 0), 0));
    }

    /**
     * Places the unit, named {@code name}, fed by {@code in}; returns its result flow:
     * a binary32 value stored as binary16.
     */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Bits> in) {
        Fp32ToFp16 unit = Hdl.instance(name, new Fp32ToFp16());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** A binary32 value stored as binary16 in a pipeline: valid {@value #LATENCY} cycles after {@code x}. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x) {
        return x.through(name, LATENCY, Fp32ToFp16::apply);
    }
}
