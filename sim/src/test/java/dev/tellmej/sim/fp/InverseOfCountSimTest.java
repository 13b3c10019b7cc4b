package dev.tellmej.sim.fp;

import static dev.tellmej.sim.fp.FloatCases.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.fp.InverseOfCount;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;

/**
 * {@link InverseOfCount} in Verilator: for every 16-bit n (0 to 65,535, in order) the bits of Java's
 * {@code (float) (1.0 / n)}, {@code out_valid} exactly {@link InverseOfCount#LATENCY} cycles after n is taken
 * and in no other cycle, {@code in_ready} again in the cycle the result appears, the result held afterwards;
 * then seeded random n with random idle gaps between them.
 */
class InverseOfCountSimTest {
    @SimTest
    void everyCountGivesJavasInverse(SimFixture fixture) {
        Design<InverseOfCount> design = Hdl.elaborate(InverseOfCount::new);
        InverseOfCount top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Driver driver = new Driver(sim, top);
        long start = System.nanoTime();
        long firstCycle = sim.cycle();
        for (int n = 0; n <= 0xFFFF; n++) {
            driver.check(n, 0);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("InverseOfCount: all 65,536 counts bit-exact in %,d cycles, %.1f s%n",
                sim.cycle() - firstCycle, seconds);

        Random random = fixture.random();
        for (int i = 0; i < 2_000; i++) {
            driver.check(random.nextInt(0x1_0000), random.nextInt(4));
        }
        // The result stays on out_payload while the unit idles.
        long last = driver.result.get();
        sim.step(10);
        assertEquals(last, driver.result.get(), "out_payload holds the last result");
        assertFalse(driver.outValid.isHigh(), "out_valid only pulses");
    }

    /** Offers n after {@code idle} cycles, checks the handshake and the timing, and the result's bits. */
    private static final class Driver {
        private final SimModel sim;
        private final Port inValid;
        private final Port inReady;
        private final Port count;
        private final Port outValid;
        private final Port result;

        Driver(SimModel sim, InverseOfCount top) {
            this.sim = sim;
            this.inValid = sim.port(top.in.valid);
            this.inReady = sim.port(top.in.ready);
            this.count = sim.port(top.in.payload);
            this.outValid = sim.port(top.out.valid);
            this.result = sim.port(top.out.payload);
        }

        void check(int n, int idle) {
            sim.step(idle);
            assertTrue(inReady.isHigh(), "in_ready while idle");
            inValid.set(1);
            count.set(n);
            sim.step();                                   // n taken
            inValid.set(0);
            count.set(0xFFFF);                            // the payload matters only in the cycle it is taken
            for (int cycle = 1; cycle < InverseOfCount.LATENCY; cycle++) {
                if (outValid.isHigh() || inReady.isHigh()) {
                    throw new AssertionError("n = " + n + ": out_valid " + outValid.get() + ", in_ready "
                            + inReady.get() + " " + cycle + " cycles after n was taken (latency "
                            + InverseOfCount.LATENCY + ")");
                }
                sim.step();
            }
            assertTrue(outValid.isHigh(), () -> "n = " + n + ": no out_valid after " + InverseOfCount.LATENCY
                    + " cycles");
            assertTrue(inReady.isHigh(), "in_ready with the result");
            long want = Float.floatToRawIntBits((float) (1.0 / n)) & 0xFFFF_FFFFL;
            long got = result.get();
            if (got != want) {
                assertEquals(want, got, "(float) (1.0 / " + n + "): hardware " + describe(got) + ", Java "
                        + describe(want));
            }
        }
    }
}
