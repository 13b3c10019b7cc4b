package dev.tellmej.host;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits with {@link SamplingParams}: the repeat penalty first, then greedy (temperature
 * 0), or top-k, the softmax at the temperature, top-p and min-p, and a draw from a seeded generator, so a run
 * with the same seed repeats exactly. Not thread-safe: one per generation.
 */
public final class TokenSampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    public TokenSampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    /**
     * The next token id.
     *
     * @param logits the device's logits (not changed)
     * @param recent the tokens so far, oldest first; the last {@code repeatLastN} of them are penalized
     * @param count  how many of {@code recent} are valid
     */
    public int sample(float[] logits, int[] recent, int count) {
        float[] l = logits;
        if (params.repeatPenalty() != 1f && params.repeatLastN() > 0 && count > 0) {
            l = logits.clone();
            boolean[] seen = new boolean[l.length];
            for (int i = Math.max(0, count - params.repeatLastN()); i < count; i++) {
                int t = recent[i];
                if (t >= 0 && t < l.length && !seen[t]) {
                    seen[t] = true;
                    l[t] = l[t] > 0 ? l[t] / params.repeatPenalty() : l[t] * params.repeatPenalty();
                }
            }
        }
        if (params.temperature() == 0f) {
            return argmax(l);
        }
        return draw(l);
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

    private int draw(float[] logits) {
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Descending by logit, ties by id, so the candidate set is deterministic.
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a])
                : Integer.compare(a, b));
        int k = params.topK() > 0 ? Math.min(params.topK(), n) : n;
        double max = logits[order[0]];
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / params.temperature());
            sum += p[i];
        }
        int keep = k;
        if (params.topP() < 1f) {
            double cumulative = 0;
            for (int i = 0; i < k; i++) {
                cumulative += p[i] / sum;
                if (cumulative >= params.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        if (params.minP() > 0f) {
            // p[0] is the most likely token's weight (exp(0) = 1): keep those at least minP of it.
            int kept = 1;
            while (kept < keep && p[kept] >= params.minP() * p[0]) {
                kept++;
            }
            keep = kept;
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
