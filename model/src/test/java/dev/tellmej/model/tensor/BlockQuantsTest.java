package dev.tellmej.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Known answers for ggml's Q4_0, Q8_0, Q4_K, Q5_K and Q6_K. Each test picks the fields of a block (codes, scales,
 * mins), lays the bytes out itself from ggml's struct layout (walking the bytes, as ggml's reference decoder
 * does, not the elements as the packer does), checks that the project's packer writes the same bytes, and that
 * the decoder gives the weights computed here from the fields by ggml's formula, binary32 step by step.
 */
class BlockQuantsTest {
    private static final long SEED = 18;

    private static byte[] f16(float v) {
        short b = Float.floatToFloat16(v);
        return new byte[] {(byte) b, (byte) (b >> 8)};
    }

    private static float[] decode(GgmlType type, byte[] bytes, int elements) {
        assertEquals(type.byteSize(elements, elements), bytes.length, type + " size");
        return TensorCodecs.toFloats(type, MemorySegment.ofArray(bytes), elements);
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    what + " element " + i + ": expected " + expected[i] + ", got " + actual[i] + " (seed " + SEED + ")");
        }
    }

    @Test
    void q4_0() {
        SplittableRandom r = new SplittableRandom(SEED);
        int[] codes = new int[32];
        for (int i = 0; i < 32; i++) {
            codes[i] = i < 2 ? 15 * i : r.nextInt(16);
        }
        float d = 0.0371f;
        float dh = Float.float16ToFloat(Float.floatToFloat16(d));
        byte[] bytes = new byte[18];
        System.arraycopy(f16(d), 0, bytes, 0, 2);
        for (int b = 0; b < 16; b++) {
            bytes[2 + b] = (byte) (codes[b] + 16 * codes[b + 16]);
        }
        byte[] packed = new byte[18];
        BlockQuants.packQ4_0(d, codes, packed, 0);
        assertArrayEquals(bytes, packed, "Q4_0 packer");
        float[] expected = new float[32];
        for (int i = 0; i < 32; i++) {
            expected[i] = (codes[i] - 8) * dh;
        }
        assertBits(expected, decode(GgmlType.Q4_0, bytes, 32), "Q4_0");
        assertEquals(-8 * dh, decode(GgmlType.Q4_0, bytes, 32)[0]);
    }

    @Test
    void q8_0() {
        SplittableRandom r = new SplittableRandom(SEED);
        int[] codes = new int[64];
        for (int i = 0; i < 64; i++) {
            codes[i] = i == 0 ? -128 : i == 1 ? 127 : r.nextInt(256) - 128;
        }
        float[] ds = {0.0123f, -3.5f};
        byte[] bytes = new byte[68];
        byte[] packed = new byte[68];
        float[] expected = new float[64];
        for (int b = 0; b < 2; b++) {
            System.arraycopy(f16(ds[b]), 0, bytes, 34 * b, 2);
            int[] block = java.util.Arrays.copyOfRange(codes, 32 * b, 32 * b + 32);
            BlockQuants.packQ8_0(ds[b], block, packed, 34 * b);
            float dh = Float.float16ToFloat(Float.floatToFloat16(ds[b]));
            for (int j = 0; j < 32; j++) {
                bytes[34 * b + 2 + j] = (byte) block[j];
                expected[32 * b + j] = block[j] * dh;
            }
        }
        assertArrayEquals(bytes, packed, "Q8_0 packer");
        assertBits(expected, decode(GgmlType.Q8_0, bytes, 64), "Q8_0");
    }

    /** Q4_K (bits 4) or Q5_K (bits 5): 6-bit scales and mins, codes, and the asymmetric formula. */
    private static void kQuant(int bits) {
        GgmlType type = bits == 4 ? GgmlType.Q4_K : GgmlType.Q5_K;
        SplittableRandom r = new SplittableRandom(SEED + bits);
        int[] scales = new int[8];
        int[] mins = new int[8];
        for (int j = 0; j < 8; j++) {
            // Sub-blocks 0 and 7 take the extremes so every packed bit of the 12 scale bytes is exercised.
            scales[j] = j == 7 ? 63 : j == 0 ? 0 : r.nextInt(64);
            mins[j] = j == 7 ? 63 : j == 0 ? 0 : r.nextInt(64);
        }
        int[] codes = new int[256];
        for (int i = 0; i < 256; i++) {
            codes[i] = r.nextInt(1 << bits);
        }
        float d = 0.0021f;
        float dmin = 0.0173f;
        byte[] bytes = new byte[type.blockBytes()];
        System.arraycopy(f16(d), 0, bytes, 0, 2);
        System.arraycopy(f16(dmin), 0, bytes, 2, 2);
        // scales[12]: bytes 0..3 hold scale j (low 6 bits) and the top 2 bits of scale j+4; bytes 4..7 the same
        // for the mins; bytes 8..11 hold the low nibbles of scale j+4 and min j+4.
        for (int j = 0; j < 4; j++) {
            bytes[4 + j] = (byte) (scales[j] | (scales[j + 4] >> 4) << 6);
            bytes[8 + j] = (byte) (mins[j] | (mins[j + 4] >> 4) << 6);
            bytes[12 + j] = (byte) ((scales[j + 4] & 15) | (mins[j + 4] & 15) << 4);
        }
        int qs = bits == 5 ? 48 : 16;
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                bytes[qs + 32 * c + l] = (byte) ((codes[64 * c + l] & 15) | (codes[64 * c + 32 + l] & 15) << 4);
            }
        }
        if (bits == 5) {
            for (int l = 0; l < 32; l++) {
                int h = 0;
                for (int j = 0; j < 8; j++) {
                    h |= (codes[32 * j + l] >> 4) << j;
                }
                bytes[16 + l] = (byte) h;
            }
        }
        byte[] packed = new byte[type.blockBytes()];
        BlockQuants.packQK(bits, d, dmin, scales, mins, codes, packed, 0);
        assertArrayEquals(bytes, packed, type + " packer");
        float dh = Float.float16ToFloat(Float.floatToFloat16(d));
        float mh = Float.float16ToFloat(Float.floatToFloat16(dmin));
        float[] expected = new float[256];
        for (int i = 0; i < 256; i++) {
            float scale = dh * scales[i / 32];
            float offset = mh * mins[i / 32];
            expected[i] = scale * codes[i] - offset;
        }
        assertBits(expected, decode(type, bytes, 256), type.name());
    }

    @Test
    void q4_K() {
        kQuant(4);
    }

    @Test
    void q5_K() {
        kQuant(5);
    }

    @Test
    void q6_K() {
        SplittableRandom r = new SplittableRandom(SEED);
        int[] scales = new int[16];
        for (int j = 0; j < 16; j++) {
            scales[j] = j == 0 ? -128 : j == 1 ? 127 : r.nextInt(256) - 128;
        }
        int[] codes = new int[256];
        for (int i = 0; i < 256; i++) {
            codes[i] = i == 0 ? -32 : i == 255 ? 31 : r.nextInt(64) - 32;
        }
        float d = 0.00077f;
        byte[] bytes = new byte[210];
        // ql[128]: byte 64h + l (l < 64) holds elements 128h + l (low nibble) and 128h + 64 + l (high nibble);
        // qh[64]: byte 32h + l holds the top two bits of elements 128h + 32k + l at bits 2k, k = 0..3.
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 64; l++) {
                int a = codes[128 * h + l] + 32;
                int b = codes[128 * h + 64 + l] + 32;
                bytes[64 * h + l] = (byte) ((a & 15) | (b & 15) << 4);
            }
            for (int l = 0; l < 32; l++) {
                int bitsHigh = 0;
                for (int k = 0; k < 4; k++) {
                    bitsHigh |= ((codes[128 * h + 32 * k + l] + 32) >> 4) << (2 * k);
                }
                bytes[128 + 32 * h + l] = (byte) bitsHigh;
            }
        }
        for (int j = 0; j < 16; j++) {
            bytes[192 + j] = (byte) scales[j];
        }
        System.arraycopy(f16(d), 0, bytes, 208, 2);
        byte[] packed = new byte[210];
        BlockQuants.packQ6_K(d, scales, codes, packed, 0);
        assertArrayEquals(bytes, packed, "Q6_K packer");
        float dh = Float.float16ToFloat(Float.floatToFloat16(d));
        float[] expected = new float[256];
        for (int i = 0; i < 256; i++) {
            // Sub-blocks of 16 in element order.
            expected[i] = (dh * scales[i / 16]) * codes[i];
        }
        assertBits(expected, decode(GgmlType.Q6_K, bytes, 256), "Q6_K");
    }

    /** The quantizer writes blocks whose decoded values are close to the input, within each type's step. */
    @Test
    void quantizerRoundTripsWithinTheStep() {
        SplittableRandom r = new SplittableRandom(SEED);
        float[] x = new float[1024];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 0.3);
        }
        x[5] = 0f;
        java.util.Arrays.fill(x, 256, 288, 0f); // an all-zero block decodes to zeros
        // Worst error as a fraction of the largest magnitude in the 256-element span: half a step of each type,
        // plus the rounding of the sub-block scales for the k-quants.
        // (Q4_0 maps the extreme to -8 d, so the opposite extreme clips to 7 d: one full step there.)
        double[] tolerance = {1.0 / 8 + 0.001, 0.5 / 127 + 0.0001, 1.0 / 15, 1.0 / 31, 1.0 / 31};
        GgmlType[] types = {GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K};
        for (int t = 0; t < types.length; t++) {
            float[] y = decode(types[t], BlockQuants.quantize(types[t], x), x.length);
            double worst = 0;
            for (int i = 0; i < x.length; i++) {
                double amax = 0;
                for (int k = i / 256 * 256; k < i / 256 * 256 + 256; k++) {
                    amax = Math.max(amax, Math.abs(x[k]));
                }
                worst = Math.max(worst, Math.abs(x[i] - y[i]) / amax);
            }
            assertTrue(worst < tolerance[t], types[t] + ": worst error " + worst + " (seed " + SEED + ")");
            for (int i = 256; i < 288; i++) {
                assertEquals(0f, Math.abs(y[i]), types[t] + " zero block element " + i);
            }
        }
    }

    @Test
    void badInputIsRefused() {
        int[] codes = new int[32];
        codes[3] = 16;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlockQuants.packQ4_0(1f, codes, new byte[18], 0));
        assertTrue(e.getMessage().contains("16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BlockQuants.quantize(GgmlType.Q6_K, new float[128]));
        assertThrows(IllegalArgumentException.class, () -> BlockQuants.quantize(GgmlType.F16, new float[128]));
    }
}
