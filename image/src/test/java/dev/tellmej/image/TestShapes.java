package dev.tellmej.image;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.config.RopeStyle;

/** Model shapes that fit sim-small, one of each architecture the compiler handles. */
final class TestShapes {
    private TestShapes() {}

    /** LLaMA: SiLU, half-split RoPE, no sub-norms, untied, GQA (6 heads on 3 KV heads). */
    static ModelConfig llama() {
        return new ModelConfig("llama", 96, 2, 6, 3, 16, 160, 320, 128, 10000f, 1e-5f, RopeStyle.HALF_SPLIT,
                Activation.SILU, false, false);
    }

    /** BitNet b1.58: ReLU², adjacent RoPE pairs, sub-norms, tied, GQA (4 heads on 2 KV heads). */
    static ModelConfig bitnet() {
        return new ModelConfig("bitnet", 64, 3, 4, 2, 16, 96, 300, 256, 500000f, 1e-6f, RopeStyle.ADJACENT,
                Activation.RELU2, true, true);
    }
}
