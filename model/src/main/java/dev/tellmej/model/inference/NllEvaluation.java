package dev.tellmej.model.inference;

import dev.tellmej.model.sample.Sampler;
import dev.tellmej.model.sample.SamplerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Held-out negative log-likelihood: sample sequences from a teacher, then score any model on them as the mean
 * of {@code -ln p(next token)} over every predicted token (nats per token).
 */
public final class NllEvaluation {
    private NllEvaluation() {}

    /**
     * Samples {@code sequences} sequences of up to {@code length} tokens (BOS first; a sequence ends early at
     * BOS or EOS) from {@code teacher} at temperature 1 with the given seed.
     */
    public static List<int[]> sample(LanguageModel teacher, int sequences, int length, long seed, int bos, int eos) {
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < sequences; s++) {
            Sampler sampler = new Sampler(new SamplerConfig(1f, 0, 1f, seed + s));
            int[] generated = Generator.generate(teacher, new int[] {bos}, length - 1, sampler, bos, eos, t -> {});
            int[] seq = new int[generated.length + 1];
            seq[0] = bos;
            System.arraycopy(generated, 0, seq, 1, generated.length);
            out.add(seq);
        }
        return out;
    }

    /** Mean NLL per predicted token of {@code model} over the sequences (nats). */
    public static double meanNll(LanguageModel model, List<int[]> sequences) {
        double total = 0;
        long count = 0;
        for (int[] seq : sequences) {
            model.reset();
            for (int i = 0; i + 1 < seq.length; i++) {
                float[] logits = model.forward(seq[i], i);
                total += -logSoftmax(logits, seq[i + 1]);
                count++;
            }
        }
        return total / count;
    }

    /** Number of predicted tokens in the sequences. */
    public static long predictedTokens(List<int[]> sequences) {
        return sequences.stream().mapToLong(s -> s.length - 1).sum();
    }

    /** ln softmax(logits)[target], in double. */
    static double logSoftmax(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return logits[target] - max - Math.log(sum);
    }
}
