package dev.tellmej.model.ternary;

import dev.tellmej.model.tensor.TernaryRows;
import dev.tellmej.model.tensor.TernaryTensor;

/**
 * An index-encoded ternary matrix (N7.1): each row's inputs are padded with zero weights to a multiple of 3 and
 * stored as one 5-bit TLMM index (in a byte) per triple of consecutive inputs 3g, 3g+1, 3g+2.
 *
 * @param rows    output features
 * @param cols    input features before padding
 * @param groups  triples per row, ceil(cols / 3)
 * @param indices row-major, {@code rows * groups} indices in 0..26
 * @param scale   the per-tensor weight scale
 */
public record TernaryMatrix(int rows, int cols, int groups, byte[] indices, float scale) {
    public TernaryMatrix {
        if (groups != (cols + 2) / 3 || (long) rows * groups != indices.length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + rows + " x "
                    + (cols + 2) / 3 + " indices");
        }
        for (byte b : indices) {
            if (b < 0 || b >= TlmmIndex.COUNT) {
                throw new IllegalArgumentException("invalid TLMM index " + b);
            }
        }
    }

    /** Encodes a ternary tensor (as {@link #of(TernaryRows)}). */
    public static TernaryMatrix of(TernaryTensor t) {
        return of((TernaryRows) t);
    }

    /** Encodes a ternary matrix, {@link TlmmKernel#PACK_ROWS} rows of trits at a time. */
    public static TernaryMatrix of(TernaryRows t) {
        int rows = t.rows();
        int cols = t.cols();
        int groups = (cols + 2) / 3;
        byte[] idx = new byte[Math.multiplyExact(rows, groups)];
        int chunk = Math.min(rows, TlmmKernel.PACK_ROWS);
        byte[] trits = new byte[chunk * cols];
        byte[] rowIdx = new byte[chunk * groups];
        for (int first = 0; first < rows; first += chunk) {
            int n = Math.min(chunk, rows - first);
            t.decode(first, n, trits);
            encode(trits, n, cols, rowIdx);
            System.arraycopy(rowIdx, 0, idx, first * groups, n * groups);
        }
        return new TernaryMatrix(rows, cols, groups, idx, t.scale());
    }

    /**
     * The indices of {@code n} rows of trits {@code trits[0 .. n * cols)} into {@code idx[0 .. n * groups)}: one
     * index per triple of consecutive inputs, the padding past {@code cols} zero weights.
     */
    static void encode(byte[] trits, int n, int cols, byte[] idx) {
        int groups = (cols + 2) / 3;
        int whole = cols / 3;
        for (int r = 0; r < n; r++) {
            int row = r * cols;
            int to = r * groups;
            for (int g = 0; g < whole; g++) {
                int c = row + 3 * g;
                idx[to + g] = (byte) TlmmIndex.encodeCodes(trits[c] + 1, trits[c + 1] + 1, trits[c + 2] + 1);
            }
            if (whole < groups) { // the last triple, padded with zero weights
                int c = 3 * whole;
                int w1 = c + 1 < cols ? trits[row + c + 1] : 0;
                idx[to + whole] = (byte) TlmmIndex.encodeCodes(trits[row + c] + 1, w1 + 1, 1);
            }
        }
    }

    /**
     * A matrix of uniformly random ternary weights (the padding past {@code cols} zero), for tests and
     * benchmarks.
     */
    public static TernaryMatrix random(int rows, int cols, float scale, java.util.random.RandomGenerator random) {
        int groups = (cols + 2) / 3;
        byte[] idx = new byte[rows * groups];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int w0 = random.nextInt(3) - 1;
                int w1 = 3 * g + 1 < cols ? random.nextInt(3) - 1 : 0;
                int w2 = 3 * g + 2 < cols ? random.nextInt(3) - 1 : 0;
                idx[r * groups + g] = (byte) TlmmIndex.encode(w0, w1, w2);
            }
        }
        return new TernaryMatrix(rows, cols, groups, idx, scale);
    }

    /** Decodes back to trits (the padding dropped). */
    public TernaryTensor toTensor() {
        byte[] v = new byte[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                v[r * cols + c] = (byte) TlmmIndex.weight(indices[r * groups + c / 3], c % 3);
            }
        }
        return new TernaryTensor(rows, cols, v, scale);
    }

    /** The index of row r, group g. */
    public int index(int r, int g) {
        return indices[r * groups + g];
    }
}
