package dev.tellmej.model.inference;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Measures prefill and decode speed, as llama-bench's pp and tg do: prefill runs time one
 * {@link LanguageModel#prefill} of a prompt of seeded random tokens (BOS first); decode runs first fill the cache
 * with {@code depth} such tokens (untimed), then time {@code tokens} greedy decode steps (every step runs the
 * whole model, the LM head and the argmax). Reports medians.
 */
public final class DecodeBenchmark {
    /**
     * @param tokensPerSecond        median decode tokens/s over the runs
     * @param runs                   tokens/s of each decode run
     * @param prefillTokensPerSecond median prefill tokens/s over the runs (0 when no prefill was measured)
     * @param prefillRuns            tokens/s of each prefill run
     * @param ternaryMacs            ternary multiply-accumulates per token (the linears)
     * @param headMacs               int8 multiply-accumulates per token in the LM head
     */
    public record Result(double tokensPerSecond, double[] runs, double prefillTokensPerSecond, double[] prefillRuns,
                         long ternaryMacs, long headMacs) {
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

    /** Decode only, from an empty cache (depth 0), no prefill runs. */
    public static Result run(LanguageModel model, int warmupTokens, int runs, int tokens) {
        return run(model, warmupTokens, runs, tokens, 0, 0);
    }

    /**
     * @param promptTokens tokens per timed prefill (0: no prefill runs)
     * @param depth        tokens in the cache before each timed decode run (0: BOS only)
     */
    public static Result run(LanguageModel model, int warmupTokens, int runs, int tokens, int promptTokens,
                             int depth) {
        return run(model, warmupTokens, runs, tokens, promptTokens, depth, (done, total, what) -> { });
    }

    /** Hears each step of a run end: the warm-up, then each timed prefill and decode run. */
    @FunctionalInterface
    public interface Steps {
        /**
         * @param done  steps done so far, 1 to {@code total}
         * @param total all the steps of this benchmark
         * @param what  the step just done ({@code warm-up}, {@code prefill 2/5}, {@code decode 3/5})
         */
        void done(int done, int total, String what);
    }

    /** As {@link #run(LanguageModel, int, int, int, int, int)}, telling {@code steps} as each step ends (untimed). */
    public static Result run(LanguageModel model, int warmupTokens, int runs, int tokens, int promptTokens,
                             int depth, Steps steps) {
        if (Math.max(depth, 1) + tokens > model.capacity() || promptTokens > model.capacity()) {
            throw new IllegalArgumentException("a prompt of " + promptTokens + " or " + depth + " + " + tokens
                    + " tokens do not fit a cache of " + model.capacity());
        }
        int[] prompt = prompt(Math.max(Math.max(promptTokens, depth), 1), model.config().vocabSize());
        if (promptTokens > 0) {
            prefill(model, Arrays.copyOf(prompt, promptTokens));
        }
        decode(model, Arrays.copyOf(prompt, 1), Math.min(warmupTokens, model.capacity() - 1));
        double[] prefillRates = new double[promptTokens > 0 ? runs : 0];
        int total = 1 + prefillRates.length + runs;
        int done = 0;
        steps.done(++done, total, "warm-up");
        for (int r = 0; r < prefillRates.length; r++) {
            prefillRates[r] = promptTokens / (prefill(model, Arrays.copyOf(prompt, promptTokens)) / 1e9);
            steps.done(++done, total, "prefill " + (r + 1) + "/" + runs);
        }
        double[] rates = new double[runs];
        int[] context = Arrays.copyOf(prompt, Math.max(depth, 1));
        for (int r = 0; r < runs; r++) {
            rates[r] = tokens / (decode(model, context, tokens) / 1e9);
            steps.done(++done, total, "decode " + (r + 1) + "/" + runs);
        }
        var c = model.config();
        long perLayer = (long) c.dim() * c.qDim() * 2 + 2L * c.dim() * c.kvDim() + 3L * c.dim() * c.ffnDim();
        return new Result(median(rates), rates, prefillRates.length == 0 ? 0 : median(prefillRates), prefillRates,
                perLayer * c.layers(), (long) c.vocabSize() * c.dim());
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** BOS, then seeded random tokens past the first 3 ids (the specials of the SentencePiece vocabularies). */
    private static int[] prompt(int length, int vocab) {
        SplittableRandom random = new SplittableRandom(2048);
        int[] p = new int[length];
        p[0] = 1;
        for (int i = 1; i < length; i++) {
            p[i] = 3 + random.nextInt(vocab - 3);
        }
        return p;
    }

    /** Times one prefill from an empty cache; returns its nanoseconds. */
    private static long prefill(LanguageModel model, int[] prompt) {
        model.reset();
        long start = System.nanoTime();
        model.prefill(prompt, 0);
        return System.nanoTime() - start;
    }

    /** Prefills {@code context} (untimed), then times {@code tokens} greedy decode steps; returns nanoseconds. */
    private static long decode(LanguageModel model, int[] context, int tokens) {
        model.reset();
        float[] logits = model.prefill(context, 0);
        long start = System.nanoTime();
        for (int i = 0; i < tokens; i++) {
            int next = 0;
            for (int j = 1; j < logits.length; j++) {
                if (logits[j] > logits[next]) {
                    next = j;
                }
            }
            logits = model.forward(next, context.length + i);
        }
        return System.nanoTime() - start;
    }
}
