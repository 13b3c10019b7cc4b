package dev.tellmej.image;

/**
 * One section of the image: a 4 KB aligned run of bytes with a CRC-32C of its contents.
 *
 * @param name   ASCII, at most {@link ImageFormat#SECTION_NAME_BYTES} bytes ({@code blk.3.attn_q})
 * @param kind   what it holds
 * @param offset byte offset from the image's start, a multiple of 4,096
 * @param size   bytes of contents (the padding to the next section is not part of it)
 * @param crc32c CRC-32C (Castagnoli) of the contents
 */
public record Section(String name, SectionKind kind, long offset, long size, int crc32c) {
    /** The first byte past the contents. */
    public long end() {
        return offset + size;
    }
}
