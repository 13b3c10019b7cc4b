package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Timed;

/**
 * The chord step the table functions of NUMERICS.md N9 to N11 share: {@code V + D * u} with a table word
 * {@code {V, D}} (V in bits 63..32, D in bits 31..0) and a binary32 fraction u, the multiply first, then the
 * add, both rounded to nearest even. Latency {@value #LATENCY} cycles (an {@link Fp32Mul}, then an
 * {@link Fp32Add}, V waiting alongside the multiply); one result per cycle; 8 DSP48E2.
 */
public final class FpChord extends Module {
    /** Cycles from the inputs to the result; derived from the pipeline and checked at elaboration. */
    public static final int LATENCY = 13;

    /**
     * The operands.
     *
     * @param word the table word: V in bits 63..32, D in bits 31..0 (binary32 each)
     * @param u    the fraction (binary32)
     */
    public record In(Bits word, Bits u) {}

    /** word and u ({@code in_valid}, {@code in_payload_word}, {@code in_payload_u}). */
    public final Flow<In> in = in("in", Flow.of(new In(bits(64), bits(32))));
    /** {@code V + D * u} ({@code out_valid}, {@code out_payload}), {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public FpChord() {
        Pipeline pipe = new Pipeline("valid", in.valid);
        Timed<Bits> word = pipe.input("word", in.payload.word());
        Timed<Bits> value = word.map(w -> w.slice(63, 32)).named("value");
        Timed<Bits> slope = Fp32Mul.apply("slope_mul", word.map(w -> w.slice(31, 0)), pipe.input("u", in.payload.u()));
        Fp32Add.apply("chord_add", value, slope).flow(LATENCY).connectTo(out);
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<In> in) {
        FpChord unit = Hdl.instance(name, new FpChord());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** {@code V + D * u} in a pipeline: valid {@value #LATENCY} cycles after the later operand. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> word, Timed<Bits> u) {
        return Timed.zip(word, u, In::new).through(name, LATENCY, FpChord::apply);
    }
}
