package dev.tellmej.accel.config;

import dev.tellmej.model.config.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The largest model a build runs: the sizes its on-chip buffers, counters and tables are made for. A model
 * fits when none of its sizes exceeds the maximum of the same name.
 *
 * @param hidden  hidden size (elements of the residual stream)
 * @param ffn     FFN intermediate size
 * @param heads   query heads
 * @param kvHeads key/value heads
 * @param headDim elements per head
 * @param layers  decoder blocks
 * @param vocab   vocabulary size (rows of the LM head)
 * @param context positions of the KV cache (the longest context a call may reach)
 */
public record ModelLimits(int hidden, int ffn, int heads, int kvHeads, int headDim, int layers, int vocab,
        int context) {
    public ModelLimits {
        if (hidden < 1 || ffn < 1 || heads < 1 || kvHeads < 1 || headDim < 2 || layers < 1 || vocab < 1
                || context < 1) {
            throw new IllegalArgumentException("every model maximum must be positive: " + this);
        }
    }

    /** The widest input of any ternary linear: the hidden size (q/k/v, gate/up), FFN (down) or heads x dim (o). */
    public int maxLinearInputs() {
        return Math.max(hidden, Math.max(ffn, heads * headDim));
    }

    /**
     * Every maximum {@code model} exceeds, one line each ({@code "hidden size 2560 > 1536"}), in the order of
     * this record's components; empty when it fits. The context is not among them: a model trained for a longer
     * context runs with its KV cache capped at {@link #context()} positions ({@link #contextNote}).
     */
    public List<String> exceededBy(ModelConfig model) {
        List<String> out = new ArrayList<>();
        check(out, "hidden size", model.dim(), hidden);
        check(out, "FFN size", model.ffnDim(), ffn);
        check(out, "query heads", model.heads(), heads);
        check(out, "KV heads", model.kvHeads(), kvHeads);
        check(out, "head dimension", model.headDim(), headDim);
        check(out, "layers", model.layers(), layers);
        check(out, "vocabulary", model.vocabSize(), vocab);
        return out;
    }

    /** A note when {@code model} was trained for a longer context than the KV cache holds; empty otherwise. */
    public java.util.Optional<String> contextNote(ModelConfig model) {
        if (model.contextLength() <= context) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("context capped at " + context + " positions; the model was trained for "
                + model.contextLength());
    }

    private static void check(List<String> out, String what, int value, int maximum) {
        if (value > maximum) {
            out.add(what + " " + value + " > " + maximum);
        }
    }
}
