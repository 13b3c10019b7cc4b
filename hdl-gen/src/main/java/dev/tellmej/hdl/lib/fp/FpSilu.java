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
 * SiLU by NUMERICS.md N12.1, bit for bit: {@code silu(x) = x * reciprocal(1 + exp(-x))}: negate (exact),
 * {@link FpExp}, add 1 (RNE), {@link FpReciprocal}, multiply by x (RNE). NaN gives the canonical NaN (the
 * composition does that by itself); -infinity gives -0 (where the composition would give NaN); below about
 * -88, exp(-x) overflows and the result is -0.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: exp (26), + 1 (6), reciprocal (39), x * r (7),
 * the -infinity case (1). Cost: six {@link Fp32Mul} (24 DSP48E2), four {@link Fp32Add}, two ROMs, and a
 * delay line for x (SRLs).
 */
public final class FpSilu extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}; derived from the pipeline and checked at elaboration. */
    public static final int LATENCY = 79;

    /** x ({@code in_valid}, {@code in_payload}, binary32). */
    public final Flow<Bits> in = in("in", Flow.of(bits(32)));
    /** silu(x) ({@code out_valid}, {@code out_payload}, binary32), {@value #LATENCY} cycles later. */
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public FpSilu() {
        Pipeline pipe = new Pipeline("valid", in.valid);
        Timed<Bits> x = pipe.input("x", in.payload);
        Timed<Bits> e = FpExp.apply("exp", x.map(FP32::negate));
        Timed<Bits> r = FpReciprocal.apply("reciprocal", Fp32Add.apply("plus_one", pipe.steady(FpFormat.fp32(1f)), e));
        Timed<Bits> product = Fp32Mul.apply("times_x", x, r);
        Timed<Bool> negativeInfinity = x.map(v -> FP32.isInfinite(v).and(FP32.sign(v))).named("neg_inf");
        Timed.zip(negativeInfinity, product, (n, y) -> mux(n, B(0x8000_0000L, 32), y))
                .stage("y_out").flow(LATENCY).connectTo(out);
    }

    /** Places the unit, named {@code name}, fed by {@code in}; returns its result flow. */
    @ElaborationHelper
    public static Flow<Bits> apply(String name, Flow<Bits> in) {
        FpSilu unit = Hdl.instance(name, new FpSilu());
        Hdl.assign(unit.in, in);
        return unit.out;
    }

    /** silu(x) in a pipeline: valid {@value #LATENCY} cycles after x. */
    @ElaborationHelper
    public static Timed<Bits> apply(String name, Timed<Bits> x) {
        return x.through(name, LATENCY, FpSilu::apply);
    }
}
