package dev.tellmej.sim;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.lib.PartialProducts;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The registered partial products sum to the product modulo 2^width, a cycle after they are loaded. */
class PartialProductsSimTest {
    /** a (17 bits) x b (50 bits, three pieces) into 64 bits, and b x a the other way round into 40. */
    static final class Products extends Module {
        final UInt a = in("a", uint(17));
        final UInt b = in("b", uint(50));
        final Bool load = in("load", bool());
        final UInt product = out("product", uint(64));
        final UInt low = out("low", uint(40));

        Products() {
            product.set(PartialProducts.register("ab", a, b, load).sum(64));
            low.set(PartialProducts.register("ba", b, a, load).sum(40));
        }
    }

    @SimTest
    void theSumIsTheProductModuloTheWidthAndHoldsUntilTheNextLoad(SimFixture fixture) {
        Design<Products> design = Hdl.elaborate(Products::new);
        Products top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Random random = fixture.random(17);
        long[][] corners = {{0, 0}, {(1L << 17) - 1, (1L << 50) - 1}, {1, (1L << 50) - 1}, {(1L << 17) - 1, 1}};
        for (int i = 0; i < 300; i++) {
            long a = i < corners.length ? corners[i][0] : random.nextLong() & ((1L << 17) - 1);
            long b = i < corners.length ? corners[i][1] : random.nextLong() & ((1L << 50) - 1);
            sim.poke(top.a, a);
            sim.poke(top.b, b);
            sim.poke(top.load, true);
            sim.step();
            sim.poke(top.load, false);
            sim.poke(top.a, random.nextLong() & ((1L << 17) - 1));   // not loaded: the sum keeps a x b
            sim.step();
            BigInteger exact = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b));
            String label = a + " x " + b;
            assertEquals(exact.mod(BigInteger.ONE.shiftLeft(64)), sim.peekBig(top.product), label);
            assertEquals(exact.mod(BigInteger.ONE.shiftLeft(40)), sim.peekBig(top.low), label + " modulo 2^40");
        }
    }

    @Test
    void twoWideOperandsAreRefused() {
        InvalidParameterException error = assertThrows(InvalidParameterException.class, () -> Hdl.elaborate(() ->
                new Module() {
                    {
                        UInt x = in("x", uint(18));
                        UInt y = in("y", uint(20));
                        out("p", uint(38)).set(PartialProducts.register("p", x, y, TRUE).sum(38));
                    }
                }));
        assertEquals(true, error.getMessage().contains("at most 17 bits"), error.getMessage());
    }
}
