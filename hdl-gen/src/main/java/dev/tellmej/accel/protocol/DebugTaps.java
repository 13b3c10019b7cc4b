package dev.tellmej.accel.protocol;

import java.util.List;

/**
 * The debug taps: with {@link #TAPS_BIT} of the {@code debug} register set, the kernel writes the output vector of
 * every instruction that has one to the debug area, so that two devices can be compared instruction by
 * instruction ({@code tellme run --check}). Every device writes the same bytes; this class describes them once.
 *
 * <p>The debug area is the tail of the I/O region: it starts at {@link IoRegion#debugOffset()}, right after the
 * logits, and is as long as the host makes it (the region without taps is {@link IoRegion#totalBytes()}). Its
 * first {@value #HEADER_BYTES} bytes are the area header: the host writes {@code capacity} before the call, the
 * kernel writes the other three fields at the end of it. The records follow the header back to back, in the order
 * the instructions executed: chunk after chunk, instruction after instruction. A record is a
 * {@value #RECORD_HEADER_BYTES}-byte header, then {@code tokens x elements} binary32 values (token-major), then
 * zero bytes up to a multiple of {@value #ALIGN} bytes ({@link #recordBytes}). A record that does not fit in the
 * capacity is not written; it and every record after it are counted in {@code dropped}. A failed instruction
 * writes no record.
 */
public final class DebugTaps {
    /** Bit of the {@code debug} register that turns the taps on; the other bits are reserved (written 0). */
    public static final int TAPS_BIT = 0;
    /** Bytes of the area header. */
    public static final int HEADER_BYTES = 16;
    /** Area header: bytes of the whole area, header included (uint32, written by the host). */
    public static final int CAPACITY = 0;
    /** Area header: records written (uint32, kernel). */
    public static final int RECORDS = 4;
    /** Area header: bytes of the records written, after the header (uint32, kernel). */
    public static final int USED = 8;
    /** Area header: records that did not fit (uint32, kernel). */
    public static final int DROPPED = 12;
    /** Bytes of a record's header. */
    public static final int RECORD_HEADER_BYTES = 16;
    /** Record header: the instruction's index in the program (uint32). */
    public static final int RECORD_INSTRUCTION = 0;
    /** Record header: the index in the call of the chunk's first token (uint32). */
    public static final int RECORD_FIRST_TOKEN = 4;
    /** Record header: tokens of the record (uint32): the chunk's, or 1 for LM_HEAD. */
    public static final int RECORD_TOKENS = 8;
    /** Record header: elements per token (uint32). */
    public static final int RECORD_ELEMENTS = 12;
    /** Records start and end on multiples of this many bytes. */
    public static final int ALIGN = 16;

    private DebugTaps() {}

    /**
     * One field of the area header or of a record's header.
     *
     * @param name    lower-case name, the C macro's ({@code TELLME_DEBUG_CAPACITY})
     * @param offset  byte offset
     * @param writer  who writes it
     * @param meaning what it holds
     */
    public record HeaderField(String name, int offset, String writer, String meaning) {}

    private static final List<HeaderField> AREA = List.of(
            new HeaderField("capacity", CAPACITY, "host", "bytes of the area, this header included"),
            new HeaderField("records", RECORDS, "kernel", "records written"),
            new HeaderField("used", USED, "kernel", "bytes of the records written, after this header"),
            new HeaderField("dropped", DROPPED, "kernel", "records that did not fit (the rest of the call's)"));

    private static final List<HeaderField> RECORD = List.of(
            new HeaderField("instruction", RECORD_INSTRUCTION, "kernel", "index of the instruction in the program"),
            new HeaderField("first_token", RECORD_FIRST_TOKEN, "kernel",
                    "index in the call of the chunk's first token"),
            new HeaderField("tokens", RECORD_TOKENS, "kernel",
                    "vectors in the record (the chunk's tokens; 1 for LM_HEAD)"),
            new HeaderField("elements", RECORD_ELEMENTS, "kernel", "binary32 values per vector"));

    /** The area header's fields (uint32 each, little-endian). */
    public static List<HeaderField> areaFields() {
        return AREA;
    }

    /** A record header's fields (uint32 each, little-endian). */
    public static List<HeaderField> recordFields() {
        return RECORD;
    }

    /** The value of the {@code debug} register with the taps on or off. */
    public static int register(boolean taps) {
        return taps ? 1 << TAPS_BIT : 0;
    }

    /** Bytes of a record of {@code tokens x elements} values, header and padding included. */
    public static long recordBytes(int tokens, int elements) {
        long bytes = RECORD_HEADER_BYTES + 4L * tokens * elements;
        return (bytes + ALIGN - 1) / ALIGN * ALIGN;
    }

    /**
     * What the record of an opcode holds, per token, or null when the opcode writes none.
     */
    public static String tap(Opcode opcode) {
        return switch (opcode) {
            case EMBED -> "dim values: the embedding rows as stored in dst";
            case QUANTIZE -> "length + 1 values: the int8 activations, then m_c, their clamped absmax (N6)";
            case LINEAR -> "rows values: dst after the epilogue (for ROPE_KEY_CACHE and VALUE_CACHE the stored K"
                    + " or V rows, head after head, that it also wrote to the cache)";
            case ATTENTION -> "heads x head_dim values: dst";
            case LM_HEAD -> "rows values, 1 token: the logits (in the call's last chunk only)";
            case END, SETUP, BARRIER -> null;
        };
    }
}
