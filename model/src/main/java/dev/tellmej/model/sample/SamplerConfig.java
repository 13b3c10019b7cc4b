package dev.tellmej.model.sample;

/**
 * Sampling settings.
 *
 * @param temperature 0 for greedy, else the softmax temperature (> 0)
 * @param topK        keep the k most likely tokens (0 = all)
 * @param topP        keep the smallest most-likely set whose probability reaches this (1 = all), in (0, 1]
 * @param seed        the random generator's seed
 */
public record SamplerConfig(float temperature, int topK, float topP, long seed) {
    public SamplerConfig {
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
    }

    /** Greedy decoding. */
    public static SamplerConfig greedy() {
        return new SamplerConfig(0f, 0, 1f, 0);
    }
}
