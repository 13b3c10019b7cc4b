package dev.tellmej.host;

/**
 * How the next token is chosen, with llama.cpp's names and meanings.
 *
 * @param temperature   0 for greedy (the most likely token, the lowest id among equals), else the softmax
 *                      temperature, finite and &gt; 0
 * @param topK          keep the k most likely tokens (0: all)
 * @param topP          keep the smallest most-likely set whose probability reaches this, in (0, 1] (1: off)
 * @param minP          drop tokens less likely than this fraction of the most likely one, in [0, 1) (0: off)
 * @param repeatPenalty divide positive logits and multiply negative ones of recently seen tokens by this, &gt;= 1
 *                      (1: off); applied in greedy decoding too
 * @param repeatLastN   how many of the most recent tokens (prompt included) the penalty looks at (0: off)
 * @param seed          the random generator's seed (used when temperature &gt; 0)
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repeatPenalty,
                             int repeatLastN, long seed) {
    public SamplingParams {
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0f && minP < 1f)) {
            throw new IllegalArgumentException("min-p must be in [0, 1), got " + minP);
        }
        if (!(repeatPenalty >= 1f) || Float.isInfinite(repeatPenalty)) {
            throw new IllegalArgumentException("the repeat penalty must be finite and >= 1, got " + repeatPenalty);
        }
        if (repeatLastN < 0) {
            throw new IllegalArgumentException("repeat-last-n must be >= 0, got " + repeatLastN);
        }
    }

    /** Greedy decoding, no penalty. */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 64, 0);
    }

    /** The same settings with another seed. */
    public SamplingParams withSeed(long s) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, s);
    }
}
