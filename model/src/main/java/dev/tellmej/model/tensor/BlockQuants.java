package dev.tellmej.model.tensor;

import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.numerics.StorageFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * ggml's block-quantized float encodings Q4_0, Q8_0, Q4_K, Q5_K and Q6_K: the decoder, the block packer
 * and a simple quantizer. {@code llama-quantize} writes these on the embedding and output tensors of ternary
 * models (a TQ2_0 model gets a Q6_K tied embedding by default).
 *
 * <p>Decoding is ggml's reference dequantization, one binary32 operation at a time in the order its C source
 * writes them (each step RNE, nothing fused), so the values are defined bit for bit:
 * <ul>
 *   <li>Q4_0 (32 per block): {@code w = (float) (q - 8) * d}, q the 4-bit code;</li>
 *   <li>Q8_0 (32 per block): {@code w = (float) q * d}, q the int8;</li>
 *   <li>Q4_K, Q5_K (256 per block, 8 sub-blocks of 32): {@code w = (d * sc) * q - dmin * m}, with {@code d * sc}
 *       and {@code dmin * m} rounded first, then the product with q, then the subtraction; sc and m are the
 *       sub-block's 6-bit scale and min, q the 4- or 5-bit code;</li>
 *   <li>Q6_K (256 per block, 16 sub-blocks of 16): {@code w = (d * sc) * q}, sc the sub-block's int8 scale, q the
 *       6-bit code minus 32.</li>
 * </ul>
 * d and dmin are binary16. Layouts (byte offsets inside a block):
 * <ul>
 *   <li>Q4_0 (18 bytes): d; {@code qs[16]}: element j in the low nibble of {@code qs[j]}, element 16 + j in its
 *       high nibble;</li>
 *   <li>Q8_0 (34 bytes): d; 32 int8;</li>
 *   <li>Q4_K (144 bytes): d, dmin; {@code scales[12]}; {@code qs[128]}: in each 64-element chunk c, element
 *       {@code 64c + l} in the low nibble of {@code qs[32c + l]} and {@code 64c + 32 + l} in its high nibble;</li>
 *   <li>Q5_K (176 bytes): d, dmin; {@code scales[12]}; {@code qh[32]}; {@code qs[128]} as Q4_K; the fifth bit of
 *       element {@code 64c + l} is bit 2c of {@code qh[l]}, of {@code 64c + 32 + l} bit 2c + 1;</li>
 *   <li>Q4_K/Q5_K scales: sub-block j < 4 has scale {@code scales[j] & 63} and min {@code scales[j + 4] & 63};
 *       j >= 4 has scale {@code (scales[j + 4] & 15) | (scales[j - 4] >> 6) << 4} and min
 *       {@code (scales[j + 4] >> 4) | (scales[j] >> 6) << 4};</li>
 *   <li>Q6_K (210 bytes): {@code ql[128]}, {@code qh[64]}, {@code scales[16]} (int8), d. In each half h (128
 *       elements), element {@code 128h + 32k + l} (k = 0..3, l = 0..31) has its low nibble in
 *       {@code ql[64h + 32(k & 1) + l]} (low nibble for k < 2, high for k >= 2), its top two bits at bits 2k..2k+1
 *       of {@code qh[32h + l]}, and scale {@code scales[8h + 2k + l / 16]}.</li>
 * </ul>
 */
public final class BlockQuants {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BlockQuants() {}

    /**
     * Decodes {@code count} elements starting at element {@code first} (both multiples of the type's block size)
     * of a tensor of {@code type} in {@code data} into {@code out[outOff ..]}.
     */
    public static void decode(GgmlType type, MemorySegment data, long first, int count, float[] out, int outOff) {
        int bs = type.blockSize();
        if (first % bs != 0 || count % bs != 0) {
            throw new IllegalArgumentException(type + " decodes whole blocks of " + bs + " elements");
        }
        long block = first / bs;
        for (int b = 0; b < count / bs; b++) {
            long at = (block + b) * type.blockBytes();
            int o = outOff + b * bs;
            switch (type) {
                case Q4_0 -> q4_0(data, at, out, o);
                case Q8_0 -> q8_0(data, at, out, o);
                case Q4_K -> qK(data, at, false, out, o);
                case Q5_K -> qK(data, at, true, out, o);
                case Q6_K -> q6_K(data, at, out, o);
                default -> throw new IllegalArgumentException(type + " is not block-quantized");
            }
        }
    }

