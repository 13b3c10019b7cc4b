package dev.tellmej.model.gguf;

/** The GGUF metadata value types, with their codes. */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, 8), ARRAY(9, 12), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private final int code;
    private final int minBytes;

    GgufValueType(int code, int minBytes) {
        this.code = code;
        this.minBytes = minBytes;
    }

    /** The code in the file. */
    public int code() {
        return code;
    }

    /** The fewest bytes a value of this type takes (a string's length prefix, an array's header). */
    int minBytes() {
        return minBytes;
    }

    /** The type for a code, or null. */
    public static GgufValueType ofCode(long code) {
        for (GgufValueType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
