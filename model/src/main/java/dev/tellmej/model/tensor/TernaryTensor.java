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
public record TernaryTensor(int rows, int cols, byte[] values, float scale) implements TernaryRows {
    public TernaryTensor {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(rows + " x " + cols + " needs " + (long) rows * cols + " values, got "
                    + values.length);
        }
    }

    /**
     * The ternary tensor behind float weights that take only the values -a, 0 and +a for one a > 0 (as
     * llama.cpp's BitNet converter writes ternary weights in F16/F32), or null when they are anything else.
     */
    public static TernaryTensor detect(float[] weights, int rows, int cols) {
        float a = 0f;
        for (float w : weights) {
            if (w != 0f) {
                a = Math.abs(w);
                break;
            }
        }
        if (!(a > 0f) || !Float.isFinite(a)) {
            return null;
        }
        byte[] trits = new byte[weights.length];
        for (int i = 0; i < weights.length; i++) {
            float w = weights[i];
            if (w == a) {
                trits[i] = 1;
            } else if (w == -a) {
                trits[i] = -1;
            } else if (w != 0f) {
                return null;
            }
        }
        return new TernaryTensor(rows, cols, trits, a);
    }

    @Override
    public void decode(int from, int n, byte[] dst) {
        System.arraycopy(values, from * cols, dst, 0, n * cols);
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
