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

    /**
     * The product as hardware with T tables per block computes it (N7.5): the input padded with zero activations
     * and zero weights (index 0) to a multiple of 3T, T tables built per block of 3T activations, one lookup per
     * group. Equal to {@link #matVec} for every T, which is what the tests check.
     */
    public static int[] matVecBlocked(TernaryMatrix m, byte[] x, int tables) {
        if (tables < 1) {
            throw new IllegalArgumentException("T must be >= 1, got " + tables);
        }
        int blocks = (m.groups() + tables - 1) / tables;
        int[] acc = new int[m.rows()];
        for (int b = 0; b < blocks; b++) {
            int[][] block = new int[tables][];
            for (int k = 0; k < tables; k++) {
                int g = b * tables + k;
                block[k] = TlmmIndex.table(at(x, m, 3 * g), at(x, m, 3 * g + 1), at(x, m, 3 * g + 2));
            }
            for (int r = 0; r < m.rows(); r++) {
                int s = 0;
                for (int k = 0; k < tables; k++) {
                    int g = b * tables + k;
                    s += block[k][g < m.groups() ? m.index(r, g) : 0];
                }
                acc[r] += s;
            }
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
