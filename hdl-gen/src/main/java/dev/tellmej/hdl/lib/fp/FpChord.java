package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Delay;

/**
 * The chord step the table functions of NUMERICS.md N9 to N11 share: {@code V + D * u} with a table word
 * {@code {V, D}} (V in bits 63..32, D in bits 31..0) and a binary32 fraction u, the multiply first, then the
 * add, both rounded to nearest even. Latency {@value #LATENCY} cycles (an {@link Fp32Mul}, then an
 * {@link Fp32Add}); one result per cycle; 2 DSP48E2.
 */
public final class FpChord extends Module {
    /** Cycles from the inputs to {@link #y}. */
    public static final int LATENCY = Fp32Mul.LATENCY + Fp32Add.LATENCY;

    public final Bool inValid = in("in_valid", bool());
    public final Bits word = in("word", bits(64));
    public final Bits u = in("u", bits(32));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(32));

    public FpChord() {
        Fp32Mul slope = instance("slope_mul", new Fp32Mul());
        slope.inValid.set(inValid);
        slope.a.set(word.slice(31, 0));
        slope.b.set(u);
        Fp32Add chord = instance("chord_add", new Fp32Add());
        chord.inValid.set(slope.outValid);
        chord.a.set(Delay.of("value", word.slice(63, 32), Fp32Mul.LATENCY));
        chord.b.set(slope.y);
        outValid.set(chord.outValid);
        y.set(chord.y);
    }
}
