package dev.tellmej.model.config;

/** Which elements of a head RoPE rotates together (NUMERICS.md N14). */
public enum RopeStyle {
    /** Pairs (2i, 2i+1): GGUF arch {@code llama}, whose converter permuted the q/k rows. */
    ADJACENT,
    /** Pairs (i, i + d/2) (NEOX style): GGUF arch {@code bitnet} and Hugging Face checkpoints. */
    HALF_SPLIT
}