    private static int u8(MemorySegment data, long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static float f16(MemorySegment data, long at) {
        return Float.float16ToFloat(data.get(I16, at));
    }

    private static void q4_0(MemorySegment data, long at, float[] out, int o) {
        float d = f16(data, at);
        for (int j = 0; j < 16; j++) {
            int v = u8(data, at + 2 + j);
            out[o + j] = (float) ((v & 15) - 8) * d;
            out[o + 16 + j] = (float) ((v >> 4) - 8) * d;
        }
    }

    private static void q8_0(MemorySegment data, long at, float[] out, int o) {
        float d = f16(data, at);
        for (int j = 0; j < 32; j++) {
            out[o + j] = (float) data.get(ValueLayout.JAVA_BYTE, at + 2 + j) * d;
        }
    }

    /** The 6-bit scale (which 0) or min (which 1) of sub-block j from the 12 packed bytes at {@code s}. */
    private static int scaleMin(MemorySegment data, long s, int j, int which) {
        if (j < 4) {
            return u8(data, s + j + 4 * which) & 63;
        }
        int low = u8(data, s + j + 4);
        int high = u8(data, s + j - 4 + 4 * which) >> 6;
        return (which == 0 ? low & 15 : low >> 4) | high << 4;
    }

    private static void qK(MemorySegment data, long at, boolean fifthBit, float[] out, int o) {
        float d = f16(data, at);
        float dmin = f16(data, at + 2);
        long scales = at + 4;
        long qh = at + 16;
        long qs = fifthBit ? at + 48 : at + 16;
        for (int j = 0; j < 8; j++) {
            float dj = d * (float) scaleMin(data, scales, j, 0);
            float mj = dmin * (float) scaleMin(data, scales, j, 1);
            int chunk = j / 2;
            int shift = 4 * (j & 1);
            for (int l = 0; l < 32; l++) {
                int q = (u8(data, qs + 32 * chunk + l) >> shift) & 15;
                if (fifthBit) {
                    q |= ((u8(data, qh + l) >> j) & 1) << 4;
                }
                out[o + 32 * j + l] = dj * (float) q - mj;
            }
        }
    }

    private static void q6_K(MemorySegment data, long at, float[] out, int o) {
        float d = f16(data, at + 208);
        for (int h = 0; h < 2; h++) {
            for (int k = 0; k < 4; k++) {
                for (int l = 0; l < 32; l++) {
                    int low = (u8(data, at + 64 * h + 32 * (k & 1) + l) >> (4 * (k >> 1))) & 15;
                    int high = (u8(data, at + 128 + 32 * h + l) >> (2 * k)) & 3;
                    int q = (low | high << 4) - 32;
                    float sc = data.get(ValueLayout.JAVA_BYTE, at + 192 + 8 * h + 2 * k + l / 16);
                    out[o + 128 * h + 32 * k + l] = (d * sc) * (float) q;
                }
            }
        }
    }

    // ----- block packers: the fields of one block, laid out as ggml's structs -----

    /**
     * One Q4_0 block into {@code out[off .. off+18)}.
     *
     * @param d     the scale (stored as binary16)
     * @param codes 32 codes in 0..15 (the weight is {@code (code - 8) * d})
     */
    public static void packQ4_0(float d, int[] codes, byte[] out, int off) {
        java.util.Arrays.fill(out, off, off + 18, (byte) 0);
        putF16(out, off, d);
        for (int j = 0; j < 16; j++) {
            out[off + 2 + j] = (byte) (check(codes[j], 0, 15) | check(codes[16 + j], 0, 15) << 4);
        }
    }

    /** One Q8_0 block into {@code out[off .. off+34)}: d (binary16) and 32 codes in -128..127. */
    public static void packQ8_0(float d, int[] codes, byte[] out, int off) {
        putF16(out, off, d);
        for (int j = 0; j < 32; j++) {
            out[off + 2 + j] = (byte) check(codes[j], -128, 127);
        }
    }

    /**
     * One Q4_K ({@code bits} 4, 144 bytes) or Q5_K ({@code bits} 5, 176 bytes) block into {@code out[off ..]}.
     *
     * @param d      scale of the sub-block scales (binary16)
     * @param dmin   scale of the sub-block mins (binary16)
     * @param scales 8 sub-block scales in 0..63
     * @param mins   8 sub-block mins in 0..63
     * @param codes  256 codes in 0..2^bits - 1
     */
    public static void packQK(int bits, float d, float dmin, int[] scales, int[] mins, int[] codes, byte[] out,
                              int off) {
        if (bits != 4 && bits != 5) {
            throw new IllegalArgumentException("k-quant blocks with scales and mins have 4 or 5 bits, not " + bits);
        }
        java.util.Arrays.fill(out, off, off + (bits == 5 ? 176 : 144), (byte) 0);
        putF16(out, off, d);
        putF16(out, off + 2, dmin);
        int s = off + 4;
        for (int j = 0; j < 8; j++) {
            int sc = check(scales[j], 0, 63);
            int m = check(mins[j], 0, 63);
            if (j < 4) {
                out[s + j] |= (byte) sc;
                out[s + j + 4] |= (byte) m;
            } else {
                out[s + j + 4] = (byte) ((sc & 15) | (m & 15) << 4);
                out[s + j - 4] |= (byte) ((sc >> 4) << 6);
                out[s + j] |= (byte) ((m >> 4) << 6);
            }
        }
        int qh = off + 16;
        int qs = bits == 5 ? off + 48 : off + 16;
        int max = (1 << bits) - 1;
        for (int i = 0; i < 256; i++) {
            int q = check(codes[i], 0, max);
            int j = i / 32;
            int l = i % 32;
            out[qs + 32 * (j / 2) + l] |= (byte) ((q & 15) << (4 * (j & 1)));
            if (bits == 5) {
                out[qh + l] |= (byte) ((q >> 4) << j);
            }
        }
    }

    /**
     * One Q6_K block into {@code out[off .. off+210)}.
     *
     * @param d      the scale of the sub-block scales (binary16)
     * @param scales 16 sub-block scales in -128..127
     * @param codes  256 values in -32..31 (the weight is {@code (d * scale) * code})
     */
    public static void packQ6_K(float d, int[] scales, int[] codes, byte[] out, int off) {
        java.util.Arrays.fill(out, off, off + 210, (byte) 0);
        for (int i = 0; i < 256; i++) {
            int q = check(codes[i], -32, 31) + 32;
            int h = i / 128;
            int k = (i % 128) / 32;
            int l = i % 32;
            out[off + 64 * h + 32 * (k & 1) + l] |= (byte) ((q & 15) << (4 * (k >> 1)));
            out[off + 128 + 32 * h + l] |= (byte) ((q >> 4) << (2 * k));
        }
        for (int j = 0; j < 16; j++) {
            out[off + 192 + j] = (byte) check(scales[j], -128, 127);
        }
        putF16(out, off + 208, d);
    }

    private static int check(int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("code " + v + " is outside " + min + ".." + max);
        }
        return v;
    }

