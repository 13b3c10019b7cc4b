package dev.tellmej.model.config;

/**
 * The shape and recipe of a LLaMA-family decoder, read from a model file's metadata.
 *
 * @param architecture   GGUF architecture name or HF model type ({@code llama}, {@code bitnet}, ...)
 * @param dim            hidden size
 * @param layers         number of decoder blocks
 * @param heads          query heads
 * @param kvHeads        key/value heads (GQA when fewer than {@code heads})
 * @param headDim        elements per head
 * @param ffnDim         FFN (intermediate) width
 * @param vocabSize      vocabulary size
 * @param contextLength  the longest context the model was trained for
 * @param ropeTheta      RoPE frequency base
 * @param rmsEps         RMSNorm epsilon
 * @param ropeStyle      which elements RoPE pairs
 * @param activation     gate activation
 * @param subNorms       BitNet sub-norms before o_proj and down_proj
 * @param tiedEmbeddings the LM head reuses the token embedding
 */
public record ModelConfig(String architecture, int dim, int layers, int heads, int kvHeads, int headDim,
                          int ffnDim, int vocabSize, int contextLength, float ropeTheta, float rmsEps,
                          RopeStyle ropeStyle, Activation activation, boolean subNorms,
                          boolean tiedEmbeddings) {
    public ModelConfig {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || ffnDim <= 0 || vocabSize <= 0
                || contextLength <= 0) {
            throw new IllegalArgumentException("every size must be positive: " + this);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " heads is not a multiple of " + kvHeads + " KV heads");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head dimension " + headDim + " is odd; RoPE needs pairs");
        }
    }

    /** Width of the K and V projections. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Width of the Q projection. */
    public int qDim() {
        return heads * headDim;
    }

    /** This configuration with another context length (the KV cache size). */
    public ModelConfig withContextLength(int length) {
        return new ModelConfig(architecture, dim, layers, heads, kvHeads, headDim, ffnDim, vocabSize, length,
                ropeTheta, rmsEps, ropeStyle, activation, subNorms, tiedEmbeddings);
    }
}
