package dev.tellmej.model.tensor;

import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.numerics.StorageFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Decoders and encoders for the tensor encodings (layouts in MODEL-FORMATS.md). Decoders read from a
 * segment that the caller has already checked to hold exactly the encoding's byte size.
 */
public final class TensorCodecs {
    /** TQ2_0 blocks copied from a mapping at a time. */
    private static final int RAW_BLOCKS = 256;
    /** Per thread, the encoded bytes of the TQ2_0 blocks being decoded (17 KB). */
    private static final ThreadLocal<byte[]> RAW = ThreadLocal.withInitial(() -> new byte[66 * RAW_BLOCKS]);

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int[] POW3 = {1, 3, 9, 27, 81, 243};

    private TensorCodecs() {}

    /** Trits in {-1, 0, +1} and the scale of each 256- (TQ) or whole-tensor (I2_S) block. */
    public record Ternary(byte[] trits, float[] blockScales, int blockSize) {
        /** True when every block has the same scale (the BitNet per-tensor recipe). */
        public boolean uniformScale() {
            for (float s : blockScales) {
                if (Float.floatToIntBits(s) != Float.floatToIntBits(blockScales[0])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Decodes any supported encoding to binary32 values. */
    public static float[] toFloats(GgmlType type, MemorySegment data, int elements) {
        float[] out = new float[elements];
        decode(type, data, elements, out, 0);
        return out;
    }

    /** Decodes any supported encoding to binary32 values, into {@code out[off .. off+elements)}. */
    public static void decode(GgmlType type, MemorySegment data, int elements, float[] out, int off) {
        switch (type) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, off, elements);
            case F16 -> {
                for (int i = 0; i < elements; i++) {
                    out[off + i] = Float.float16ToFloat(data.get(I16, 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < elements; i++) {
                    out[off + i] = StorageFormat.fromBf16(data.get(I16, 2L * i));
                }
            }
            case Q4_0, Q8_0, Q4_K, Q5_K, Q6_K -> BlockQuants.decode(type, data, 0, elements, out, off);
            case TQ1_0, TQ2_0, I2_S -> {
                Ternary t = ternary(type, data, elements);
                for (int i = 0; i < elements; i++) {
                    out[off + i] = t.trits[i] * t.blockScales[i / t.blockSize];
                }
            }
        }
    }

    /** Decodes a ternary encoding. */
    public static Ternary ternary(GgmlType type, MemorySegment data, int elements) {
        byte[] trits = new byte[elements];
        ternaryTrits(type, data, elements, 0, elements, trits, 0);
        return switch (type) {
            case TQ1_0, TQ2_0 -> new Ternary(trits, ternaryScales(type, data, elements), 256);
            default -> new Ternary(trits, ternaryScales(type, data, elements), Math.max(1, elements));
        };
    }

    /**
     * Decodes trits {@code [from, from + n)} of a ternary tensor of {@code elements} elements into
     * {@code dst[off .. off + n)}, exactly as {@link #ternary} decodes them; {@code from} and {@code n} are whole
     * blocks of the encoding (256 elements for TQ1_0 and TQ2_0, 128 for I2_S).
     *
     * @throws IllegalArgumentException when the range is not whole blocks or the type is not ternary
     */
    public static void ternaryTrits(GgmlType type, MemorySegment data, int elements, int from, int n, byte[] dst,
                                    int off) {
        int block = type == GgmlType.I2_S ? 128 : 256;
        if (!type.ternary() || from % block != 0 || n % block != 0 || from < 0 || n < 0 || from + n > elements) {
            throw new IllegalArgumentException("trits [" + from + ", " + (from + n) + ") of " + elements + " are not"
                    + " whole blocks of " + type);
        }
        switch (type) {
            case TQ1_0 -> decodeTq1(data, from / 256, n / 256, dst, off);
            case TQ2_0 -> decodeTq2(data, from / 256, n / 256, dst, off);
            default -> decodeI2s(data, from, n, dst, off);
        }
    }

    /** The block scales of a ternary tensor: one per 256 elements (TQ1_0, TQ2_0), or one for all (I2_S). */
    public static float[] ternaryScales(GgmlType type, MemorySegment data, int elements) {
        return switch (type) {
            case TQ1_0, TQ2_0 -> {
                int blockBytes = type == GgmlType.TQ1_0 ? 54 : 66;
                float[] scales = new float[elements / 256];
                for (int b = 0; b < scales.length; b++) {
                    scales[b] = Float.float16ToFloat(data.get(I16, (long) blockBytes * b + blockBytes - 2));
                }
                yield scales;
            }
            case I2_S -> new float[] {data.get(F32, elements / 4)};
            default -> throw new IllegalArgumentException(type + " is not ternary");
        };
    }

    private static int u8(MemorySegment data, long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** One trit of a TQ1_0 byte: the n-th base-3 digit, most significant first. */
    private static int tq1Trit(int b, int n) {
        int q = (b * POW3[n]) & 0xFF;
        return ((q * 3) >> 8) - 1;
    }

    /** Blocks [first, first + count) of TQ1_0 into trits[off ..]. */
    private static void decodeTq1(MemorySegment data, int first, int count, byte[] trits, int off) {
        for (int k = 0; k < count; k++) {
            long base = 54L * (first + k);
            int o = off + 256 * k;
            for (int m = 0; m < 32; m++) {
                int v = u8(data, base + m);
                for (int n = 0; n < 5; n++) {
                    trits[o + m + 32 * n] = (byte) tq1Trit(v, n);
                }
            }
            for (int m = 0; m < 16; m++) {
                int v = u8(data, base + 32 + m);
                for (int n = 0; n < 5; n++) {
                    trits[o + 160 + m + 16 * n] = (byte) tq1Trit(v, n);
                }
            }
            for (int j = 0; j < 4; j++) {
                int v = u8(data, base + 48 + j);
                for (int n = 0; n < 4; n++) {
                    trits[o + 240 + j + 4 * n] = (byte) tq1Trit(v, n);
                }
            }
        }
    }

    /** Blocks [first, first + count) of TQ2_0 into trits[off ..]. */
    private static void decodeTq2(MemorySegment data, int first, int count, byte[] trits, int off) {
        // The blocks are copied to the heap a piece at a time and decoded from there (per-byte reads of a mapped
        // segment were most of a model's load time).
        byte[] raw = RAW.get();
        for (int k0 = 0; k0 < count; k0 += RAW_BLOCKS) {
            int blocks = Math.min(RAW_BLOCKS, count - k0);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 66L * (first + k0), raw, 0, 66 * blocks);
            for (int k = 0; k < blocks; k++) {
                int base = 66 * k;
                int o = off + 256 * (k0 + k);
                for (int c = 0; c < 2; c++) {
                    int src = base + 32 * c;
                    int dst = o + 128 * c;
                    for (int m = 0; m < 32; m++) {
                        int v = raw[src + m];
                        trits[dst + m] = (byte) ((v & 3) - 1);
                        trits[dst + m + 32] = (byte) (((v >> 2) & 3) - 1);
                        trits[dst + m + 64] = (byte) (((v >> 4) & 3) - 1);
                        trits[dst + m + 96] = (byte) (((v >> 6) & 3) - 1);
                    }
                }
            }
        }
    }

    /** Elements [from, from + n) of I2_S into trits[off ..] (from a multiple of 128). */
    private static void decodeI2s(MemorySegment data, int from, int n, byte[] trits, int off) {
        for (int k = 0; k < n; k++) {
            int i = from + k;
            int block = i >>> 7;
            int j = i & 127;
            int v = u8(data, 32L * block + (j & 31));
            int code = (v >> (6 - 2 * (j >>> 5))) & 3;
            // Code 3 is not produced by the encoder; it is read as 0 rather than trusted as a weight.
            trits[off + k] = (byte) (code == 3 ? 0 : code - 1);
        }
    }

    /**
     * A ternary matrix of {@code rows x cols} decoded a few rows at a time from its encoding in {@code data}
     * (a view: no copy is made, so {@code data} must stay valid while the result is used), or null when the rows
     * cannot be decoded on their own (a row is not whole blocks of the encoding) or the blocks do not share one
     * scale (then the weights are not the BitNet per-tensor recipe).
     */
    public static TernaryRows ternaryRows(GgmlType type, MemorySegment data, int rows, int cols) {
        int block = type == GgmlType.I2_S ? 128 : 256;
        if (!type.ternary() || cols % block != 0) {
            return null;
        }
        int elements = Math.multiplyExact(rows, cols);
        float[] scales = ternaryScales(type, data, elements);
        if (!new Ternary(new byte[0], scales, block).uniformScale()) {
            return null;
        }
        float scale = scales.length > 0 ? scales[0] : 0f;
        return new TernaryRows() {
            @Override
            public int rows() {
                return rows;
            }

            @Override
            public int cols() {
                return cols;
            }

            @Override
            public float scale() {
                return scale;
            }

            @Override
            public void decode(int from, int n, byte[] dst) {
                ternaryTrits(type, data, elements, from * cols, n * cols, dst, 0);
            }
        };
    }

    // ----- encoders -----

    /** I2_S: packed codes, then the f32 scale and 28 zero bytes. {@code trits.length} must be a multiple of 128. */
    public static byte[] encodeI2s(byte[] trits, float scale) {
        int n = trits.length;
        if (n % 128 != 0) {
            throw new IllegalArgumentException("I2_S needs a multiple of 128 elements, got " + n);
        }
        byte[] out = new byte[n / 4 + 32];
        for (int i = 0; i < n; i++) {
            int block = i >>> 7;
            int j = i & 127;
            out[32 * block + (j & 31)] |= (byte) ((trits[i] + 1) << (6 - 2 * (j >>> 5)));
        }
        int bits = Float.floatToRawIntBits(scale);
        for (int k = 0; k < 4; k++) {
            out[n / 4 + k] = (byte) (bits >>> (8 * k));
        }
        return out;
    }

    /** TQ2_0 with one f16 scale {@code d} for every block. */
    public static byte[] encodeTq2(byte[] trits, float d) {
        int blocks = checkBlocks(trits.length);
        byte[] out = new byte[66 * blocks];
        short dBits = StorageFormat.toFp16(d);
        for (int b = 0; b < blocks; b++) {
            int base = 66 * b;
            int o = 256 * b;
            for (int c = 0; c < 2; c++) {
                for (int m = 0; m < 32; m++) {
                    int v = 0;
                    for (int n = 0; n < 4; n++) {
                        v |= (trits[o + 128 * c + m + 32 * n] + 1) << (2 * n);
                    }
                    out[base + 32 * c + m] = (byte) v;
                }
            }
            out[base + 64] = (byte) dBits;
            out[base + 65] = (byte) (dBits >> 8);
        }
        return out;
    }

    /** TQ1_0 with one f16 scale {@code d} for every block. */
    public static byte[] encodeTq1(byte[] trits, float d) {
        int blocks = checkBlocks(trits.length);
        byte[] out = new byte[54 * blocks];
        short dBits = StorageFormat.toFp16(d);
        for (int b = 0; b < blocks; b++) {
            int base = 54 * b;
            int o = 256 * b;
            for (int m = 0; m < 32; m++) {
                int q = 0;
                for (int n = 0; n < 5; n++) {
                    q = q * 3 + trits[o + m + 32 * n] + 1;
                }
                out[base + m] = packTrits(q);
            }
            for (int m = 0; m < 16; m++) {
                int q = 0;
                for (int n = 0; n < 5; n++) {
                    q = q * 3 + trits[o + 160 + m + 16 * n] + 1;
                }
                out[base + 32 + m] = packTrits(q);
            }
            for (int j = 0; j < 4; j++) {
                int q = 0;
                for (int n = 0; n < 4; n++) {
                    q = q * 3 + trits[o + 240 + j + 4 * n] + 1;
                }
                out[base + 48 + j] = packTrits(q * 3);
            }
            out[base + 52] = (byte) dBits;
            out[base + 53] = (byte) (dBits >> 8);
        }
        return out;
    }

    /** A base-3 number q < 243 stored as ceil(q * 256 / 243), so trits decode by multiply and shift. */
    private static byte packTrits(int q) {
        return (byte) ((q * 256 + 242) / 243);
    }

    private static int checkBlocks(int n) {
        if (n % 256 != 0) {
            throw new IllegalArgumentException("TQ blocks hold 256 elements; " + n + " is not a multiple");
        }
        return n / 256;
    }

    public static byte[] encodeF32(float[] values) {
        byte[] out = new byte[4 * values.length];
        MemorySegment.copy(values, 0, MemorySegment.ofArray(out), F32, 0, values.length);
        return out;
    }

    public static byte[] encodeF16(float[] values) {
        byte[] out = new byte[2 * values.length];
        MemorySegment seg = MemorySegment.ofArray(out);
        for (int i = 0; i < values.length; i++) {
            seg.set(I16, 2L * i, StorageFormat.toFp16(values[i]));
        }
        return out;
    }

    public static byte[] encodeBf16(float[] values) {
        byte[] out = new byte[2 * values.length];
        MemorySegment seg = MemorySegment.ofArray(out);
        for (int i = 0; i < values.length; i++) {
            seg.set(I16, 2L * i, StorageFormat.toBf16(values[i]));
        }
        return out;
    }
}
