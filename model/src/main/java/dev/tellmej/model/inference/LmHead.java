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
        byte[] q = new byte[rows * cols];
        float[] scales = new float[rows];
        for (int r = 0; r < rows; r++) {
            float a = 0f;
            for (int i = 0; i < cols; i++) {
                a = Math.max(a, Math.abs(w[r * cols + i]));
            }
            if (a == 0f || !Float.isFinite(a)) {
                continue;
            }
            float inv = 127f / a;
            for (int i = 0; i < cols; i++) {
                q[r * cols + i] = (byte) ActivationQuantizer.toInt8(w[r * cols + i] * inv);
            }
            scales[r] = a / 127f;
        }
        return new LmHead(rows, cols, q, scales);
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
