package dev.tellmej.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.MalformedModelException;
import dev.tellmej.model.UnsupportedTensorTypeException;
import dev.tellmej.model.inference.WeightLoader;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SafetensorsTest {
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static SafetensorsFile read(byte[] bytes) {
        return SafetensorsFile.read(Path.of("t.safetensors"), MemorySegment.ofArray(bytes));
    }

    @Test
    void readsEveryDtype() {
        ByteBuffer data = ByteBuffer.allocate(4 + 2 + 2 + 2 + 2).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putShort(Float.floatToFloat16(-2f)).putShort((short) 0x3F80).put((byte) 200)
                .put((byte) 3).put((byte) -5).put((byte) 7);
        String header = """
                {"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                 "b": {"dtype": "F16", "shape": [1], "data_offsets": [4, 6]},
                 "c": {"dtype": "BF16", "shape": [1], "data_offsets": [6, 8]},
                 "d": {"dtype": "U8", "shape": [2], "data_offsets": [8, 10]},
                 "e": {"dtype": "I8", "shape": [2, 1], "data_offsets": [10, 12]}}""";
        try (SafetensorsFile f = read(file(header, data.array()))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(1.5f, f.floats(f.require("a"))[0]);
            assertEquals(-2f, f.floats(f.require("b"))[0]);
            assertEquals(1f, f.floats(f.require("c"))[0]);
            assertArrayEquals(new byte[] {(byte) 200, 3}, f.bytes(f.require("d")));
            assertArrayEquals(new long[] {2, 1}, f.require("e").shape());
        }
    }

    @Test
    void malformedHeadersAreNamed() {
        MalformedModelException e = assertThrows(MalformedModelException.class, () -> read(file("{\"a\": {\"dtype\": \"F32\","
                + " \"shape\": [2], \"data_offsets\": [0, 4]}}", new byte[8])));
        assertEquals("a.data_offsets", e.field());
        assertTrue(e.getMessage().contains("needs 8"), e.getMessage());
        assertEquals("a.data_offsets", assertThrows(MalformedModelException.class, () -> read(file(
                "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 40]}}", new byte[4]))).field());
        assertEquals("header", assertThrows(MalformedModelException.class, () -> read(file("{\"a\": [", new byte[0])))
                .field());
        byte[] huge = file("{}", new byte[0]);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        assertEquals("header length", assertThrows(MalformedModelException.class, () -> read(huge)).field());
        assertEquals("a.shape[0]", assertThrows(MalformedModelException.class, () -> read(file(
                "{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", new byte[4]))).field());
        UnsupportedTensorTypeException u = assertThrows(UnsupportedTensorTypeException.class, () -> read(file(
                "{\"a\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", new byte[8])));
        assertEquals("a.dtype", u.field());
    }

    @Test
    void packedTernaryRowsRoundTrip() {
        SplittableRandom r = new SplittableRandom(7);
        int rows = 12;
        int cols = 5;
        byte[] trits = new byte[rows * cols];
        for (int i = 0; i < trits.length; i++) {
            trits[i] = (byte) (r.nextInt(3) - 1);
        }
        byte[] packed = WeightLoader.packRows(trits, rows, cols);
        assertEquals(rows / 4 * cols, packed.length);
        assertArrayEquals(trits, WeightLoader.unpackRows(packed, rows, cols));
        // Row 3 of 12 lives in packed row 0, bits 6..7... no: row r sits in packed row r % 3, bits 2 * (r / 3).
        int row = 7;
        int col = 2;
        int code = (packed[(row % 3) * cols + col] >> (2 * (row / 3))) & 3;
        assertEquals(trits[row * cols + col] + 1, code);
    }

    @Test
    void scaleConventionFollowsTheLinearClass() {
        assertEquals(WeightLoader.ScaleConvention.MULTIPLY, WeightLoader.ScaleConvention.fromDescription("autobitlinear"));
        assertEquals(WeightLoader.ScaleConvention.DIVIDE, WeightLoader.ScaleConvention.fromDescription("bitlinear"));
        assertEquals(WeightLoader.ScaleConvention.MULTIPLY, WeightLoader.ScaleConvention.fromDescription(null));
    }

    @Test
    void jsonParsesWhatHuggingFaceWrites() {
        Object v = Json.parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\n\"], \"b\": {}} ");
        assertEquals(Map.of("b", Map.of()), Map.of("b", ((Map<?, ?>) v).get("b")));
        List<?> a = (List<?>) ((Map<?, ?>) v).get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2500.0, a.get(1));
        assertEquals("xé\n", a.get(5));
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\": 1,}"));
        assertThrows(Json.JsonException.class, () -> Json.parse("[".repeat(100)));
    }
}
