package dev.tellmej.host;

/** Receives a generation's text as it is produced. */
@FunctionalInterface
public interface TokenListener {
    /**
     * Text that became final with token {@code token} (maybe empty: part of a character, or text held back
     * while it may still be a stop string).
     *
     * @return false to stop the generation now ({@link StopReason#CANCELLED}): the reader went away
     */
    boolean accept(String text, int token);

    /** Ignores the text. */
    TokenListener NONE = (text, token) -> true;
}
