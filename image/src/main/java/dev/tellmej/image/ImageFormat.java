package dev.tellmej.image;

import dev.tellmej.accel.protocol.ImageHeaderWords;

/**
 * The byte layout of a memory image's header (docs/image.md documents every field). All integers are
 * little-endian; strings are ASCII, zero-padded; every reserved byte is zero.
 */
public final class ImageFormat {
    private ImageFormat() {}

    /** "TLMI" read as a little-endian uint32. */
    public static final int MAGIC = ImageHeaderWords.MAGIC;
    /** The format version this code writes and reads. */
    public static final int VERSION = ImageHeaderWords.VERSION;
    /** Every section starts at a multiple of this (AXI bursts never cross a 4 KB boundary). */
    public static final int ALIGNMENT = 4096;
    /** Bytes of the fixed header before the section table. */
    public static final int FIXED_BYTES = 512;
    /** Bytes of one section-table entry. */
    public static final int ENTRY_BYTES = 64;
    /** Bytes of a section name. */
    public static final int SECTION_NAME_BYTES = 40;
    /** Most sections an image may have (bounds the header a reader accepts). */
    public static final int MAX_SECTIONS = 4096;

    // Fixed header fields: byte offsets.
    public static final int MAGIC_AT = ImageHeaderWords.MAGIC_AT;
    public static final int VERSION_AT = ImageHeaderWords.VERSION_AT;
    public static final int HEADER_CRC_AT = 8;
    public static final int HEADER_BYTES_AT = 12;
    public static final int IMAGE_BYTES_AT = 16;
    public static final int SECTION_COUNT_AT = 24;
    public static final int PROGRAM_OFFSET_AT = ImageHeaderWords.PROGRAM_OFFSET_AT;
    public static final int PROGRAM_INSTRUCTIONS_AT = ImageHeaderWords.PROGRAM_INSTRUCTIONS_AT;
    public static final int CONTEXT_AT = ImageHeaderWords.CONTEXT_AT;
    public static final int KV_CACHE_BYTES_AT = 40;
    public static final int IO_BYTES_AT = 48;
    public static final int DEBUG_BYTES_AT = 56;
    public static final int CONFIG_NAME_AT = 64;
    public static final int CONFIG_NAME_BYTES = 32;
    public static final int CONFIG_HASH_AT = 96;
    public static final int CONFIG_HASH_BYTES = 32;
    public static final int MODEL_NAME_AT = 128;
    public static final int MODEL_NAME_BYTES = 64;
    public static final int DIMS_AT = ImageHeaderWords.DIMS_AT;           // dim, layers, heads, kv_heads, head_dim, ffn, vocab, trained context
    public static final int ROPE_THETA_AT = 224;
    public static final int RMS_EPS_AT = 228;
    public static final int ROPE_ADJACENT_AT = 232;
    public static final int RELU2_AT = 233;
    public static final int SUB_NORMS_AT = 234;
    public static final int TIED_AT = 235;
    public static final int ARCHITECTURE_AT = 256;
    public static final int ARCHITECTURE_BYTES = 32;
    /** First reserved byte after the fields (reserved through {@link #FIXED_BYTES}). */
    public static final int RESERVED_FROM = 288;
    /** Reserved bytes inside the field area (must be zero). */
    public static final int RESERVED_FLAGS_FROM = 236;
    public static final int RESERVED_FLAGS_TO = 256;

    /** Bytes of the header with {@code sections} table entries, before padding. */
    public static long headerBytes(long sections) {
        return FIXED_BYTES + ENTRY_BYTES * sections;
    }

    /** {@code bytes} rounded up to {@link #ALIGNMENT}. */
    public static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }
}
