package dev.tellmej.model.inference;

/** A token was fed at a position the KV cache has no room for. */
public final class ContextOverflowException extends RuntimeException {
    private final int position;
    private final int capacity;

    public ContextOverflowException(int position, int capacity) {
        super("position " + position + " is beyond the KV cache of " + capacity + " tokens (use a longer context"
                + " or fewer steps)");
        this.position = position;
        this.capacity = capacity;
    }

    public int position() {
        return position;
    }

    public int capacity() {
        return capacity;
    }
}
