package dev.tellmej.model.numerics;

/**
 * The 16-bit formats values are stored in between fused stages and in the KV cache (NUMERICS.md N4).
 * Both round to nearest even, overflow to infinity, keep subnormals, and store every NaN as the canonical
 * quiet NaN of the format.
 */
public enum StorageFormat {
    /** IEEE binary16 (Java's {@link Float#floatToFloat16}); NaN stored as 0x7E00. */
    FP16,
    /** bfloat16, the top 16 bits of a binary32 after RNE on the low 16; NaN stored as 0x7FC0. */
    BF16;

    /** Encodes a binary32 value to the format's 16 bits (N4). */
    public short encode(float value) {
        return this == FP16 ? toFp16(value) : toBf16(value);
    }

    /** Decodes 16 bits of this format to binary32 (exact). */
    public float decode(short bits) {
        return this == FP16 ? Float.float16ToFloat(bits) : Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Decodes {@code n} patterns from {@code src[from..]} into {@code dst[to..]}, each exactly as {@link #decode}
     * does (one loop per format, simple enough for the JIT to vectorize: x86's F16C converts 8 fp16 values in one
     * instruction).
     */
    public void decode(short[] src, int from, float[] dst, int to, int n) {
        if (this == FP16) {
            for (int i = 0; i < n; i++) {
                dst[to + i] = Float.float16ToFloat(src[from + i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst[to + i] = Float.intBitsToFloat(src[from + i] << 16);
            }
        }
    }

    /** {@code decode(encode(value))}: the value as it reads back from storage. */
    public float round(float value) {
        return decode(encode(value));
    }

    /** Rounds every element in place. */
    public void roundInPlace(float[] values, int from, int to) {
        for (int i = from; i < to; i++) {
            values[i] = round(values[i]);
        }
    }

    /** binary32 to binary16, RNE, overflow to infinity, subnormals kept, NaN to 0x7E00 (N4.1). */
    public static short toFp16(float value) {
        if (Float.isNaN(value)) {
            return (short) 0x7E00;
        }
        return Float.floatToFloat16(value);
    }

    /** binary32 to bfloat16 (N4.2): RNE on the low 16 bits, so overflow rounds to infinity; NaN to 0x7FC0. */
    public static short toBf16(float value) {
        if (Float.isNaN(value)) {
            return (short) 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(value);
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** bfloat16 bits to binary32 (exact). */
    public static float fromBf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
