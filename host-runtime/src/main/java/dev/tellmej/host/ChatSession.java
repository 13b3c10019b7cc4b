package dev.tellmej.host;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A conversation on a device: each turn appends the user's message and the answer to the token history, and
 * since the device's KV cache already holds the history, only the new turn is run (no re-prefill of the
 * conversation). {@link #interrupt()} (Ctrl-C) stops the current answer and keeps the session.
 */
public final class ChatSession {
    private final DeviceSlot slot;
    private final PromptEncoder encoder;
    private final SamplingParams sampling;
    private final int maxTokens;
    private final String system;
    private int[] history = new int[0];
    private volatile boolean interrupted;
    private long turn;

    /**
     * @param maxTokens the longest answer in tokens, or -1 for "until end of text or context full"
     * @param system    a system message to start the conversation with, or null
     */
    public ChatSession(DeviceSlot slot, PromptEncoder encoder, SamplingParams sampling, int maxTokens, String system) {
        this.slot = slot;
        this.encoder = encoder;
        this.sampling = sampling;
        this.maxTokens = maxTokens;
        this.system = system;
    }

    /**
     * The answer to {@code message}, streamed to {@code listener}.
     *
     * @throws ContextFullException when the conversation no longer fits the context ({@link #reset()} starts over)
     */
    public GenerationResult say(String message, TokenListener listener) {
        interrupted = false;
        ChatTemplate template = encoder.template();
        int[] start = history.length > 0 ? history : system != null
                ? encoder.withBos(template.message(new ChatMessage("system", system))) : encoder.withBos("");
        int[] turnTokens = encoder.encode(template.message(new ChatMessage("user", message))
                + template.assistantStart());
        int[] prompt = concat(start, turnTokens);
        // Each turn's seed differs, or a sampled chat would repeat itself on the same question.
        GenerationRequest request = new GenerationRequest(prompt, maxTokens, sampling.withSeed(sampling.seed() + turn++),
                template.stops(), false);
        GenerationResult result = slot.run(s -> s.generate(request, listener, () -> interrupted));
        int[] answer = result.stopReason() == StopReason.STOP_STRING
                // The stop text's tokens are not part of the answer: write the answer again without them.
                ? encoder.encode(result.text()) : result.tokens();
        history = concat(concat(prompt, answer), encoder.encode(template.assistantEnd()));
        return result;
    }

    /** Stops the answer being generated (from another thread: the Ctrl-C handler). */
    public void interrupt() {
        interrupted = true;
    }

    /** Forgets the conversation. */
    public void reset() {
        history = new int[0];
    }

    /** Tokens of the conversation so far. */
    public int historyTokens() {
        return history.length;
    }

    /** The chat template in use. */
    public ChatTemplate template() {
        return encoder.template();
    }

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(Arrays.stream(a), Arrays.stream(b)).toArray();
    }

    /** The stop strings a turn uses. */
    public List<String> stops() {
        return encoder.template().stops();
    }
}
