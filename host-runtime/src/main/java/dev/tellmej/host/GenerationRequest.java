package dev.tellmej.host;

import java.util.List;

/**
 * What to generate.
 *
 * @param prompt         the whole token sequence the KV cache must hold before the first generated token (BOS
 *                       first); when the session's cache already holds a prefix of it, only the rest is run
 * @param maxTokens      tokens to generate at most, or -1 for "until end of text or context full"
 * @param sampling       how to choose each token
 * @param stops          stop strings: the generation ends before the first one (empty: none)
 * @param reserveTokens  when true, a prompt that leaves fewer than {@code maxTokens} positions is refused up
 *                       front (the server's rule); when false, the generation runs until the context is full
 *                       ({@code tellme run}'s)
 */
public record GenerationRequest(int[] prompt, int maxTokens, SamplingParams sampling, List<String> stops,
                                boolean reserveTokens) {
    public GenerationRequest {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token (BOS)");
        }
        if (maxTokens < -1) {
            throw new IllegalArgumentException("max tokens must be -1 (no limit) or >= 0, got " + maxTokens);
        }
        stops = List.copyOf(stops);
    }
}
