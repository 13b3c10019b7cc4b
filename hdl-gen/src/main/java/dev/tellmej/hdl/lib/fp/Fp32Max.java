package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;

/**
 * {@code max(a, b)} as Java's {@code Math.max} (NUMERICS.md N2.4): NaN if either is NaN (the canonical
 * 0x7FC00000), {@code max(-0, +0) = +0}, otherwise the larger value, exactly.
 *
 * <p>Latency {@value #LATENCY} cycle (the output register). Cost: one 32-bit comparator and a multiplexer,
 * about 60 LUTs.
 */
public final class Fp32Max extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = 1;

    public final Bool inValid = in("in_valid", bool());
    public final Bits a = in("a", bits(32));
    public final Bits b = in("b", bits(32));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(32));

    public Fp32Max() {
        y.set(regNext("y_1", max(a, b)));
        outValid.set(regNext("valid_1", inValid, 0));
    }

    /** The combinational maximum, for units that inline it. */
    public static Bits max(Bits a, Bits b) {
        Bool nan = FP32.isNaN(a).or(FP32.isNaN(b));
        Bool takeB = Fp32Compare.orderKey(b).gt(Fp32Compare.orderKey(a));
        return mux(nan, FP32.constant(FP32.canonicalNaN()), mux(takeB, b, a));
    }
}
