package dev.tellmej.model.tensor;

/**
 * A ternary weight matrix with one scale for the whole tensor: {@code W[r][c] = values[r * cols + c] * scale},
 * values in {-1, 0, +1}.
 *
 * @param rows   output features
 * @param cols   input features
 * @param values row-major trits, one byte each
 * @param scale  the per-tensor scale that multiplies (BitNet absmean scale)
 */
public record TernaryTensor(int rows, int cols, byte[] values, float scale) {
    public TernaryTensor {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(rows + " x " + cols + " needs " + (long) rows * cols + " values, got "
                    + values.length);
        }
    }

    /** The trit at (row, col). */
    public int get(int row, int col) {
        return values[row * cols + col];
    }

    /** The weights dequantized: {@code trit * scale}. */
    public float[] toFloats() {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i] * scale;
        }
        return out;
    }
}
