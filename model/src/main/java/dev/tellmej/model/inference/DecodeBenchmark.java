package dev.tellmej.model.inference;

import java.util.Arrays;

/**
 * Measures decode speed: after a warm-up, several runs each feed BOS and then time {@code tokens} greedy
 * decode steps (every step runs the whole model, the LM head and the argmax). Reports the median.
 */
public final class DecodeBenchmark {
    /**
     * @param tokensPerSecond  median decode tokens/s over the runs
     * @param runs             tokens/s of each run
     * @param ternaryMacs      ternary multiply-accumulates per token (the linears)
     * @param headMacs         int8 multiply-accumulates per token in the LM head
     */
    public record Result(double tokensPerSecond, double[] runs, long ternaryMacs, long headMacs) {
        /** Ternary GMAC/s at the median speed. */
        public double ternaryGmacPerSecond() {
            return tokensPerSecond * ternaryMacs / 1e9;
        }

        /** All MACs (ternary and LM head) in GMAC/s at the median speed. */
        public double totalGmacPerSecond() {
            return tokensPerSecond * (ternaryMacs + headMacs) / 1e9;
        }
    }

    private DecodeBenchmark() {}

    public static Result run(LanguageModel model, int warmupTokens, int runs, int tokens) {
        if (tokens + 1 > model.capacity()) {
            throw new IllegalArgumentException(tokens + " tokens do not fit a cache of " + model.capacity());
        }
        decode(model, warmupTokens);
        double[] rates = new double[runs];
        for (int r = 0; r < runs; r++) {
            rates[r] = tokens / (decode(model, tokens) / 1e9);
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
        var c = model.config();
        long perLayer = (long) c.dim() * c.qDim() * 2 + 2L * c.dim() * c.kvDim() + 3L * c.dim() * c.ffnDim();
        return new Result(median, rates, perLayer * c.layers(), (long) c.vocabSize() * c.dim());
    }

    /** Feeds BOS, then times {@code tokens} greedy decode steps; returns their nanoseconds. */
    private static long decode(LanguageModel model, int tokens) {
        model.reset();
        float[] logits = model.forward(1, 0);
        long start = System.nanoTime();
        for (int i = 0; i < tokens; i++) {
            int next = 0;
            for (int j = 1; j < logits.length; j++) {
                if (logits[j] > logits[next]) {
                    next = j;
                }
            }
            logits = model.forward(next, i + 1);
        }
        return System.nanoTime() - start;
    }
}
