package dev.tellmej.model.inference;

import dev.tellmej.model.tensor.TernaryTensor;

/** A linear layer's weights, {@code rows} outputs by {@code cols} inputs. */
public sealed interface Linear {
    int rows();

    int cols();

    /** Full-precision weights, row-major. */
    record Dense(int rows, int cols, float[] weights) implements Linear {
        public Dense {
            if ((long) rows * cols != weights.length) {
                throw new IllegalArgumentException(rows + " x " + cols + " != " + weights.length);
            }
        }
    }

    /** Ternary weights with a per-tensor scale (BitLinear, W1.58 A8). */
    record Ternary(TernaryTensor tensor) implements Linear {
        public int rows() {
            return tensor.rows();
        }

        public int cols() {
            return tensor.cols();
        }
    }
}
