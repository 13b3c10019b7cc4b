package dev.tellmej.model.inference;

/**
 * The RMSNorm gains of one decoder block (sub-norm gains null for models without sub-norms): all a block needs from
 * its file when its matrices come from elsewhere (the packed-weight cache).
 */
public record LayerNorms(float[] attnNorm, float[] attnSubNorm, float[] ffnNorm, float[] ffnSubNorm) {}
