package dev.tellmej.accel.protocol;

/** The value of the {@code mode} register: what one call does. */
public enum CallMode {
    /** token_count tokens at positions start_position ..; logits of the last one. */
    PREFILL(0),
    /** One token at start_position; its logits. */
    DECODE(1);

    private final int code;

    CallMode(int code) {
        this.code = code;
    }

    /** The register value. */
    public int code() {
        return code;
    }
}
