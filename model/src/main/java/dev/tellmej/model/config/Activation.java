package dev.tellmej.model.config;

/** The FFN gate's activation: {@code act(gate) * up}. */
public enum Activation {
    /** x * sigmoid(x) (LLaMA, 1bitLLM BitNet models). */
    SILU,
    /** max(x, 0)^2 (bitnet-b1.58-2B-4T, {@code hidden_act = relu2}). */
    RELU2
}
