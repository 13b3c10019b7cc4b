package dev.tellmej.model.inference;

/**
 * One decoder block. Sub-norm gains are null for models without sub-norms.
 */
public record LayerWeights(float[] attnNorm, Linear q, Linear k, Linear v, Linear o, float[] attnSubNorm,
                           float[] ffnNorm, Linear gate, Linear up, Linear down, float[] ffnSubNorm) {}
