package dev.tellmej.hdl.lib.fp;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.lib.Timed;

/**
 * Where the binary32 multiplies and adds of a datapath built in a {@link dev.tellmej.hdl.lib.Pipeline} go: a unit
 * of their own each ({@link #pipelined()}: one input per cycle) or one {@link Fp32Mul} and one {@link Fp32Add}
 * for all of them ({@link Fp32SharedOps}: inputs spaced by the schedule). The results are the same bits either
 * way: the same operations, operands in the same order, the same rounding. The table-function units
 * ({@link FpReciprocal}, {@link FpRsqrt}) build their steps on one, so a user that needs a few more operations
 * once per vector can put them on the same shared units.
 */
@ElaborationHelper
public interface Fp32Ops {
    /** {@code a * b} (RNE), valid {@link Fp32Mul#LATENCY} cycles after the later operand; {@code name} names it. */
    Timed<Bits> mul(String name, Timed<Bits> a, Timed<Bits> b);

    /** {@code a + b} (RNE), valid {@link Fp32Add#LATENCY} cycles after the later operand. */
    Timed<Bits> add(String name, Timed<Bits> a, Timed<Bits> b);

    /**
     * The chord step {@code V + D * u} of a table word {@code {V, D}} (V in bits 63..32), valid
     * {@link FpChord#LATENCY} cycles after the later operand: the multiply, then the add with V first.
     */
    default Timed<Bits> chord(String name, Timed<Bits> word, Timed<Bits> u) {
        Timed<Bits> slope = mul(name + "_slope", word.map(w -> w.slice(31, 0)), u);
        return add(name, word.map(w -> w.slice(63, 32)).named(name + "_value"), slope);
    }

    /** A multiplier or an adder of its own for every operation (the chord as one {@link FpChord}). */
    static Fp32Ops pipelined() {
        return new Fp32Ops() {
            @Override
            public Timed<Bits> mul(String name, Timed<Bits> a, Timed<Bits> b) {
                return Fp32Mul.apply(name, a, b);
            }

            @Override
            public Timed<Bits> add(String name, Timed<Bits> a, Timed<Bits> b) {
                return Fp32Add.apply(name, a, b);
            }

            @Override
            public Timed<Bits> chord(String name, Timed<Bits> word, Timed<Bits> u) {
                return FpChord.apply(name, word, u);
            }
        };
    }
}
