package dev.tellmej.model.sample;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy (temperature 0), or softmax at a temperature restricted to the
 * {@code topK} most likely tokens and then to the smallest set whose probability reaches {@code topP}, drawn
 * with a seeded generator so a run repeats exactly.
 */
public final class Sampler {
    private final SamplerConfig config;
    private final SplittableRandom random;

    public Sampler(SamplerConfig config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    public SamplerConfig config() {
        return config;
    }

    /** The argmax (the lowest id among equal maxima). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The next token id. */
    public int sample(float[] logits) {
        if (config.temperature() == 0f) {
            return argmax(logits);
        }
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Descending by logit, ties by id, so the candidate set is deterministic.
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int k = config.topK() > 0 ? Math.min(config.topK(), n) : n;
        double max = logits[order[0]];
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / config.temperature());
            sum += p[i];
        }
        int keep = k;
        if (config.topP() < 1f) {
            double cumulative = 0;
            for (int i = 0; i < k; i++) {
                cumulative += p[i] / sum;
                if (cumulative >= config.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += p[i];
        }
        double r = random.nextDouble() * total;
        double acc = 0;
        for (int i = 0; i < keep; i++) {
            acc += p[i];
            if (r < acc) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