    private static void putF16(byte[] out, int off, float v) {
        short bits = StorageFormat.toFp16(v);
        out[off] = (byte) bits;
        out[off + 1] = (byte) (bits >> 8);
    }

    // ----- quantizer: floats to blocks (simple absmax / min-max choices; any valid blocks decode exactly) -----

    /**
     * Quantizes {@code values} (a multiple of the block size) to {@code type}. The choices are plain absmax (or
     * min/max for Q4_K and Q5_K) per block and sub-block, not ggml's error-minimizing search: the result is a
     * valid file of that type, decoded exactly as ggml decodes it, with a little more error than llama-quantize's.
     */
    public static byte[] quantize(GgmlType type, float[] values) {
        int bs = type.blockSize();
        if (!type.blockQuantized()) {
            throw new IllegalArgumentException(type + " is not block-quantized");
        }
        if (values.length % bs != 0) {
            throw new IllegalArgumentException(type + " needs a multiple of " + bs + " values, got " + values.length);
        }
        int blocks = values.length / bs;
        byte[] out = new byte[blocks * type.blockBytes()];
        for (int b = 0; b < blocks; b++) {
            int at = b * type.blockBytes();
            int from = b * bs;
            switch (type) {
                case Q4_0 -> quantizeQ4_0(values, from, out, at);
                case Q8_0 -> quantizeQ8_0(values, from, out, at);
                case Q4_K -> quantizeQK(4, values, from, out, at);
                case Q5_K -> quantizeQK(5, values, from, out, at);
                case Q6_K -> quantizeQ6_K(values, from, out, at);
                default -> throw new IllegalStateException();
            }
        }
        return out;
    }

