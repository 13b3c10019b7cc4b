package dev.tellmej.accel.protocol;

/**
 * The layout of the I/O region the host allocates beside the image and the KV cache. At offset 0 the kernel
 * writes a {@link #RECORD_BYTES}-byte call record at the end of every call (the status registers' values, for
 * hosts that cannot read registers, such as OpenCL); the input tokens (uint32 each) start at
 * {@link #tokensOffset()}; the logits of the call's last token (binary32, one per vocabulary entry) at
 * {@link #logitsOffset()}. Regions are 4 KB aligned.
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

    public IoRegion {
        if (maxTokens < 1 || vocab < 1) {
            throw new IllegalArgumentException("an I/O region needs tokens and logits: " + this);
        }
    }

    /** Byte offset of the first input token. */
    public long tokensOffset() {
        return 4096;
    }

    /** Byte offset of the first logit. */
    public long logitsOffset() {
        return tokensOffset() + align4k(4L * maxTokens);
    }

    /** Bytes of the whole region. */
    public long totalBytes() {
        return logitsOffset() + align4k(4L * vocab);
    }

    /** {@code bytes} rounded up to 4 KB. */
    public static long align4k(long bytes) {
        return (bytes + 4095) / 4096 * 4096;
    }
}
