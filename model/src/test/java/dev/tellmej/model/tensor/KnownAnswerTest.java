package dev.tellmej.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.model.TestModels;
import dev.tellmej.model.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** TQ1_0, TQ2_0 and I2_S against the known-answer blocks in testdata/kat (TQ blocks made by ggml itself). */
class KnownAnswerTest {
    /** {@code 0.5 * (((i*7 + i/3) mod 3) - 1)}: the trits, scale 0.5. */
    static byte[] katTrits() {
        byte[] t = new byte[256];
        for (int i = 0; i < 256; i++) {
            t[i] = (byte) (((i * 7 + i / 3) % 3) - 1);
        }
        return t;
    }

    private static void check(GgmlType type, String file) throws IOException {
        byte[] bytes = Files.readAllBytes(TestModels.file("kat/" + file));
        assertEquals(type.byteSize(256, 256), bytes.length);
        TensorCodecs.Ternary decoded = TensorCodecs.ternary(type, MemorySegment.ofArray(bytes), 256);
        assertArrayEquals(katTrits(), decoded.trits(), type.name());
        assertEquals(0.5f, decoded.blockScales()[0]);
        float[] floats = TensorCodecs.toFloats(type, MemorySegment.ofArray(bytes), 256);
        for (int i = 0; i < 256; i++) {
            assertEquals(0.5f * katTrits()[i], floats[i], type + " element " + i);
        }
        byte[] encoded = switch (type) {
            case TQ1_0 -> TensorCodecs.encodeTq1(katTrits(), 0.5f);
            case TQ2_0 -> TensorCodecs.encodeTq2(katTrits(), 0.5f);
            default -> TensorCodecs.encodeI2s(katTrits(), 0.5f);
        };
        assertArrayEquals(bytes, encoded, type + ": our encoder must write ggml's bytes");
    }

    @Test
    void tq1_0() throws IOException {
        check(GgmlType.TQ1_0, "kat_tq1_0_block.bin");
    }

    @Test
    void tq2_0() throws IOException {
        check(GgmlType.TQ2_0, "kat_tq2_0_block.bin");
    }

    @Test
    void i2_s() throws IOException {
        check(GgmlType.I2_S, "kat_i2s_256.bin");
    }
}
