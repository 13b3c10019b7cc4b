package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Timed;

/**
 * Squared ReLU by NUMERICS.md N12.2: {@code x * x} (RNE) for x > 0, else +0; NaN gives the canonical NaN.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: the square (7), the selection (1). Cost: one
 * {@link Fp32Mul} (four DSP48E2).
 */
public final class FpRelu2 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}; derived from the pipeline and checked at elaboration. */
    public static final int LATENCY = 8;

    /** x ({@code in_valid}, {@code in_payload}, binary32). */
    public final Flow<Bits> in = in("in", Flow.of(bits(32)));
    /** relu2(x) ({@code out_valid}, {@code out_payload}, binary32), {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public FpRelu2() {
        Pipeline pipe = new Pipeline("valid", in.valid);
        Timed<Bits> x = pipe.input("x", in.payload);
        Timed<Bits> square = Fp32Mul.apply("square", x, x);
        Timed<Bits> cases = x.map(v -> {
            Bool nan = FP32.isNaN(v);
            Bool positive = FP32.sign(v).not().and(FP32.isZero(v).not()).and(nan.not());
            return cat(nan, positive);
        }).named("cases");
        Timed.zip(cases, square,
                        (k, y) -> mux(k.bit(1), FP32.constant(FP32.canonicalNaN()), mux(k.bit(0), y, B(0, 32))))
                .stage("y_out").flow(LATENCY).connectTo(out);
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Bits> in) {
        FpRelu2 unit = Hdl.instance(name, new FpRelu2());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** relu2(x) in a pipeline: valid {@value #LATENCY} cycles after x. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x) {
        return x.through(name, LATENCY, FpRelu2::apply);
    }
}
