package dev.tellmej.sim.fp;

import static dev.tellmej.sim.fp.FloatCases.canonical;
import static dev.tellmej.sim.fp.FloatCases.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.fp.Fp16Product;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.Random;

/**
 * {@link Fp16Product} in Verilator against Java's {@code float *} of the two widened binary16 values, compared
 * with {@code Float.floatToIntBits} (every NaN must come out as 0x7FC00000): each of the 65,536 patterns times
 * every corner (zeros, the smallest and largest subnormals, the smallest normal, one, the largest finite,
 * infinities, NaNs, of both signs) and times three seeded random patterns.
 */
class Fp16ProductSimTest {
    private static final short[] CORNERS = {0x0000, (short) 0x8000, 0x0001, (short) 0x8001, 0x03FF, 0x0400,
        0x3C00, (short) 0xBC00, 0x7BFF, (short) 0xFBFF, 0x7C00, (short) 0xFC00, 0x7E00, (short) 0xFE01, 0x3555};
    private static final int RANDOM_PARTNERS = 3;

    @SimTest
    void everyPatternTimesTheCornersAndRandomPartnersIsJavasProduct(SimFixture fixture) {
        Design<Fp16Product> design = Hdl.elaborate(Fp16Product::new);
        Fp16Product top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Random random = fixture.random();
        int partners = CORNERS.length + RANDOM_PARTNERS;
        int n = 65536 * partners;
        long[] a = new long[n];
        long[] b = new long[n];
        int k = 0;
        for (int h = 0; h < 65536; h++) {
            for (int p = 0; p < partners; p++) {
                a[k] = h;
                b[k++] = (p < CORNERS.length ? CORNERS[p] : random.nextInt(65536)) & 0xFFFF;
            }
        }
        long[] out = new FixedLatencyDriver(sim, top.in, top.out, Fp16Product.LATENCY).run(a, b);
        for (int i = 0; i < n; i++) {
            float x = Float.float16ToFloat((short) a[i]);
            float y = Float.float16ToFloat((short) b[i]);
            long want = canonical(x * y);
            int at = i;
            assertEquals(want, out[i], () -> String.format("fp16 0x%04X x 0x%04X: hardware %s, Java %s", a[at],
                    b[at], describe(out[at]), describe(want)));
        }
    }
}
