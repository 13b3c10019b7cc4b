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

    /**
     * Decoder block {@code i} with every linear ternary, rows decoded on request (by default from {@link #layer};
     * a file's source decodes the trits from the file's encoding as they are read, never the whole matrix at once).
     *
     * @throws NotTernaryException when a linear of the block is not ternary with one scale
     */
    default TernaryLayer ternaryLayer(int i) {
        return TernaryLayer.of(layer(i), i);
    }

    /**
     * The norm gains of decoder block {@code i} alone (by default from {@link #ternaryLayer}; a file's source reads
     * only them, not the block's matrices).
     */
    default LayerNorms layerNorms(int i) {
        TernaryLayer l = ternaryLayer(i);
        return new LayerNorms(l.attnNorm(), l.attnSubNorm(), l.ffnNorm(), l.ffnSubNorm());
    }

    /**
     * Says that the consumer keeps what it needs of the tensors read so far: a source over a memory-mapped file lets
     * the system drop the file's pages from the process's memory (they are read again on the next access). A hint;
     * by default nothing.
     */
    default void release() {}
}
