package dev.tellmej.sim;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Ahead;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;

/**
 * {@link Ahead}: the register holds the value of the cycle before (a product, of the cycle two before), and its
 * assertion stops the simulation when it is read in a cycle where the value has just changed.
 */
class AheadSimTest {
    /** x + 1 and x == 5, registered a cycle ahead of {@code read}. */
    static final class Checks extends Module {
        final UInt x = in("x", uint(8));
        final Bool read = in("read", bool());
        final UInt next = out("next", uint(8));
        final Bool five = out("five", bool());

        Checks() {
            next.set(Ahead.of("next_q", x.add(1).trunc(8), read, "Checks"));
            five.set(Ahead.of("five_q", x.eq(5), read, "Checks"));
        }
    }

    static final Design<Checks> DESIGN = Hdl.elaborate(Checks::new);

    /** x x y in 20 bits, two cycles ahead of {@code read}. */
    static final class Product extends Module {
        final UInt x = in("x", uint(12));
        final UInt y = in("y", uint(10));
        final Bool read = in("read", bool());
        final UInt xy = out("xy", uint(20));

        Product() {
            xy.set(Ahead.product("xy_q", x, y, 20, read, "Product"));
        }
    }

    static final Design<Product> PRODUCT = Hdl.elaborate(Product::new);

    @SimTest
    void aValueHeldStillIsCurrentWhereItIsRead(SimFixture fixture) {
        Checks top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        Random random = fixture.random(39);
        for (int i = 0; i < 200; i++) {
            long x = i == 0 ? 5 : random.nextInt(256);
            sim.poke(top.x, x);
            sim.poke(top.read, false);
            sim.step();
            sim.poke(top.read, true);   // x held a cycle: the registers are current
            sim.step();
            assertEquals((x + 1) & 0xff, sim.peek(top.next), "x = " + x);
            assertEquals(x == 5 ? 1 : 0, sim.peek(top.five), "x = " + x);
        }
    }

    @SimTest
    void aProductIsCurrentTwoCyclesAfterItsOperandsAndTruncatedToItsWidth(SimFixture fixture) {
        Product top = PRODUCT.top();
        SimModel sim = fixture.open(PRODUCT);
        sim.reset();
        Random random = fixture.random(41);
        for (int i = 0; i < 200; i++) {
            long x = i == 0 ? 4095 : random.nextInt(4096);
            long y = i == 0 ? 1023 : random.nextInt(1024);
            sim.poke(top.x, x);
            sim.poke(top.y, y);
            sim.poke(top.read, false);
            sim.step(2);
            sim.poke(top.read, true);   // x and y held two cycles: the product is current
            sim.step();
            assertEquals((x * y) & 0xfffff, sim.peek(top.xy), x + " x " + y);
        }
    }

    @SimTest
    void aProductReadACycleAfterItsOperandsChangedStopsTheSimulation(SimFixture fixture) {
        Product top = PRODUCT.top();
        SimModel sim = fixture.open(PRODUCT);
        sim.reset();
        sim.poke(top.x, 3);
        sim.poke(top.y, 5);
        sim.step(3);
        sim.poke(top.x, 4);
        sim.step();
        sim.poke(top.read, true);   // the product still holds 3 x 5
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(2));
        assertTrue(stop.designMessage().contains("Product: xy_q is current where it is read"), stop.getMessage());
    }

    @SimTest
    void aReadInTheCycleTheValueChangedStopsTheSimulation(SimFixture fixture) {
        Checks top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        sim.poke(top.x, 3);
        sim.step();
        sim.poke(top.x, 4);
        sim.poke(top.read, true);   // the register still holds 3 + 1
        SimStopException stop = assertThrows(SimStopException.class, () -> sim.step(2));
        assertTrue(stop.designMessage().contains("Checks: next_q is current where it is read"), stop.getMessage());
    }
}
