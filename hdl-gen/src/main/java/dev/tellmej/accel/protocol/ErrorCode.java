package dev.tellmej.accel.protocol;

/**
 * Why a call failed: the value of the {@code error_code} register after it (0 when it succeeded). The
 * {@code error_detail} register then says where (what each code puts there is in {@link #detail()}).
 */
public enum ErrorCode {
    NONE(0, "the call succeeded", "0"),
    BAD_IMAGE(1, "the image header is not a TeLLMe-J image of this format version", "the word offset that failed"),
    UNKNOWN_OPCODE(2, "an instruction's opcode is not in the instruction set", "the instruction's index"),
    BAD_FIELD(3, "an instruction field is out of range (a buffer id, an epilogue, a size above the maxima)",
            "the instruction's index"),
    CONTEXT_OVERFLOW(4, "start_position + token_count exceeds the KV cache's positions", "start_position + token_count"),
    BAD_TOKEN(5, "an input token id is not below the vocabulary size", "the token's index in the call"),
    BAD_CALL(6, "mode or token_count is invalid (token_count 0, or a decode of more than one token)", "token_count"),
    DDR_ERROR(7, "an AXI read or write returned SLVERR or DECERR",
            "the port's index in the kernel's port list (m_axi_w0 is 0)");

    private final int code;
    private final String meaning;
    private final String detail;

    ErrorCode(int code, String meaning, String detail) {
        this.code = code;
        this.meaning = meaning;
        this.detail = detail;
    }

    /** The register value. */
    public int code() {
        return code;
    }

    /** What went wrong. */
    public String meaning() {
        return meaning;
    }

    /** What {@code error_detail} holds with this code. */
    public String detail() {
        return detail;
    }

    /** The code with register value {@code code}, or null when there is none. */
    public static ErrorCode ofCode(long code) {
        for (ErrorCode e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }
}
