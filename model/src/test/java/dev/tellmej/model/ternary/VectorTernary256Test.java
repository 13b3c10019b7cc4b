package dev.tellmej.model.ternary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The 256-bit kernel once the JIT has compiled it: the same accumulators as the reference, and no allocation (a
 * vector operation the JIT leaves out of a compilation turns the vectors it takes into objects, which made every
 * four rows allocate about 400 bytes and run at two thirds of the speed).
 */
class VectorTernary256Test {
    private static final long SEED = 256;

    @Test
    void aCompiledProductAllocatesNothing() {
        assumeTrue(TlmmKernel.Kind.CODES_256.available(), "no 256-bit vectors here");
        SplittableRandom r = new SplittableRandom(SEED);
        TernaryMatrix m = TernaryMatrix.random(8, 2 * 15 * VectorTernary256.BLOCK + 7, 0.5f, r); // two flushes
        short[] packed = VectorTernary256.pack(m);
        int blocks = VectorTernary256.blocks(m.cols());
        byte[] x = new byte[m.cols()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (byte) (r.nextInt(256) - 128);
        }
        short[] tables = new short[TlmmKernel.tableSize(m)];
        TlmmKernel.buildTables(x, m.cols(), tables);
        short[] xs = new short[blocks * VectorTernary256.BLOCK];
        int sum = VectorTernary256.activations(tables, m.cols(), xs);
        int[] expected = TlmmReference.matVec(m, x);
        int[] acc = new int[m.rows()];
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long perCall = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 60_000_000_000L;
        // Until the JIT's compilation runs (at most a minute on a busy machine): windows of 2,000 products.
        while (perCall > 0 && System.nanoTime() < deadline) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2000; i++) {
                VectorTernary256.rows(packed, blocks, xs, sum, acc, 0, m.rows());
            }
            perCall = (threads.getCurrentThreadAllocatedBytes() - before) / 2000;
            assertArrayEquals(expected, acc, "seed " + SEED);
        }
        assertTrue(perCall == 0, "a compiled product of 8 rows still allocates " + perCall + " bytes");
    }
}
