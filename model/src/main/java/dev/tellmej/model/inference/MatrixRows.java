package dev.tellmej.model.inference;

import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.tensor.TensorCodecs;
import java.lang.foreign.MemorySegment;

/**
 * A {@code rows x cols} row-major matrix that is decoded to binary32 a few rows at a time, so that whoever goes
 * through it row by row (the exact path's embedding lookup and LM-head quantization) never holds all of it as
 * binary32 at once.
 */
public interface MatrixRows {
    /** Rows. */
    int rows();

    /** Elements per row. */
    int cols();

    /** Decodes rows [from, from + n) into {@code dst[0 .. n * cols)}, exactly as the whole matrix decodes. */
    void decode(int from, int n, float[] dst);

    /** Bytes this holds in memory. */
    long bytes();

    /** A matrix already in memory as binary32. */
    static MatrixRows of(float[] values, int rows, int cols) {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(rows + " x " + cols + " != " + values.length);
        }
        return new MatrixRows() {
            @Override
            public int rows() {
                return rows;
            }

            @Override
            public int cols() {
                return cols;
            }

            @Override
            public void decode(int from, int n, float[] dst) {
                System.arraycopy(values, from * cols, dst, 0, n * cols);
            }

            @Override
            public long bytes() {
                return 4L * values.length;
            }
        };
    }

    /**
     * A tensor kept in its file encoding: its bytes are copied out of {@code data} (a mapped file may close), and
     * rows are decoded on request by {@link TensorCodecs#decode}. Null when the encoding cannot be cut into rows
     * (I2_S, which keeps one scale for the whole tensor at its end) or the bytes do not fit one array.
     *
     * @param data exactly the tensor's bytes
     */
    static MatrixRows encoded(GgmlType type, MemorySegment data, int rows, int cols) {
        if (!cuttable(type, data, rows, cols) || data.byteSize() > Integer.MAX_VALUE - 8) {
            return null;
        }
        return over(type, MemorySegment.ofArray(data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)), rows, cols,
                true);
    }

    /**
     * As {@link #encoded}, but reading {@code data} in place (a view of a mapped file: nothing is copied, so the
     * file must stay open while the rows are read, and {@link #bytes} is 0). Null where {@link #encoded} is.
     */
    static MatrixRows view(GgmlType type, MemorySegment data, int rows, int cols) {
        return cuttable(type, data, rows, cols) ? over(type, data, rows, cols, false) : null;
    }

    private static boolean cuttable(GgmlType type, MemorySegment data, int rows, int cols) {
        long rowBytes = type.byteSize(cols, cols);
        return type != GgmlType.I2_S && rowBytes > 0 && rowBytes * rows == data.byteSize();
    }

    private static MatrixRows over(GgmlType type, MemorySegment data, int rows, int cols, boolean held) {
        long rowBytes = type.byteSize(cols, cols);
        return new MatrixRows() {
            @Override
            public int rows() {
                return rows;
            }

            @Override
            public int cols() {
                return cols;
            }

            @Override
            public void decode(int from, int n, float[] dst) {
                TensorCodecs.decode(type, data.asSlice(from * rowBytes, n * rowBytes), n * cols, dst, 0);
            }

            @Override
            public long bytes() {
                return held ? data.byteSize() : 0;
            }
        };
    }
}
