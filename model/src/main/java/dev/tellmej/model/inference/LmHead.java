package dev.tellmej.model.inference;

import dev.tellmej.model.numerics.ActivationQuantizer;

/**
 * The int8 LM head of NUMERICS.md N16: each row of the float output matrix quantized offline by its own absmax,
 * {@code a_j = max_i |W_ji|}, {@code q_ji = sat8(rne(W_ji * (127 / a_j)))}, {@code rowScale_j = a_j / 127}
 * (IEEE division: an offline packer step, not a hardware operation); rows with a_j = 0 are all zero with scale 0.
 *
 * @param rows      vocabulary size
 * @param cols      hidden size
 * @param weights   row-major int8
 * @param rowScales one binary32 scale per row
 */
public record LmHead(int rows, int cols, byte[] weights, float[] rowScales) {
    /** Quantizes a row-major float matrix. */
    public static LmHead quantize(float[] w, int rows, int cols) {
        return quantize(MatrixRows.of(w, rows, cols));
    }

    /** Quantizes a matrix decoded a few rows at a time (never all of it as binary32 at once). */
    public static LmHead quantize(MatrixRows w) {
        int rows = w.rows();
        int cols = w.cols();
        byte[] q = new byte[Math.multiplyExact(rows, cols)];
        float[] scales = new float[rows];
        int chunk = Math.max(1, Math.min(rows, (1 << 18) / Math.max(1, cols)));
        float[] values = new float[chunk * cols];
        for (int from = 0; from < rows; from += chunk) {
            int n = Math.min(chunk, rows - from);
            w.decode(from, n, values);
            for (int k = 0; k < n; k++) {
                quantizeRow(values, k * cols, cols, q, (from + k) * cols, scales, from + k);
            }
        }
        return new LmHead(rows, cols, q, scales);
    }

    /** Row r of N16: absmax a, {@code q = sat8(rne(w * (127 / a)))}, scale {@code a / 127}; all zero when a is 0. */
    private static void quantizeRow(float[] w, int off, int cols, byte[] q, int qOff, float[] scales, int r) {
        float a = 0f;
        for (int i = 0; i < cols; i++) {
            a = Math.max(a, Math.abs(w[off + i]));
        }
        if (a == 0f || !Float.isFinite(a)) {
            return;
        }
        float inv = 127f / a;
        for (int i = 0; i < cols; i++) {
            q[qOff + i] = (byte) ActivationQuantizer.toInt8(w[off + i] * inv);
        }
        scales[r] = a / 127f;
    }

    /** The int32 accumulator of row r with int8 activations x. */
    public int dot(int r, byte[] x) {
        int acc = 0;
        int base = r * cols;
        for (int i = 0; i < cols; i++) {
            acc += weights[base + i] * x[i];
        }
        return acc;
    }
}
