package dev.tellmej.model.ternary;

/**
 * The hardware-exact TLMM (N7): per group of three int8 activations a 27-entry table of signed partial sums,
 * then per output row the sum of one table entry per group, in int32. The RTL and OpenCL kernels are compared
 * against these functions. Integer addition is exact, so any summation order gives the same accumulators.
 */
public final class TlmmReference {
    private TlmmReference() {}

    /**
     * One matrix-vector product: {@code acc[r] = sum_g table_g[index(r, g)]}, where {@code table_g} is built from
     * activations 3g, 3g+1, 3g+2 (zero past {@code m.cols()}).
     *
     * @param x int8 activations, at least {@code m.cols()} long
     * @return int32 accumulators, one per row
     */
    public static int[] matVec(TernaryMatrix m, byte[] x) {
        if (x.length < m.cols()) {
            throw new IllegalArgumentException(m.cols() + " activations needed, got " + x.length);
        }
        int[][] tables = new int[m.groups()][];
        for (int g = 0; g < m.groups(); g++) {
            tables[g] = TlmmIndex.table(at(x, m, 3 * g), at(x, m, 3 * g + 1), at(x, m, 3 * g + 2));
        }
        int[] acc = new int[m.rows()];
        for (int r = 0; r < m.rows(); r++) {
            int s = 0;
            for (int g = 0; g < m.groups(); g++) {
                s += tables[g][m.index(r, g)];
            }
            acc[r] = s;
        }
        return acc;
    }

    /** A matrix-matrix product: {@code acc[t]} = {@link #matVec}(m, x[t]) for each token t. */
    public static int[][] matMat(TernaryMatrix m, byte[][] x) {
        int[][] out = new int[x.length][];
        for (int t = 0; t < x.length; t++) {
            out[t] = matVec(m, x[t]);
        }
        return out;
    }

    private static int at(byte[] x, TernaryMatrix m, int i) {
        return i < m.cols() ? x[i] : 0;
    }
}
