package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.safetensors.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tellme pack}, {@code tellme image show} and {@code tellme run --device reference}. */
class PackCommandTest {
    @TempDir
    Path dir;

    private Path packStudent(String name) {
        Path image = dir.resolve(name);
        TellmeRun pack = TellmeRun.of("pack", "--config", "sim-small", "-o", image.toString());
        assertEquals(0, pack.exitCode(), pack.err());
        assertTrue(pack.out().startsWith("wrote " + image + ": "), pack.out());
        assertTrue(pack.out().contains("ternary weights in"), pack.out());
        return image;
    }

    @Test
    void packWritesAnImageThatShowVerifies() {
        Path image = packStudent("student.tlmi");
        TellmeRun show = TellmeRun.of("image", "show", image.toString());
        assertEquals(0, show.exitCode(), show.err());
        assertTrue(show.out().contains("verified"), show.out());
        assertTrue(show.out().contains("dim 64, 5 layers, 8 heads / 4 KV heads of 8"), show.out());
        assertTrue(show.out().lines().anyMatch(l -> l.trim().startsWith("blk.4.ffn_down ")), show.out());
        assertTrue(show.out().lines().anyMatch(l -> l.trim().startsWith("tokenizer ")), show.out());

        TellmeRun program = TellmeRun.of("image", "show", image.toString(), "--program");
        assertTrue(program.out().contains("LM_HEAD cols=64 rows=512"), program.out());

        TellmeRun json = TellmeRun.of("image", "show", image.toString(), "--json");
        assertEquals(0, json.exitCode(), json.err());
        Map<?, ?> parsed = (Map<?, ?>) Json.parse(json.out());
        assertEquals("sim-small", parsed.get("config"));
        assertEquals(70L, ((Number) parsed.get("instructions")).longValue());
        assertEquals(52, ((List<?>) parsed.get("sections")).size());
    }

    @Test
    void packPrintsJson() {
        Path image = dir.resolve("json.tlmi");
        TellmeRun pack = TellmeRun.of("pack", "--config", "sim-small", "--context", "64", "-o", image.toString(),
                "--json");
        assertEquals(0, pack.exitCode(), pack.err());
        Map<?, ?> parsed = (Map<?, ?>) Json.parse(pack.out());
        assertEquals(64L, ((Number) parsed.get("context")).longValue());
        assertEquals(226_560L, ((Number) parsed.get("linearWeights")).longValue());
    }

    @Test
    void packNeverWritesOverAFileItDidNotWrite() throws IOException {
        Path image = packStudent("again.tlmi");
        TellmeRun again = TellmeRun.of("pack", "--config", "sim-small", "-o", image.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("exists"), again.err());
        assertEquals(0, TellmeRun.of("pack", "--config", "sim-small", "-o", image.toString(), "--force").exitCode());

        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "mine");
        TellmeRun forced = TellmeRun.of("pack", "--config", "sim-small", "-o", notes.toString(), "--force");
        assertEquals(1, forced.exitCode());
        assertTrue(forced.err().contains("not a memory image"), forced.err());
        assertEquals("mine", Files.readString(notes));
    }

    @Test
    void aCorruptImageIsRefusedNamingTheSection() throws IOException {
        Path image = packStudent("corrupt.tlmi");
        long offset;
        try (MemoryImage opened = MemoryImage.open(image)) {
            offset = opened.header().section("blk.0.attn_q").offset();
        }
        byte[] bytes = Files.readAllBytes(image);
        bytes[(int) offset + 100] ^= 0x10;
        Files.write(image, bytes);
        TellmeRun show = TellmeRun.of("image", "show", image.toString());
        assertEquals(1, show.exitCode());
        assertTrue(show.err().contains("section blk.0.attn_q") && show.err().contains("CRC-32C"), show.err());
        TellmeRun run = TellmeRun.of("run", "--device", "reference", "--image", image.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("section blk.0.attn_q"), run.err());
    }

    @Test
    void theReferenceDeviceGeneratesWhatTheExactPathDoes() {
        Path image = packStudent("run.tlmi");
        TellmeRun device = TellmeRun.of("run", "--device", "reference", "--image", image.toString(), "--steps", "40",
                "--prompt", "Once upon a time", "--temp", "0");
        assertEquals(0, device.exitCode(), device.err());
        TellmeRun exact = TellmeRun.of("run", "--config", "sim-small", "--path", "exact", "--steps", "40", "--prompt",
                "Once upon a time", "--temp", "0");
        assertEquals(0, exact.exitCode(), exact.err());
        String deviceText = device.out().substring(0, device.out().indexOf("\n\n"));
        String exactText = exact.out().substring(0, exact.out().indexOf("\n\n"));
        assertEquals(exactText, deviceText);
        assertTrue(device.err().contains("reference: stories260K-ternary-qat.gguf for sim-small"), device.err());
    }

    /** The opencl device in lock step with the reference from the command line: the same text, a clean check. */
    @Test
    void openclCheckedAgainstReferenceGeneratesWhatTheReferenceDoes() {
        Path image = packStudent("check.tlmi");
        TellmeRun checked = TellmeRun.of("run", "--device", "opencl", "--check", "reference", "--image",
                image.toString(), "--steps", "40", "--prompt", "Once upon a time", "--temp", "0");
        assertEquals(0, checked.exitCode(), checked.err());
        TellmeRun reference = TellmeRun.of("run", "--device", "reference", "--image", image.toString(), "--steps",
                "40", "--prompt", "Once upon a time", "--temp", "0");
        assertEquals(reference.out().substring(0, reference.out().indexOf("\n\n")),
                checked.out().substring(0, checked.out().indexOf("\n\n")));
        assertTrue(checked.err().contains("cross-check: ") && checked.err().contains("equal bit for bit"),
                checked.err());
        TellmeRun noPlatform = TellmeRun.of("run", "--device", "opencl", "--platform", "no such platform",
                "--image", image.toString());
        assertEquals(1, noPlatform.exitCode());
        assertTrue(noPlatform.err().contains("platform 0: ") && noPlatform.err().contains("--platform"),
                noPlatform.err());
    }

    @Test
    void deviceOptionsAreChecked() {
        TellmeRun unknown = TellmeRun.of("run", "--device", "fpga");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown device 'fpga' (reference, opencl, rtl)"), unknown.err());
        TellmeRun imageAlone = TellmeRun.of("run", "--image", "x.tlmi");
        assertEquals(2, imageAlone.exitCode());
        assertTrue(imageAlone.err().contains("image file not found: x.tlmi"), imageAlone.err());
        assertArrayEquals(new int[] {2}, new int[] {TellmeRun.of("run", "--device", "reference", "--image",
                dir.resolve("missing.tlmi").toString()).exitCode()});
    }
}
