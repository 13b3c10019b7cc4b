package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;
import static dev.tellmej.hdl.lib.fp.FpFormat.FP32;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Delay;

/**
 * Squared ReLU by NUMERICS.md N12.2: {@code x * x} (RNE) for x > 0, else +0; NaN gives the canonical NaN.
 *
 * <p>Latency {@value #LATENCY} cycles, one result per cycle: the square (7), the selection (1). Cost: one
 * {@link Fp32Mul} (two DSP48E2).
 */
public final class FpRelu2 extends Module {
    /** Cycles from {@code in_valid} to {@code out_valid}. */
    public static final int LATENCY = Fp32Mul.LATENCY + 1;

    public final Bool inValid = in("in_valid", bool());
    public final Bits x = in("x", bits(32));
    public final Bool outValid = out("out_valid", bool());
    public final Bits y = out("y", bits(32));

    public FpRelu2() {
        Fp32Mul square = instance("square", new Fp32Mul());
        square.inValid.set(inValid);
        square.a.set(x);
        square.b.set(x);
        Bool nan = FP32.isNaN(x);
        Bool positive = FP32.sign(x).not().and(FP32.isZero(x).not()).and(nan.not());
        Bits cases = Delay.of("cases", cat(nan, positive), Fp32Mul.LATENCY);
        y.set(regNext("y_out", mux(cases.bit(1), FP32.constant(FP32.canonicalNaN()),
                mux(cases.bit(0), square.y, B(0, 32)))));
        outValid.set(regNext("valid_out", square.outValid, 0));
    }
}
