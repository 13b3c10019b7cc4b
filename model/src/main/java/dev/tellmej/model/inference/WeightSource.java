package dev.tellmej.model.inference;

import dev.tellmej.model.config.ModelConfig;

/**
 * A model's tensors, read from its file one at a time on request, so that a consumer that needs one layer at
 * a time (the image packer) never holds the whole model. Each call reads and decodes again; the file must stay
 * open while the source is used.
 */
public interface WeightSource {
    ModelConfig config();

    /** Token embedding, {@code vocab x dim} row-major. */
    float[] embedding();

    /** Final RMSNorm gain. */
    float[] outputNorm();

    /** LM head, {@code vocab x dim} row-major (the embedding when tied). */
    float[] output();

    /**
     * The token embedding, decoded a few rows at a time (by default from {@link #embedding}; a file's source keeps
     * it in the file's encoding).
     */
    default MatrixRows embeddingRows() {
        return MatrixRows.of(embedding(), config().vocabSize(), config().dim());
    }

    /** The LM head as {@link #output}, decoded a few rows at a time. */
    default MatrixRows outputRows() {
        return MatrixRows.of(output(), config().vocabSize(), config().dim());
    }

    /** Decoder block {@code i}. */
    LayerWeights layer(int i);
}
