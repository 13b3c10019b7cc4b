package dev.tellmej.accel.protocol;

/**
 * The accelerator's on-chip activation buffers an instruction names as a source or destination. Each holds
 * one vector per token of the chunk being computed (at most the configuration's chunk of tokens).
 */
public enum OnChipBuffer {
    /** The residual stream h (storage format, hidden size). */
    RESIDUAL(0, "residual stream h, stored values, hidden size"),
    /** The queries after RoPE (storage format, heads x head dimension). */
    QUERY(1, "queries after RoPE, stored values, heads x head dim"),
    /** The attention output of every head (storage format, heads x head dimension). */
    ATTENTION(2, "attention output, stored values, heads x head dim"),
    /** The gate projection before its activation (binary32, FFN size). */
    GATE(3, "gate projection, binary32 (not stored), FFN size"),
    /** The gated FFN intermediate act(gate) * up (storage format, FFN size). */
    FFN(4, "act(gate) * up, stored values, FFN size");

    private final int id;
    private final String meaning;

    OnChipBuffer(int id, String meaning) {
        this.id = id;
        this.meaning = meaning;
    }

    /** The id in a {@link FieldKind#BUFFER} field. */
    public int id() {
        return id;
    }

    /** What it holds. */
    public String meaning() {
        return meaning;
    }

    /** The buffer with id {@code id}, or null when there is none. */
    public static OnChipBuffer ofId(long id) {
        for (OnChipBuffer b : values()) {
            if (b.id == id) {
                return b;
            }
        }
        return null;
    }
}
