package dev.tellmej.model.gguf;

import java.util.Optional;

/**
 * The tensor encodings this project reads from GGUF, with their ggml type codes. Sizes are per row of
 * {@code n} elements (the innermost dimension), except I2_S, whose size is per tensor (see {@link #byteSize}).
 */
public enum GgmlType {
    /** IEEE binary32, 4 bytes per element. */
    F32(0, 1, 4),
    /** IEEE binary16, 2 bytes per element. */
    F16(1, 1, 2),
    /** bfloat16 (the top half of a binary32), 2 bytes per element. */
    BF16(30, 1, 2),
    /** ggml ternary, 5 trits per byte: 54 bytes per block of 256 (48 qs, 4 qh, f16 scale). */
    TQ1_0(34, 256, 54),
    /** ggml ternary, 2 bits per weight: 66 bytes per block of 256 (64 qs, f16 scale). */
    TQ2_0(35, 256, 66),
    /** bitnet.cpp ternary, 2 bits per weight in 128-element blocks, one f32 scale per tensor (+32 bytes). */
    I2_S(36, 128, 32),
    /** ggml legacy 4-bit: 18 bytes per block of 32 (f16 d, 16 bytes of nibbles), {@code w = (q - 8) * d}. */
    Q4_0(2, 32, 18),
    /** ggml legacy 8-bit: 34 bytes per block of 32 (f16 d, 32 int8), {@code w = q * d}. */
    Q8_0(8, 32, 34),
    /** ggml k-quant 4-bit: 144 bytes per 256 (f16 d and dmin, 12 bytes of 6-bit scales and mins, 128 of nibbles). */
    Q4_K(12, 256, 144),
    /** ggml k-quant 5-bit: 176 bytes per 256 (as Q4_K plus 32 bytes of fifth bits). */
    Q5_K(13, 256, 176),
    /** ggml k-quant 6-bit: 210 bytes per 256 (128 low nibbles, 64 bytes of high bit pairs, 16 int8 scales, f16 d). */
    Q6_K(14, 256, 210);

    private final int code;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int code, int blockSize, int blockBytes) {
        this.code = code;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** The ggml type code stored in the file. */
    public int code() {
        return code;
    }

    /** Elements per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /**
     * True for ggml's block-quantized float encodings (Q4_0, Q8_0, Q4_K, Q5_K, Q6_K), which llama.cpp's
     * {@code llama-quantize} puts on the embedding and output tensors of ternary models; decoded by
     * {@link dev.tellmej.model.tensor.BlockQuants}.
     */
    public boolean blockQuantized() {
        return this == Q4_0 || this == Q8_0 || this == Q4_K || this == Q5_K || this == Q6_K;
    }

    /** The names of every type the project reads, for messages: "F32, F16, ...". */
    public static String supportedNames() {
        StringBuilder b = new StringBuilder();
        for (GgmlType t : values()) {
            b.append(b.isEmpty() ? "" : ", ").append(t.name());
        }
        return b.toString();
    }

    /** True for the ternary encodings. */
    public boolean ternary() {
        return this == TQ1_0 || this == TQ2_0 || this == I2_S;
    }

    /**
     * Bytes taken by a tensor of {@code elements} elements whose rows hold {@code rowLength} elements, or -1
     * when the shape does not fit the encoding's blocks (a row length not a multiple of the block size, or a
     * size that overflows a long).
     */
    public long byteSize(long elements, long rowLength) {
        if (elements < 0 || rowLength <= 0) {
            return -1;
        }
        if (this == I2_S) {
            // Flattened row-major into 128-element blocks, then one f32 scale and 28 zero bytes.
            if (elements % blockSize != 0) {
                return -1;
            }
            return elements / 4 + 32;
        }
        if (rowLength % blockSize != 0) {
            return -1;
        }
        long blocks = elements / blockSize;
        if (blocks > Long.MAX_VALUE / blockBytes) {
            return -1;
        }
        return blocks * blockBytes;
    }

    /** The type for a code, if the project reads it. */
    public static Optional<GgmlType> ofCode(long code) {
        for (GgmlType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /**
     * A human name for a code the project does not read, so the refusal can say what the file holds.
     * Codes 38/39 are bitnet.cpp's TL1/TL2 (39 is MXFP4 in upstream ggml).
     */
    public static String describeUnsupported(long code) {
        return switch ((int) Math.max(-1, Math.min(code, 1000))) {
            case 3 -> "Q4_1";
            case 6 -> "Q5_0";
            case 7 -> "Q5_1";
            case 9 -> "Q8_1";
            case 10 -> "Q2_K";
            case 11 -> "Q3_K";
            case 15 -> "Q8_K";
            case 24 -> "I8";
            case 25 -> "I16";
            case 26 -> "I32";
            case 27 -> "I64";
            case 28 -> "F64";
            case 38 -> "TL1 (bitnet.cpp; its layout depends on a per-model kernel configuration:"
                    + " convert the model to I2_S, TQ1_0 or TQ2_0)";
            case 39 -> "TL2 in bitnet.cpp, MXFP4 in upstream ggml (TL2's layout depends on a per-model kernel"
                    + " configuration: convert the model to I2_S, TQ1_0 or TQ2_0)";
            default -> "unknown type code " + code;
        };
    }
}
