package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Timed;

/**
 * binary32 to binary16 as NUMERICS.md N4.1 stores it: round to nearest even ({@code Float.floatToFloat16}),
 * overflow to infinity, subnormals kept, every NaN stored as 0x7E00.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: (1) the shift to the fp16 exponent; (2) shift the
 * significand, with guard and sticky; (3) round, pack, specials. The shift's subtract and the barrel shifter are a
 * stage each (together, behind an adder's output register, they were a 300 MHz design's longest path). Cost:
 * about 90 LUTs, 70 flip-flops.
 */
public final class Fp32ToFp16 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 3;

    /** The input ({@code in_valid}, {@code in_payload}): binary32 bits. */
    public final Flow<Bits> in = in("in", Flow.of(bits(32)));
    /** The result ({@code out_valid}, {@code out_payload}): binary16 bits, {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(16)));

    public Fp32ToFp16() {
        Bits x = in.payload;
        // Stage 1: the shift and the scale exponent from the exponent; the value's specials.
        FpConvert.Align16 align = FpConvert.alignFp16(x);
        UInt significand1 = regNext("significand_1", align.significand());
        UInt shift1 = regNext("shift_1", align.shift());
        UInt scale1 = regNext("scale_1", align.scale());
        Bool sign1 = regNext("sign_1", FpFormat.FP32.sign(x));
        Bool infinite1 = regNext("infinite_1", FpFormat.FP32.isInfinite(x));
        Bool nan1 = regNext("nan_1", FpFormat.FP32.isNaN(x));

        // Stage 2: the significand shifted into place, with guard and sticky.
        FpConvert.Cut16 cut = FpConvert.cutFp16(significand1, shift1, scale1);
        UInt scale2 = regNext("scale_2", cut.scale());
        UInt kept2 = regNext("kept_2", cut.kept());
        Bool guard2 = regNext("guard_2", cut.guard());
        Bool sticky2 = regNext("sticky_2", cut.sticky());
        Bool sign2 = regNext("sign_2", sign1);
        Bool infinite2 = regNext("infinite_2", infinite1);
        Bool nan2 = regNext("nan_2", nan1);

        // Stage 3: round, pack, specials.
        Bits result = FpConvert.packFp16(sign2, infinite2, scale2, new FpCircuits.Cut(kept2, guard2, sticky2), nan2);
        out.payload.set(regNext("y_3", result));
        out.valid.set(Delay.valid("valid", in.valid, LATENCY));
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
