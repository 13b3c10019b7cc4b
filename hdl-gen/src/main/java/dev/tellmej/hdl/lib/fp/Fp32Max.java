package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Timed;

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

    /** The operands (ports {@code in_valid}, {@code in_payload_a}, {@code in_payload_b}): binary32 a and b. */
    public final Flow<Operands> in = in("in", Flow.of(Operands.fp32()));
    /** {@code max(a, b)} ({@code out_valid}, {@code out_payload}), {@value #LATENCY} cycle after its operands. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public Fp32Max() {
        out.payload.set(regNext("y_1", max(in.payload.a(), in.payload.b())));
        out.valid.set(regNext("valid_1", in.valid, 0));
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow: {@code Math.max(a, b)}. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Operands> in) {
        Fp32Max unit = Hdl.instance(name, new Fp32Max());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** {@code Math.max(a, b)} in a pipeline: valid {@value #LATENCY} cycle after the later operand. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> a, Timed<Bits> b) {
        return Timed.zip(a, b, Operands::new).through(name, LATENCY, Fp32Max::apply);
    }

    /** The combinational maximum, for units that inline it. */
    public static Bits max(Bits a, Bits b) {
        Bool nan = FP32.isNaN(a).or(FP32.isNaN(b));
        Bool takeB = Fp32Compare.orderKey(b).gt(Fp32Compare.orderKey(a));
        return mux(nan, FP32.constant(FP32.canonicalNaN()), mux(takeB, b, a));
    }
}
