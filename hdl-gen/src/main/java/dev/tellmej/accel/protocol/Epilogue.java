package dev.tellmej.accel.protocol;

/**
 * What a {@link Opcode#LINEAR} does with its dequantized outputs {@code y = float(acc) * ((mc * scale) * INV127)}
 * (NUMERICS.md N8); {@code st} is storage rounding (N4.3).
 */
public enum Epilogue {
    /** {@code dst = y}, binary32 (the gate projection, kept for {@link #GATE_UP}). */
    STORE(0, "dst = y, binary32"),
    /** {@code dst = st(rope(y))}: the queries (N14, then N4.3). */
    ROPE_QUERY(1, "dst = st(rope(y)): queries"),
    /**
     * {@code K cache[layer][position] = st(rope(y))}: the keys (N14, N17.2.3); dst receives the same stored values
     * (as binary32), where the kernel assembles each head before it rotates and writes it.
     */
    ROPE_KEY_CACHE(2, "K cache = dst = st(rope(y)): keys"),
    /**
     * {@code V cache[layer][position] = st(y)}: the values (N17.2.3); dst receives the same stored values, as for
     * {@link #ROPE_KEY_CACHE}.
     */
    VALUE_CACHE(3, "V cache = dst = st(y): values"),
    /** {@code dst = st(dst + y)}: o and down add into the residual stream (N17). */
    RESIDUAL_ADD(4, "dst = st(dst + y): residual add"),
    /** {@code dst = st(act(src) * y)}: up, gated by the gate projection in src (N12, N17.3). */
    GATE_UP(5, "dst = st(act(src) * y): gating");

    private final int id;
    private final String meaning;

    Epilogue(int id, String meaning) {
        this.id = id;
        this.meaning = meaning;
    }

    /** The id in a {@link FieldKind#EPILOGUE} field. */
    public int id() {
        return id;
    }

    /** What it computes. */
    public String meaning() {
        return meaning;
    }

    /** The epilogue with id {@code id}, or null when there is none. */
    public static Epilogue ofId(long id) {
        for (Epilogue e : values()) {
            if (e.id == id) {
                return e;
            }
        }
        return null;
    }
}
