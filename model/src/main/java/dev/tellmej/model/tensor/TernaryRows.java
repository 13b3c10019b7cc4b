package dev.tellmej.model.tensor;

/**
 * A ternary weight matrix with one scale for the whole tensor, whose trits are handed out a few rows at a time:
 * a consumer that re-lays the matrix (the exact path's kernels) never needs all of it as one byte a weight.
 * {@link TernaryTensor} holds its trits in memory; {@link TensorCodecs#ternaryRows} decodes them on request from
 * a file's encoding.
 */
public interface TernaryRows {
    /** Output features. */
    int rows();

    /** Input features. */
    int cols();

    /** The per-tensor scale that multiplies the trits. */
    float scale();

    /**
     * Writes the trits of rows {@code [from, from + n)}, row-major, into {@code dst[0 .. n * cols)}. The kernels
     * call it from several threads at once, each for rows of its own.
     */
    void decode(int from, int n, byte[] dst);
}
