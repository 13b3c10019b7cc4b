package dev.tellmej.model.inference;

import dev.tellmej.model.config.ModelConfig;

/**
 * A decoder with its KV cache: feed tokens one position at a time and get next-token logits. Positions must
 * be fed in order from 0; {@link #reset()} starts a new sequence.
 */
public sealed interface LanguageModel permits FloatModel, ExactModel {
    ModelConfig config();

    /** KV-cache capacity in tokens. */
    int capacity();

    /** Runs one token at {@code position} (the next free one), caching its K and V; returns the logits. */
    float[] forward(int token, int position);

    /** Runs a prompt from {@code position} on; returns the logits after its last token. */
    default float[] prefill(int[] tokens, int position) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        float[] logits = null;
        for (int i = 0; i < tokens.length; i++) {
            logits = forward(tokens[i], position + i);
        }
        return logits;
    }

    /** Forgets the cached sequence. */
    void reset();
}
