package dev.tellmej.model.inference;

import dev.tellmej.model.sample.Sampler;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/** Runs a prompt and then samples tokens one by one, handing each to a listener as soon as it exists. */
public final class Generator {
    private Generator() {}

    /**
     * Generates up to {@code steps} tokens after {@code prompt} (which should start with BOS), stopping early at
     * BOS or EOS (not passed to the listener); returns the generated ids.
     */
    public static int[] generate(LanguageModel model, int[] prompt, int steps, Sampler sampler, int bos, int eos,
                                 IntConsumer listener) {
        model.reset();
        float[] logits = model.prefill(prompt, 0);
        List<Integer> out = new ArrayList<>();
        int position = prompt.length;
        for (int step = 0; step < steps; step++) {
            int token = sampler.sample(logits);
            if (token == bos || token == eos) {
                break;
            }
            out.add(token);
            listener.accept(token);
            if (step + 1 == steps || position >= model.capacity()) {
                break;
            }
            logits = model.forward(token, position++);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
