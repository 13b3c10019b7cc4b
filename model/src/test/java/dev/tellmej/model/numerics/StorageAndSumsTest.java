package dev.tellmej.model.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StorageAndSumsTest {
    @Test
    void fp16RoundsToNearestEvenAndCanonicalizesNan() {
        assertEquals((short) 0x3C00, StorageFormat.toFp16(1f));
        // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: even is 1.
        assertEquals((short) 0x3C00, StorageFormat.toFp16(1f + 0x1p-11f));
        assertEquals((short) 0x3C02, StorageFormat.toFp16(1f + 3 * 0x1p-11f));
        assertEquals((short) 0x7C00, StorageFormat.toFp16(65520f), "overflow rounds to infinity");
        assertEquals((short) 0x7BFF, StorageFormat.toFp16(65519f));
        assertEquals((short) 0x0001, StorageFormat.toFp16(0x1p-24f), "smallest subnormal kept");
        assertEquals((short) 0x0000, StorageFormat.toFp16(0x1p-25f), "half the smallest subnormal ties to 0");
        assertEquals((short) 0x7E00, StorageFormat.toFp16(Float.intBitsToFloat(0xFFC12345)));
        assertEquals((short) 0x8000, StorageFormat.toFp16(-0f));
    }

    @Test
    void bf16RoundsToNearestEvenAndCanonicalizesNan() {
        assertEquals((short) 0x3F80, StorageFormat.toBf16(1f));
        assertEquals((short) 0x3F80, StorageFormat.toBf16(Float.intBitsToFloat(0x3F808000)), "tie to even (down)");
        assertEquals((short) 0x3F82, StorageFormat.toBf16(Float.intBitsToFloat(0x3F818000)), "tie to even (up)");
        assertEquals((short) 0x3F81, StorageFormat.toBf16(Float.intBitsToFloat(0x3F808001)));
        assertEquals((short) 0x7F80, StorageFormat.toBf16(Float.MAX_VALUE), "overflow rounds to infinity");
        assertEquals((short) 0xFF80, StorageFormat.toBf16(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x7FC0, StorageFormat.toBf16(Float.intBitsToFloat(0x7F800001)));
        assertEquals((short) 0x0001, StorageFormat.toBf16(Float.intBitsToFloat(0x00010000)), "subnormals kept");
        assertEquals(1.5f, StorageFormat.BF16.round(1.5f));
    }

    @Test
    void laneSumFollowsTheLaneOrderAndTree() {
        float[] v = new float[11];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * (1 << r.nextInt(20));
        }
        float sequential = 0f;
        for (float f : v) {
            sequential += f;
        }
        assertEquals(sequential, LaneSum.sum(v, 0, v.length, 1));
        float[] p = new float[4];
        for (int j = 0; j < 4; j++) {
            for (int i = j; i < v.length; i += 4) {
                p[j] += v[i];
            }
        }
        assertEquals((p[0] + p[1]) + (p[2] + p[3]), LaneSum.sum(v, 0, v.length, 4));
        // Fewer elements than lanes: the idle lanes contribute +0.
        assertEquals((v[0] + v[1]) + v[2], LaneSum.sum(v, 0, 3, 16));
        // The order matters: these sums differ between L = 1 and L = 2.
        float[] cancel = {1e8f, 1f, -1e8f, 1f};
        assertEquals(1f, LaneSum.sum(cancel, 0, 4, 1));
        assertEquals(2f, LaneSum.sum(cancel, 0, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> LaneSum.checkLanes(3));
    }

    @Test
    void int8RoundingIsHalfEvenAndSaturates() {
        assertEquals(2, ActivationQuantizer.toInt8(2.5f));
        assertEquals(-2, ActivationQuantizer.toInt8(-2.5f));
        assertEquals(4, ActivationQuantizer.toInt8(3.5f));
        assertEquals(127, ActivationQuantizer.toInt8(127.5f));
        assertEquals(-128, ActivationQuantizer.toInt8(-300f));
        assertEquals(127, ActivationQuantizer.toInt8(Float.POSITIVE_INFINITY));
        assertEquals(0, ActivationQuantizer.toInt8(Float.NaN));
    }

    @Test
    void quantizationUsesTheClampedAbsmax() {
        float[] x = {0.5f, -1f, 0.25f, 0f};
        byte[] q = new byte[4];
        float mc = ActivationQuantizer.quantize(x, 4, q);
        assertEquals(1f, mc);
        assertEquals(64, q[0]); // 63.5 rounds half to even: 64
        assertEquals(-127, q[1]);
        assertEquals(32, q[2]); // 31.75
        float[] zeros = new float[3];
        assertEquals(ActivationQuantizer.EPS, ActivationQuantizer.quantize(zeros, 3, new byte[3]));
        assertEquals((2f * 0.5f) * ActivationQuantizer.INV127, ActivationQuantizer.factor(2f, 0.5f));
    }
}
