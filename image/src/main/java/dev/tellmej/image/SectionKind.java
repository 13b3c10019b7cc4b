package dev.tellmej.image;

/** What a section of the image holds (docs/image.md, "Sections"). */
public enum SectionKind {
    /** The program: instruction words of 16 bytes. */
    PROGRAM(1),
    /** RoPE cos/sin, binary32: per position, head_dim/2 cos then head_dim/2 sin. */
    ROPE_TABLE(2),
    /** Token embedding: vocab rows of dim stored values (the configuration's storage format). */
    EMBEDDING(3),
    /** An RMSNorm gain: stored values. */
    NORM_GAIN(4),
    /** A ternary linear in the TLMM DDR packing (docs/tlmm.md). */
    TERNARY_LINEAR(5),
    /** LM head: vocab rows of dim int8, row-major (N16). */
    LM_HEAD_WEIGHTS(6),
    /** LM head row scales: vocab binary32. */
    LM_HEAD_SCALES(7),
    /**
     * For the host only (the kernel never reads it): the tokenizer, as a GGUF file holding the model's
     * {@code tokenizer.*} metadata and no tensors, so that an image runs from text on its own.
     */
    TOKENIZER(8);

    private final int code;

    SectionKind(int code) {
        this.code = code;
    }

    /** The value in the section table. */
    public int code() {
        return code;
    }

    /** The kind with table value {@code code}, or null. */
    public static SectionKind ofCode(long code) {
        for (SectionKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
