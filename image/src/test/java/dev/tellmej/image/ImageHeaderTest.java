package dev.tellmej.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageHeaderTest {
    private static final Path FILE = Path.of("test.tlmi");

    private static ImageHeader header(List<Section> sections, long imageBytes) {
        return new ImageHeader("sim-small", AcceleratorConfig.simSmall().hash(), "bitnet-test.gguf",
                TestShapes.bitnet(), 64, sections.getFirst().offset(), 44, imageBytes, 123_456, 7_890, 0, sections);
    }

    private static ImageHeader decode(byte[] bytes, long fileBytes) {
        return ImageHeader.decode(FILE, fileBytes, ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, ImageFormat.FIXED_BYTES)),
                (offset, out, outOffset, length) -> System.arraycopy(bytes, (int) offset, out, outOffset, length));
    }

    @Test
    void encodeThenDecodeGivesTheSameHeader() {
        List<Section> sections = List.of(new Section("program", SectionKind.PROGRAM, 4096, 44 * 16, 0x1234_5678),
                new Section("rope", SectionKind.ROPE_TABLE, 8192, 4096, 0xCAFE_F00D),
                new Section("blk.0.attn_q", SectionKind.TERNARY_LINEAR, 12288, 100, -1));
        ImageHeader header = header(sections, 12288 + 100);
        byte[] bytes = header.encode();
        assertEquals(ImageFormat.headerBytes(3), bytes.length);
        ImageHeader back = decode(bytes, header.imageBytes());
        assertEquals(header.configName(), back.configName());
        assertArrayEquals(header.configHash(), back.configHash());
        assertEquals(header.modelName(), back.modelName());
        assertEquals(header.model(), back.model());
        assertEquals(header.context(), back.context());
        assertEquals(header.programOffset(), back.programOffset());
        assertEquals(header.programInstructions(), back.programInstructions());
        assertEquals(header.imageBytes(), back.imageBytes());
        assertEquals(header.kvCacheBytes(), back.kvCacheBytes());
        assertEquals(header.ioBytes(), back.ioBytes());
        assertEquals(header.debugBytes(), back.debugBytes());
        assertEquals(header.sections(), back.sections());
        assertArrayEquals(bytes, back.encode(), "a decoded header encodes to the same bytes");
        assertEquals(header.configHashHex(), back.configHashHex());
        assertEquals(sections.get(1), back.section("rope"));
    }

    @Test
    void theLlamaFlagsSurviveTheRoundTripToo() {
        List<Section> sections = List.of(new Section("program", SectionKind.PROGRAM, 4096, 16, 0));
        ImageHeader header = new ImageHeader("kv260", AcceleratorConfig.kv260().hash(), "m", TestShapes.llama(), 8,
                4096, 1, 4096 + 16, 1, 1, 0, sections);
        assertEquals(TestShapes.llama(), decode(header.encode(), 4096 + 16).model());
    }

    @Test
    void aNameThatIsTooLongOrNotAsciiIsRefusedWhenEncoding() {
        List<Section> sections = List.of(new Section("x".repeat(41), SectionKind.PROGRAM, 4096, 16, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> header(sections, 4096 + 16).encode());
        assertTrue(e.getMessage().contains("section name") && e.getMessage().contains("40 bytes"), e.getMessage());
        List<Section> ok = List.of(new Section("program", SectionKind.PROGRAM, 4096, 16, 0));
        ImageHeader accented = new ImageHeader("sim-small", new byte[32], "modèle", TestShapes.bitnet(), 1, 4096, 1,
                4096 + 16, 1, 1, 0, ok);
        e = assertThrows(IllegalArgumentException.class, accented::encode);
        assertTrue(e.getMessage().contains("model name"), e.getMessage());
    }

    @Test
    void aSectionInsideTheHeaderOrOverlappingAnotherIsRefused() {
        List<Section> overlapping = List.of(new Section("program", SectionKind.PROGRAM, 4096, 5000, 0),
                new Section("rope", SectionKind.ROPE_TABLE, 8192, 8192, 0));
        MalformedImageException e = assertThrows(MalformedImageException.class,
                () -> decode(header(overlapping, 16384).encode(), 16384));
        assertEquals("section rope place", e.field());
        assertTrue(e.getMessage().contains("after the previous section (byte 12288)"), e.getMessage());

        List<Section> inHeader = List.of(new Section("program", SectionKind.PROGRAM, 0, 16, 0));
        e = assertThrows(MalformedImageException.class, () -> decode(header(inHeader, 4096).encode(), 4096));
        assertEquals("section program place", e.field());
    }
}
