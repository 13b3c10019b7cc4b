package dev.tellmej.model.inference;

import dev.tellmej.model.config.ModelConfig;
import java.util.List;

/**
 * A whole model in memory, independent of the file it came from.
 *
 * @param embedding  token embedding, {@code vocab x dim} row-major
 * @param outputNorm final RMSNorm gain
 * @param output     LM head, {@code vocab x dim} row-major (the embedding itself when tied)
 */
public record ModelWeights(ModelConfig config, float[] embedding, float[] outputNorm, float[] output,
                           List<LayerWeights> layers) {
    public ModelWeights {
        layers = List.copyOf(layers);
    }

    /** True when every q/k/v/o/gate/up/down weight is ternary. */
    public boolean allTernary() {
        return layers.stream().allMatch(l -> l.q() instanceof Linear.Ternary && l.k() instanceof Linear.Ternary
                && l.v() instanceof Linear.Ternary && l.o() instanceof Linear.Ternary
                && l.gate() instanceof Linear.Ternary && l.up() instanceof Linear.Ternary
                && l.down() instanceof Linear.Ternary);
    }
}
