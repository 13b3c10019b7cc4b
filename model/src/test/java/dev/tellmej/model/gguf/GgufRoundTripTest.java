package dev.tellmej.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.MalformedModelException;
import dev.tellmej.model.TestModels;
import dev.tellmej.model.UnsupportedTensorTypeException;
import dev.tellmej.model.tensor.TensorCodecs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    private static final long SEED = 20251121L;

    private static byte[] randomTrits(SplittableRandom r, int n) {
        byte[] t = new byte[n];
        for (int i = 0; i < n; i++) {
            t[i] = (byte) (r.nextInt(3) - 1);
        }
        return t;
    }

    @Test
    void everyMetadataTypeAndTensorTypeRoundTrips(@TempDir Path dir) {
        SplittableRandom r = new SplittableRandom(SEED);
        GgufWriter w = new GgufWriter();
        Map<String, GgufValue> values = new java.util.LinkedHashMap<>();
        values.put("u8", new GgufValue.U8(255));
        values.put("i8", new GgufValue.I8((byte) -128));
        values.put("u16", new GgufValue.U16(65535));
        values.put("i16", new GgufValue.I16((short) -32768));
        values.put("u32", new GgufValue.U32(0xFFFFFFFFL));
        values.put("i32", new GgufValue.I32(Integer.MIN_VALUE));
        values.put("f32", new GgufValue.F32(-1.5e-40f));
        values.put("bool", new GgufValue.Bool(true));
        values.put("str", new GgufValue.Str("héllo ▁ 🦙"));
        values.put("u64", new GgufValue.U64(-1L));
        values.put("i64", new GgufValue.I64(Long.MIN_VALUE));
        values.put("f64", new GgufValue.F64(Math.PI));
        values.put("empty", new GgufValue.Arr(GgufValueType.UINT8, List.of()));
        values.put("nested", new GgufValue.Arr(GgufValueType.ARRAY, List.of(
                new GgufValue.Arr(GgufValueType.STRING, List.of(new GgufValue.Str("a"), new GgufValue.Str(""))),
                new GgufValue.Arr(GgufValueType.INT64, List.of(new GgufValue.I64(7))))));
        values.forEach(w::put);
        float[] f = new float[3 * 5];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextGaussian();
        }
        byte[] trits = randomTrits(r, 2 * 256);
        w.addTensor("f32", new long[] {5, 3}, GgmlType.F32, TensorCodecs.encodeF32(f));
        w.addTensor("f16", new long[] {5, 3}, GgmlType.F16, TensorCodecs.encodeF16(f));
        w.addTensor("bf16", new long[] {15}, GgmlType.BF16, TensorCodecs.encodeBf16(f));
        w.addTensor("tq1", new long[] {256, 2}, GgmlType.TQ1_0, TensorCodecs.encodeTq1(trits, 0.25f));
        w.addTensor("tq2", new long[] {256, 2}, GgmlType.TQ2_0, TensorCodecs.encodeTq2(trits, 0.25f));
        w.addTensor("i2s", new long[] {128, 4}, GgmlType.I2_S, TensorCodecs.encodeI2s(trits, 0.25f));
        Path path = dir.resolve("all.gguf");
        w.write(path);
        try (GgufFile file = GgufFile.open(path)) {
            assertEquals(values, file.metadata());
            assertEquals(List.of("f32", "f16", "bf16", "tq1", "tq2", "i2s"), List.copyOf(file.tensors().keySet()));
            for (GgufTensorInfo info : file.tensors().values()) {
                assertEquals(0, info.fileOffset() % 32, info.name());
            }
            GgufTensorInfo i = file.requireTensor("f32");
            assertArrayEquals(new long[] {5, 3}, i.dims());
            assertArrayEquals(f, TensorCodecs.toFloats(GgmlType.F32, file.data(i), 15));
            float[] half = TensorCodecs.toFloats(GgmlType.F16, file.data(file.requireTensor("f16")), 15);
            float[] bf = TensorCodecs.toFloats(GgmlType.BF16, file.data(file.requireTensor("bf16")), 15);
            for (int k = 0; k < 15; k++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(f[k])), half[k]);
                assertEquals(f[k], bf[k], Math.abs(f[k]) / 128);
            }
            for (String name : List.of("tq1", "tq2", "i2s")) {
                GgufTensorInfo t = file.requireTensor(name);
                TensorCodecs.Ternary decoded = TensorCodecs.ternary(t.type(), file.data(t), 512);
                assertArrayEquals(trits, decoded.trits(), name + " (seed " + SEED + ")");
                assertEquals(0.25f, decoded.blockScales()[0]);
            }
        }
        // The in-memory writer and the file writer agree byte for byte.
        assertArrayEquals(w.toBytes(), readAll(path));
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void realFilesRewriteToTheSameBytes() throws IOException {
        for (String name : List.of("stories260K.gguf", "stories260K-ternary-qat.gguf")) {
            byte[] original = Files.readAllBytes(TestModels.file(name));
            try (GgufFile file = GgufReader.read(Path.of(name), MemorySegment.ofArray(original))) {
                GgufWriter w = new GgufWriter();
                file.metadata().forEach(w::put);
                for (GgufTensorInfo t : file.tensors().values()) {
                    w.addTensor(t.name(), t.dims(), t.type(), file.data(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                }
                assertArrayEquals(original, w.toBytes(), name);
            }
        }
    }

    private static MalformedModelException malformed(byte[] data) {
        return assertThrows(MalformedModelException.class, () -> GgufReader.read(Path.of("bad.gguf"),
                MemorySegment.ofArray(data)).close());
    }

    private static byte[] small() {
        return new GgufWriter().putString("general.architecture", "llama")
                .addTensor("t", new long[] {4}, GgmlType.F32, new byte[16]).toBytes();
    }

    @Test
    void malformedHeadersNameTheFieldAndOffset() {
        byte[] good = small();
        byte[] magic = good.clone();
        magic[0] = 'X';
        MalformedModelException e = malformed(magic);
        assertEquals("magic", e.field());
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().startsWith("bad.gguf: magic at byte 0"), e.getMessage());

        byte[] version = good.clone();
        version[4] = 9;
        assertEquals("version", malformed(version).field());

        byte[] count = good.clone();
        ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).putLong(8, Long.MAX_VALUE);
        assertEquals("tensor_count", malformed(count).field());

        assertEquals("magic", malformed(new byte[2]).field());
        MalformedModelException truncated = malformed(java.util.Arrays.copyOf(good, 40));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        // The data section ends before the tensor's bytes.
        MalformedModelException shortData = malformed(java.util.Arrays.copyOf(good, good.length - 1));
        assertEquals("tensor t offset", shortData.field());
    }

    @Test
    void absurdDimensionsAndOffsetsAreRejected() {
        byte[] good = small();
        // Locate the tensor info: name "t" then n_dims, dims[0], type, offset.
        int info = indexOf(good, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 't'}) + 9;
        byte[] dims = good.clone();
        ByteBuffer.wrap(dims).order(ByteOrder.LITTLE_ENDIAN).putLong(info + 4, 1L << 60);
        MalformedModelException e = malformed(dims);
        assertEquals("tensor t dims[0]", e.field());
        assertEquals(info + 4, e.offset());

        byte[] nDims = good.clone();
        ByteBuffer.wrap(nDims).order(ByteOrder.LITTLE_ENDIAN).putInt(info, 7);
        assertEquals("tensor t n_dims", malformed(nDims).field());

        byte[] offset = good.clone();
        ByteBuffer.wrap(offset).order(ByteOrder.LITTLE_ENDIAN).putLong(info + 16, 64);
        assertEquals("tensor t offset", malformed(offset).field());
        byte[] misaligned = good.clone();
        ByteBuffer.wrap(misaligned).order(ByteOrder.LITTLE_ENDIAN).putLong(info + 16, 3);
        assertTrue(malformed(misaligned).getMessage().contains("alignment"));
    }

    @Test
    void unknownTypesAreRefusedWithTheirNames() {
        byte[] good = small();
        int info = indexOf(good, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 't'}) + 9;
        for (int code : new int[] {38, 39, 3, 200}) {
            byte[] bad = good.clone();
            ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(info + 12, code);
            UnsupportedTensorTypeException e = assertThrows(UnsupportedTensorTypeException.class,
                    () -> GgufReader.read(Path.of("bad.gguf"), MemorySegment.ofArray(bad)));
            assertEquals("tensor t type", e.field());
            assertEquals(info + 12, e.offset());
            if (code == 38) {
                assertTrue(e.getMessage().contains("TL1"), e.getMessage());
            }
            if (code == 39) {
                assertTrue(e.getMessage().contains("TL2"), e.getMessage());
            }
        }
        byte[] valueType = good.clone();
        // general.architecture's value type sits after the 8-byte length and the 20-byte key.
        int typeAt = 24 + 8 + "general.architecture".length();
        ByteBuffer.wrap(valueType).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, 99);
        MalformedModelException e = malformed(valueType);
        assertEquals("general.architecture type", e.field());
        assertEquals(typeAt, e.offset());
    }

    @Test
    void stringsAreStrictUtf8AndTheirLengthsAreChecked() {
        // A real U+FFFD, other non-ASCII text and an empty string read back as written.
        for (String text : List.of("\uFFFD", "a\uFFFDb", "\u2581the", "", "<0x0A>", "\uD83D\uDE00")) {
            byte[] data = new GgufWriter().putString("k", text).toBytes();
            assertEquals(text, GgufReader.read(Path.of("ok.gguf"), MemorySegment.ofArray(data)).getString("k"));
        }
        // Malformed UTF-8 (a lone continuation byte, an overlong encoding, a surrogate) is refused, naming the key.
        int valueAt = 24 + 8 + 1 + 4 + 8;
        for (byte[] bad : List.of(new byte[] {(byte) 0x80, 'x'}, new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})) {
            byte[] data = new GgufWriter().putString("k", "x".repeat(bad.length)).toBytes();
            System.arraycopy(bad, 0, data, valueAt, bad.length);
            MalformedModelException e = malformed(data);
            assertEquals("k", e.field());
            assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        }
        // A length beyond the file names the string's field.
        byte[] data = new GgufWriter().putString("k", "abc").toBytes();
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putLong(valueAt - 8, 1000);
        assertEquals("k length", malformed(data).field());
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putLong(valueAt - 8, -1);
        assertEquals("k length", malformed(data).field());
    }

    @Test
    void reopenMapsTheFileAgainWithTheSameHeader(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.gguf");
        Files.write(file, small());
        GgufFile first = GgufFile.open(file);
        GgufFile second = first.reopen();
        first.close(); // each closes on its own: the second mapping stays readable
        assertEquals("llama", second.getString("general.architecture"));
        assertEquals(first.tensors().keySet(), second.tensors().keySet());
        assertEquals(0f, second.data(second.requireTensor("t")).get(java.lang.foreign.ValueLayout.JAVA_FLOAT, 12));
        second.close();
        try (GgufFile open = GgufFile.open(file)) {
            Files.write(file, new byte[8], java.nio.file.StandardOpenOption.APPEND);
            MalformedModelException e = assertThrows(MalformedModelException.class, open::reopen);
            assertTrue(e.getMessage().contains("changed"), e.getMessage());
        }
    }

    @Test
    void aHugeArrayCountFailsBeforeAllocating() {
        GgufWriter w = new GgufWriter().put("a", new GgufValue.Arr(GgufValueType.UINT64, List.of(new GgufValue.U64(1))));
        byte[] data = w.toBytes();
        int countAt = 24 + 8 + 1 + 4 + 4;
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putLong(countAt, 1L << 59);
        assertEquals("a count", malformed(data).field());
    }

    @Test
    void metadataArraysBeyondTheBudgetAreRefused() {
        // A well-formed file whose one array holds more elements than any tokenizer: refused, not materialized.
        int n = (int) GgufReader.MAX_ARRAY_ELEMENTS + 1;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24 + 8 + 1 + 4 + 4 + 8 + n).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufReader.MAGIC).putInt(3).putLong(0).putLong(1).putLong(1).put((byte) 'a').putInt(9).putInt(0).putLong(n);
        MalformedModelException e = malformed(b.array());
        assertEquals("a count", e.field());
        assertTrue(e.getMessage().contains("metadata array elements"), e.getMessage());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
