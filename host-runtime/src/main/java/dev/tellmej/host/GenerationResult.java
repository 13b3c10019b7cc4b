package dev.tellmej.host;

/**
 * A finished generation.
 *
 * @param text         the generated text (a stop string and what followed it excluded)
 * @param tokens       the generated token ids, the stop token excluded
 * @param stopReason   why it ended
 * @param promptTokens tokens of the whole prompt (cached ones included)
 * @param cachedTokens tokens of the prompt the KV cache already held, not run again
 * @param timings      where the time went
 */
public record GenerationResult(String text, int[] tokens, StopReason stopReason, int promptTokens, int cachedTokens,
                               Timings timings) {}
