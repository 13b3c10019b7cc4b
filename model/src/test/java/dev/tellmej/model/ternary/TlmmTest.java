package dev.tellmej.model.ternary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.tensor.TernaryTensor;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TlmmTest {
    private static final long SEED = 0x7A81E;

    @Test
    void indicesFollowTellmesOrder() {
        assertEquals(0, TlmmIndex.encode(0, 0, 0));
        assertEquals(1, TlmmIndex.encode(1, 0, 0));
        assertEquals(2, TlmmIndex.encode(0, 1, 0));
        assertEquals(3, TlmmIndex.encode(0, 0, 1));
        assertEquals(4, TlmmIndex.encode(1, 1, 0));
        assertEquals(5, TlmmIndex.encode(1, -1, 0));
        assertEquals(6, TlmmIndex.encode(1, 0, 1));
        assertEquals(7, TlmmIndex.encode(1, 0, -1));
        assertEquals(8, TlmmIndex.encode(0, 1, 1));
        assertEquals(9, TlmmIndex.encode(0, 1, -1));
        assertEquals(10, TlmmIndex.encode(1, 1, 1));
        assertEquals(11, TlmmIndex.encode(1, 1, -1));
        assertEquals(12, TlmmIndex.encode(1, -1, 1));
        assertEquals(13, TlmmIndex.encode(-1, 1, 1));
        for (int k = 1; k <= 13; k++) {
            byte[] p = TlmmIndex.decode(k);
            assertEquals(13 + k, TlmmIndex.encode(-p[0], -p[1], -p[2]), "negation of " + k);
        }
        Set<Integer> seen = new HashSet<>();
        for (int a = -1; a <= 1; a++) {
            for (int b = -1; b <= 1; b++) {
                for (int c = -1; c <= 1; c++) {
                    int idx = TlmmIndex.encode(a, b, c);
                    assertTrue(seen.add(idx));
                    assertArrayEquals(new byte[] {(byte) a, (byte) b, (byte) c}, TlmmIndex.decode(idx));
                }
            }
        }
        assertEquals(27, seen.size());
        assertThrows(IllegalArgumentException.class, () -> TlmmIndex.decode(27));
        assertThrows(IllegalArgumentException.class, () -> TlmmIndex.encode(2, 0, 0));
    }

    @Test
    void tableEntriesFitTenSignedBits() {
        int[] t = TlmmIndex.table(-128, -128, -128);
        int[] u = TlmmIndex.table(127, -128, 127);
        for (int idx = 0; idx < 27; idx++) {
            for (int v : new int[] {t[idx], u[idx]}) {
                assertTrue(v >= -512 && v < 512, "entry " + v);
            }
        }
        assertEquals(-384, t[10]);
        assertEquals(384, t[23]);
    }

    private static TernaryTensor random(SplittableRandom r, int rows, int cols) {
        byte[] v = new byte[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (r.nextInt(3) - 1);
        }
        return new TernaryTensor(rows, cols, v, 0.5f);
    }

    private static byte[] activations(SplittableRandom r, int n) {
        byte[] x = new byte[n];
        for (int i = 0; i < n; i++) {
            x[i] = (byte) r.nextInt(-128, 128);
        }
        return x;
    }

    @Test
    void referenceEqualsTheDirectDotProductWithPadding() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (int cols : new int[] {1, 2, 3, 64, 172, 85}) {
            TernaryTensor t = random(r, 37, cols);
            TernaryMatrix m = TernaryMatrix.of(t);
            assertArrayEquals(t.values(), m.toTensor().values());
            byte[] x = activations(r, cols);
            int[] acc = TlmmReference.matVec(m, x);
            for (int row = 0; row < t.rows(); row++) {
                int expected = 0;
                for (int c = 0; c < cols; c++) {
                    expected += t.get(row, c) * x[c];
                }
                assertEquals(expected, acc[row], "cols " + cols + " row " + row + " seed " + SEED);
            }
        }
    }

    @Test
    void theVectorPathIsUsedWhereverItCanBe() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        int bits = module ? jdk.incubator.vector.VectorShape.preferredShape().vectorBitSize() : 0;
        TlmmKernel.Kind expected = bits >= 512 ? TlmmKernel.Kind.TABLE_512
                : bits >= 256 ? TlmmKernel.Kind.CODES_256 : TlmmKernel.Kind.SCALAR;
        TlmmKernel kernel = new TlmmKernel(1);
        assertEquals(expected, kernel.kind());
        assertEquals(expected != TlmmKernel.Kind.SCALAR, kernel.vectorized());
        assertEquals(false, new TlmmKernel(1, false).vectorized());
        assertEquals(bits >= 256, TlmmKernel.Kind.CODES_256.available());
        if (!TlmmKernel.Kind.TABLE_512.available()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TlmmKernel(1, TlmmKernel.Kind.TABLE_512));
            assertTrue(e.getMessage().contains("512-bit"), e.getMessage());
        }
    }

    /** Every kernel that runs here, on 1 and 2 threads: the integers of the scalar reference. */
    private static java.util.List<TlmmKernel> everyKernel() {
        java.util.List<TlmmKernel> kernels = new java.util.ArrayList<>();
        for (TlmmKernel.Kind kind : TlmmKernel.Kind.values()) {
            if (kind.available()) {
                kernels.add(new TlmmKernel(1, kind));
                kernels.add(new TlmmKernel(2, kind));
            }
        }
        return kernels;
    }

    /**
     * The vector kernels against the scalar one on random matrices and activations: shapes around the 128-column
     * blocks and the four-row steps of the 256-bit kernel, widths past its 16-bit flush (15 blocks), extremes.
     */
    @Test
    void everyKernelKindEqualsTheScalarKernelOnRandomInputs() {
        long seed = SEED + 7;
        SplittableRandom r = new SplittableRandom(seed);
        java.util.List<TlmmKernel> kernels = everyKernel();
        TlmmKernel scalar = new TlmmKernel(1, TlmmKernel.Kind.SCALAR);
        try {
            int[][] shapes = {{1, 1}, {3, 127}, {4, 128}, {5, 129}, {9, 255}, {67, 1536}, {130, 1921}, {33, 4096},
                {6, 15 * 128 + 1}};
            for (int[] shape : shapes) {
                TernaryMatrix m = TernaryMatrix.random(shape[0], shape[1], 0.25f, r);
                int tokens = 3;
                short[][] tables = new short[tokens][TlmmKernel.tableSize(m)];
                int[][] expected = new int[tokens][m.rows()];
                for (int b = 0; b < tokens; b++) {
                    byte[] x = b == 2 ? filled(m.cols(), (byte) -128) : activations(r, m.cols());
                    TlmmKernel.buildTables(x, m.cols(), tables[b]);
                    scalar.matVec(scalar.prepare(m), tables[b], expected[b]);
                    assertArrayEquals(TlmmReference.matVec(m, x), expected[b]);
                }
                for (TlmmKernel kernel : kernels) {
                    TlmmKernel.Prepared p = kernel.prepare(m);
                    String what = kernel.kind() + " " + shape[0] + "x" + shape[1] + " seed " + seed;
                    for (int b = 0; b < tokens; b++) {
                        int[] acc = new int[m.rows()];
                        kernel.matVec(p, tables[b], acc);
                        assertArrayEquals(expected[b], acc, what + " token " + b);
                    }
                    TlmmKernel.Prepared fromTrits = kernel.prepare(m.toTensor());
                    int[] direct = new int[m.rows()];
                    kernel.matVec(fromTrits, tables[0], direct);
                    assertArrayEquals(expected[0], direct, what + " prepared from trits");
                    int[][] batched = new int[tokens][m.rows()];
                    kernel.matMat(p, tables, batched, tokens);
                    for (int b = 0; b < tokens; b++) {
                        assertArrayEquals(expected[b], batched[b], what + " batched token " + b);
                    }
                }
            }
            for (int n : new int[] {1, 15, 16, 17, 1536, 4099}) {
                byte[] w = activations(r, n + 3);
                byte[] x = activations(r, n);
                x[0] = -128;
                w[3] = -128;
                int dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += w[3 + i] * x[i];
                }
                for (TlmmKernel kernel : kernels) {
                    assertEquals(dot, kernel.dot8(w, 3, x, n), kernel.kind() + " dot8 n " + n + " seed " + seed);
                }
            }
        } finally {
            scalar.shutdown();
            kernels.forEach(TlmmKernel::shutdown);
        }
    }

    @Test
    void fastKernelsEqualTheReference() {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        TlmmKernel[] kernels = {new TlmmKernel(1, false), new TlmmKernel(2, false), new TlmmKernel(1),
            new TlmmKernel(2, true)};
        try {
            for (int[] shape : new int[][] {{1, 5}, {7, 64}, {300, 172}, {1031, 257}, {130, 3 * 200}}) {
                TernaryMatrix m = TernaryMatrix.of(random(r, shape[0], shape[1]));
                byte[][] xs = new byte[3][];
                for (int t = 0; t < xs.length; t++) {
                    xs[t] = activations(r, shape[1]);
                }
                int[][] reference = TlmmReference.matMat(m, xs);
                for (TlmmKernel kernel : kernels) {
                    for (int t = 0; t < xs.length; t++) {
                        assertArrayEquals(reference[t], kernel.matVec(m, xs[t]), "shape " + shape[0] + "x" + shape[1]
                                + " vector " + kernel.vectorized() + " seed " + (SEED + 1));
                    }
                }
            }
            // Extreme activations: the largest accumulators, past the 16-bit partial sums.
            TernaryMatrix ones = TernaryMatrix.of(new TernaryTensor(4, 3000, filled(4 * 3000, (byte) -1), 1f));
            byte[] x = new byte[3000];
            java.util.Arrays.fill(x, (byte) -128);
            // And with +1 (the 256-bit kernel's largest codes, its 16-bit lanes at their widest sums).
            TernaryMatrix plus = TernaryMatrix.of(new TernaryTensor(4, 3000, filled(4 * 3000, (byte) 1), 1f));
            for (TlmmKernel kernel : kernels) {
                assertArrayEquals(new int[] {384000, 384000, 384000, 384000}, kernel.matVec(ones, x));
                assertArrayEquals(new int[] {-384000, -384000, -384000, -384000}, kernel.matVec(plus, x));
            }
            byte[] w = new byte[1000];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) r.nextInt(-127, 128);
            }
            byte[] a = activations(r, 999);
            int expected = 0;
            for (int i = 0; i < 999; i++) {
                expected += w[1 + i] * a[i];
            }
            for (TlmmKernel kernel : kernels) {
                assertEquals(expected, kernel.dot8(w, 1, a, 999));
            }
        } finally {
            for (TlmmKernel kernel : kernels) {
                kernel.shutdown();
            }
        }
    }

    @Test
    void blockingIntoTTablesWithPaddingChangesNothing() {
        SplittableRandom r = new SplittableRandom(SEED + 3);
        for (int cols : new int[] {7, 64, 172, 1536}) {
            TernaryMatrix m = TernaryMatrix.of(random(r, 19, cols));
            byte[] x = activations(r, cols);
            int[] expected = TlmmReference.matVec(m, x);
            for (int t : new int[] {1, 2, 28}) {
                assertArrayEquals(expected, TlmmReference.matVecBlocked(m, x, t), "cols " + cols + " T " + t);
            }
        }
    }

    @Test
    void aReusedTableBufferGivesTheSameResults() {
        SplittableRandom r = new SplittableRandom(SEED + 2);
        TlmmKernel kernel = new TlmmKernel(2, true);
        try {
            TernaryMatrix wide = TernaryMatrix.of(random(r, 70, 400));
            TernaryMatrix narrow = TernaryMatrix.of(random(r, 70, 64));
            short[] tables = new short[TlmmKernel.tableSize(400)];
            int[] acc = new int[70];
            byte[] xw = activations(r, 400);
            byte[] xn = activations(r, 64);
            TlmmKernel.buildTables(xw, 400, tables);
            kernel.matVec(kernel.prepare(wide), tables, acc);
            assertArrayEquals(TlmmReference.matVec(wide, xw), acc);
            // The narrow matrix has 22 groups, padded to 24: the stale entries of groups 22 and 23 must be zeroed.
            TlmmKernel.buildTables(xn, 64, tables);
            kernel.matVec(kernel.prepare(narrow), tables, acc);
            assertArrayEquals(TlmmReference.matVec(narrow, xn), acc, "seed " + (SEED + 2));
        } finally {
            kernel.shutdown();
        }
    }

    private static byte[] filled(int n, byte v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, v);
        return b;
    }

    /** The batched product of prefill gives every token the accumulators of its own matVec, on every kernel. */
    @Test
    void theBatchedProductEqualsOneProductPerToken() {
        SplittableRandom random = new SplittableRandom(SEED);
        TernaryMatrix m = TernaryMatrix.random(200, 131, 0.5f, random);
        int tokens = 5;
        short[][] tables = new short[tokens][TlmmKernel.tableSize(m)];
        int[][] expected = new int[tokens][];
        for (int b = 0; b < tokens; b++) {
            byte[] x = new byte[m.cols()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (byte) (b == 0 && i < 2 ? (i == 0 ? -128 : 127) : random.nextInt(256) - 128);
            }
            TlmmKernel.buildTables(x, m.cols(), tables[b]);
            expected[b] = TlmmReference.matVec(m, x);
        }
        TlmmKernel[] kernels = {new TlmmKernel(1, false), new TlmmKernel(2, false), new TlmmKernel(1),
            new TlmmKernel(2, true)};
        for (TlmmKernel kernel : kernels) {
            try {
                int[][] acc = new int[tokens][m.rows()];
                kernel.matMat(kernel.prepare(m), tables, acc, tokens);
                for (int b = 0; b < tokens; b++) {
                    assertArrayEquals(expected[b], acc[b], "token " + b + ", vectorized " + kernel.vectorized()
                            + " (seed " + SEED + ")");
                }
            } finally {
                kernel.shutdown();
            }
        }
    }

    /** Priming (which only runs the kernels for the JIT) runs for every kind this JVM has and leaves no thread. */
    @Test
    void primingRunsEveryAvailableKind() {
        int before = Thread.activeCount();
        for (TlmmKernel.Kind kind : TlmmKernel.Kind.values()) {
            TlmmKernel.prime(kind);
        }
        assertTrue(Thread.activeCount() <= before, "no pool thread left behind");
    }
}
