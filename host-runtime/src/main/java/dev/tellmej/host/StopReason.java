package dev.tellmej.host;

/** Why a generation ended. */
public enum StopReason {
    /** The model produced its end-of-text (or beginning-of-text) token. */
    END_OF_TEXT("[end of text]", "stop"),
    /** The generated text reached one of the stop strings (which is not part of the text). */
    STOP_STRING("[stop string]", "stop"),
    /** As many tokens as were asked for. */
    N_REACHED("[n reached]", "length"),
    /** The KV cache is full: the context holds no more positions. */
    CONTEXT_FULL("[context full]", "length"),
    /** Stopped from outside: Ctrl-C, a closed output, a client that went away. */
    CANCELLED("[cancelled]", "cancelled");

    private final String label;
    private final String finishReason;

    StopReason(String label, String finishReason) {
        this.label = label;
        this.finishReason = finishReason;
    }

    /** What {@code tellme run} prints after the text: {@code [end of text]}. */
    public String label() {
        return label;
    }

    /** The OpenAI API's {@code finish_reason}: {@code stop} or {@code length} ({@code cancelled} is never sent). */
    public String finishReason() {
        return finishReason;
    }
}
