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

    /** Decoder block {@code i}. */
    LayerWeights layer(int i);
}
