package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;

/** A pipeline of two library units: binary32 {@code (a * b) + c}, two roundings, c waiting for the product. */
public final class MulThenAdd extends Module {
    // doc:begin pipeline
    public record Terms(Bits a, Bits b, Bits c) {}

    public final Flow<Terms> in = in("in", Flow.of(new Terms(bits(32), bits(32), bits(32))));
    public final Flow<Bits> out = out("out", Flow.of(bits(32)));

    public MulThenAdd() {
        Pipeline pipe = new Pipeline("valid", in.valid);       // cycle 0: in.valid
        Timed<Bits> product = Fp32Mul.apply("mul",              // valid at cycle 7
                pipe.input("a", in.payload.a()), pipe.input("b", in.payload.b()));
        Timed<Bits> sum = Fp32Add.apply("add",                  // at 13; c waits in c_d1 .. c_d7
                product, pipe.input("c", in.payload.c()));
        sum.flow(13).connectTo(out);                            // checked: 13 cycles after the input
    }
    // doc:end pipeline
}
