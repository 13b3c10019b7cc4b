package dev.tellmej.host;

/**
 * A request needs more KV-cache positions than the context holds: the prompt alone, or the prompt and the
 * tokens asked for. Nothing was run; the session is as before.
 */
public final class ContextFullException extends RuntimeException {
    private final int needed;
    private final int context;

    ContextFullException(String message, int needed, int context) {
        super(message);
        this.needed = needed;
        this.context = context;
    }

    /** Positions the request needs. */
    public int needed() {
        return needed;
    }

    /** Positions the context holds. */
    public int context() {
        return context;
    }
}