    private static float stored(float v) {
        return Float.float16ToFloat(StorageFormat.toFp16(v));
    }

    private static int clampRound(double v, int min, int max) {
        return (int) Math.max(min, Math.min(max, Math.rint(v)));
    }

    private static void quantizeQ4_0(float[] x, int from, byte[] out, int at) {
        // The value of largest magnitude maps to code 0 (-8 * d), as ggml does, so its sign keeps the full range.
        float extreme = 0f;
        for (int i = 0; i < 32; i++) {
            if (Math.abs(x[from + i]) > Math.abs(extreme)) {
                extreme = x[from + i];
            }
        }
        float d = stored(extreme / -8f);
        int[] codes = new int[32];
        for (int i = 0; i < 32; i++) {
            codes[i] = d == 0f ? 8 : clampRound(x[from + i] / d + 8, 0, 15);
        }
        packQ4_0(d, codes, out, at);
    }

    private static void quantizeQ8_0(float[] x, int from, byte[] out, int at) {
        float amax = 0f;
        for (int i = 0; i < 32; i++) {
            amax = Math.max(amax, Math.abs(x[from + i]));
        }
        float d = stored(amax / 127f);
        int[] codes = new int[32];
        for (int i = 0; i < 32; i++) {
            codes[i] = d == 0f ? 0 : clampRound(x[from + i] / d, -128, 127);
        }
        packQ8_0(d, codes, out, at);
    }

    private static void quantizeQK(int bits, float[] x, int from, byte[] out, int at) {
        int max = (1 << bits) - 1;
        float[] subScale = new float[8];
        float[] subMin = new float[8];
        float maxScale = 0f;
        float maxMin = 0f;
        for (int j = 0; j < 8; j++) {
            float lo = 0f;
            float hi = 0f;
            for (int l = 0; l < 32; l++) {
                lo = Math.min(lo, x[from + 32 * j + l]);
                hi = Math.max(hi, x[from + 32 * j + l]);
            }
            subScale[j] = (hi - lo) / max;
            subMin[j] = -lo;
            maxScale = Math.max(maxScale, subScale[j]);
            maxMin = Math.max(maxMin, subMin[j]);
        }
        float d = stored(maxScale / 63f);
        float dmin = stored(maxMin / 63f);
        int[] scales = new int[8];
        int[] mins = new int[8];
        int[] codes = new int[256];
        for (int j = 0; j < 8; j++) {
            scales[j] = d == 0f ? 0 : clampRound(subScale[j] / d, 0, 63);
            // Round the min up so the offset covers the sub-block's lowest value.
            mins[j] = dmin == 0f ? 0 : (int) Math.min(63, Math.ceil(subMin[j] / dmin));
            float dj = d * (float) scales[j];
            float mj = dmin * (float) mins[j];
            for (int l = 0; l < 32; l++) {
                codes[32 * j + l] = dj == 0f ? 0 : clampRound((x[from + 32 * j + l] + mj) / dj, 0, max);
            }
        }
        packQK(bits, d, dmin, scales, mins, codes, out, at);
    }

    private static void quantizeQ6_K(float[] x, int from, byte[] out, int at) {
        float[] subScale = new float[16];
        float maxScale = 0f;
        for (int j = 0; j < 16; j++) {
            float amax = 0f;
            for (int l = 0; l < 16; l++) {
                amax = Math.max(amax, Math.abs(x[from + 16 * j + l]));
            }
            subScale[j] = amax / 31f;
            maxScale = Math.max(maxScale, subScale[j]);
        }
        float d = stored(maxScale / 127f);
        int[] scales = new int[16];
        int[] codes = new int[256];
        for (int j = 0; j < 16; j++) {
            scales[j] = d == 0f ? 0 : clampRound(subScale[j] / d, -128, 127);
            float dj = d * (float) scales[j];
            for (int l = 0; l < 16; l++) {
                codes[16 * j + l] = dj == 0f ? 0 : clampRound(x[from + 16 * j + l] / dj, -32, 31);
            }
        }
        packQ6_K(d, scales, codes, out, at);
    }
}
