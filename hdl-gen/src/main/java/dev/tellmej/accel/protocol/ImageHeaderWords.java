package dev.tellmej.accel.protocol;

/**
 * The words of a memory image's header that the kernel itself reads at the start of every call (the whole
 * header is the image module's {@code ImageFormat}, which takes these offsets from here so that the packer and
 * the RTL cannot disagree). Byte offsets from the image's base; every word is a little-endian uint32.
 */
public final class ImageHeaderWords {
    private ImageHeaderWords() {}

    /** "TLMI" read as a little-endian uint32. */
    public static final int MAGIC = 0x494D4C54;
    /** The format version the kernel runs. */
    public static final int VERSION = 1;

    /** The magic word. */
    public static final int MAGIC_AT = 0;
    /** The format version. */
    public static final int VERSION_AT = 4;
    /** Byte offset of the program from the image's base. */
    public static final int PROGRAM_OFFSET_AT = 28;
    /** Instructions in the program. */
    public static final int PROGRAM_INSTRUCTIONS_AT = 32;
    /** KV-cache positions the image was packed for (the host allocates the cache and the I/O region for them). */
    public static final int CONTEXT_AT = 36;
    /** The model's dimensions: dim, layers, heads, kv_heads, head_dim, ffn, vocab, trained context. */
    public static final int DIMS_AT = 192;
    /** The vocabulary size (the seventh dimension). */
    public static final int VOCAB_AT = DIMS_AT + 4 * 6;
    /** Bytes of the header prefix that holds every word above (the kernel reads this much). */
    public static final int PREFIX_BYTES = 256;
}
