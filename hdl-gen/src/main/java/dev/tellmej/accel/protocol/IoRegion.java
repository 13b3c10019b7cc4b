package dev.tellmej.accel.protocol;

import java.util.List;

/**
 * The layout of the I/O region the host allocates beside the image and the KV cache. At offset 0 the kernel
 * writes a {@link #RECORD_BYTES}-byte call record at the end of every call (the status registers' values, for
 * hosts that cannot read registers, such as OpenCL); the input tokens (uint32 each) start at
 * {@link #tokensOffset()}; the logits of the call's last token (binary32, one per vocabulary entry) at
 * {@link #logitsOffset()}. Regions are 4 KB aligned. With debug taps on, the debug area follows the logits
 * ({@link #debugOffset()}).
 *
 * <p>Call record, little-endian: uint32 status, error_code, error_detail, position, instructions, argmax
 * (the index of the largest logit, the first on ties); uint64 cycles, ddr_busy_cycles, stall_cycles.
 *
 * @param maxTokens tokens a call may carry (the context)
 * @param vocab     logits per call
 */
public record IoRegion(int maxTokens, int vocab) {
    /** Bytes of the call record at offset 0. */
    public static final int RECORD_BYTES = 64;
    /** Offsets of the call record's fields. */
    public static final int RECORD_STATUS = 0;
    public static final int RECORD_ERROR_CODE = 4;
    public static final int RECORD_ERROR_DETAIL = 8;
    public static final int RECORD_POSITION = 12;
    public static final int RECORD_INSTRUCTIONS = 16;
    public static final int RECORD_ARGMAX = 20;
    public static final int RECORD_CYCLES = 24;
    public static final int RECORD_DDR_BUSY_CYCLES = 32;
    public static final int RECORD_STALL_CYCLES = 40;

    /** Byte offset of the first input token: the page after the call record. */
    public static final int TOKENS_OFFSET = 4096;

    /**
     * One field of the call record.
     *
     * @param name    lower-case name, the status register's where there is one ({@code error_code})
     * @param offset  byte offset in the record
     * @param bytes   4 (uint32) or 8 (uint64), little-endian
     * @param meaning what it holds, with its unit
     */
    public record RecordField(String name, int offset, int bytes, String meaning) {}

    private static final List<RecordField> RECORD_FIELDS = List.of(
            new RecordField("status", RECORD_STATUS, 4, "1: the call succeeded, 2: it failed"),
            new RecordField("error_code", RECORD_ERROR_CODE, 4, "ErrorCode (0: none)"),
            new RecordField("error_detail", RECORD_ERROR_DETAIL, 4, "where the error was (see the error codes)"),
            new RecordField("position", RECORD_POSITION, 4, "KV-cache positions filled after the call"),
            new RecordField("instructions", RECORD_INSTRUCTIONS, 4, "instructions executed"),
            new RecordField("argmax", RECORD_ARGMAX, 4, "index of the largest logit (the first on ties)"),
            new RecordField("cycles", RECORD_CYCLES, 8, "ap_clk cycles of the call"),
            new RecordField("ddr_busy_cycles", RECORD_DDR_BUSY_CYCLES, 8, "cycles in which some master port moved data"),
            new RecordField("stall_cycles", RECORD_STALL_CYCLES, 8, "cycles in which compute waited for data"));

    /** The call record's fields, in offset order; the bytes after the last one are reserved (written 0). */
    public static List<RecordField> recordFields() {
        return RECORD_FIELDS;
    }

    public IoRegion {
        if (maxTokens < 1 || vocab < 1) {
            throw new IllegalArgumentException("an I/O region needs tokens and logits: " + this);
        }
    }

    /** Byte offset of the first input token. */
    public long tokensOffset() {
        return TOKENS_OFFSET;
    }

    /** Byte offset of the first logit. */
    public long logitsOffset() {
        return tokensOffset() + align4k(4L * maxTokens);
    }

    /** Bytes of the whole region without debug taps. */
    public long totalBytes() {
        return logitsOffset() + align4k(4L * vocab);
    }

    /**
     * Byte offset of the debug area ({@link DebugTaps}): right after the logits, where the region without taps
     * ends. A host that turns the taps on allocates the region that much longer.
     */
    public long debugOffset() {
        return totalBytes();
    }

    /** {@code bytes} rounded up to 4 KB. */
    public static long align4k(long bytes) {
        return (bytes + 4095) / 4096 * 4096;
    }
}
