package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;

/**
 * {@code p = a * b + c} in the shape of one DSP48E2 slice: input registers (A/B/C), a product register (M)
 * and an output register (P), latency 3, one result per cycle. Operands fit the slice's 27 x 18 multiplier
 * and 48-bit adder; the result is exact ({@code max(aWidth + bWidth, cWidth) + 1} bits, at most 48).
 * Named {@code MulAdd_a<aWidth>_b<bWidth>_c<cWidth>}.
 */
public final class MulAdd extends Module {
    public final SInt a;
    public final SInt b;
    public final SInt c;
    public final Bool inValid;
    public final SInt p;
    public final Bool outValid;
    /** Cycles from inputs to {@code p}. */
    public static final int LATENCY = 3;

    public MulAdd(int aWidth, int bWidth, int cWidth) {
        int pWidth = Math.max(aWidth + bWidth, cWidth) + 1;
        if (aWidth < 2 || aWidth > 27 || bWidth < 2 || bWidth > 18 || cWidth < 1 || pWidth > 48) {
            throw new InvalidParameterException(Locations.capture(), "MulAdd fits one DSP48E2: a 2..27 bits, b 2..18,"
                    + " result at most 48; got a " + aWidth + ", b " + bWidth + ", c " + cWidth);
        }
        param("a", aWidth);
        param("b", bWidth);
        param("c", cWidth);
        a = in("a", sint(aWidth));
        b = in("b", sint(bWidth));
        c = in("c", sint(cWidth));
        inValid = in("in_valid", bool());
        p = out("p", sint(pWidth));
        outValid = out("out_valid", bool());

        SInt aReg = regNext("a_reg", a);
        SInt bReg = regNext("b_reg", b);
        SInt cReg = regNext("c_reg", c);
        SInt product = regNext("m_reg", aReg.mul(bReg));
        SInt cDelayed = regNext("c_delay", cReg);
        SInt sum = regNext("p_reg", product.sext(pWidth).add(cDelayed.sext(pWidth)));
        attribute(product, "use_dsp", "yes");
        attribute(sum, "use_dsp", "yes");
        Bool valid = regNext("valid_1", inValid, 0);
        valid = regNext("valid_2", valid, 0);
        outValid.set(regNext("valid_3", valid, 0));
        p.set(sum);
    }
}
