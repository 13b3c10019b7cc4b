package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.synthetic.SyntheticModel;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debug taps: the reference device and the OpenCL twin write the same debug area byte for byte (DebugTaps'
 * layout), with a record per instruction that has an output, chunk after chunk; taps change no result; a small
 * area drops the same records on both. Needs an OpenCL platform (PoCL).
 */
class DebugTapsTest {
    @TempDir
    Path dir;

    @Test
    void studentTapsAreEqualOnReferenceAndOpenCl() {
        Path file = OpenClDeviceTest.pack(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir),
                AcceleratorConfig.simSmall(), dir);
        tapsAgree(file, 20, 5, 41);
    }

    @Test
    void bitnetTapsAreEqualOnReferenceAndOpenCl() {
        Path model = dir.resolve("bitnet.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 64, 4, 2, 96, 300, Activation.RELU2, true, 256),
                5, model);
        tapsAgree(OpenClDeviceTest.pack(model, AcceleratorConfig.simSmall(), dir), 11, 3, 42);
    }

    /** A prefill of {@code prompt} random tokens and {@code steps} greedy decodes, taps on, on both devices. */
    private static void tapsAgree(Path file, int prompt, int steps, long seed) {
        try (MemoryImage image = MemoryImage.open(file);
             ReferenceDevice reference = ReferenceDevice.on(image, 1);
             OpenClDevice opencl = OpenClDevice.on(image, OpenClDevice.Options.DEFAULT)) {
            int chunk = image.config().tlmmConfig().maxTokens();
            List<Instruction> program = image.program();
            long bytes = DebugArea.bytesFor(program, image.header().model(), chunk, prompt);
            reference.setDebugTaps(bytes);
            opencl.setDebugTaps(bytes);
            int vocab = image.header().model().vocabSize();
            int[] tokens = new SplittableRandom(seed).ints(prompt, 0, vocab).toArray();
            float[] logits = reference.prefill(tokens);
            ReferenceDeviceTest.assertBitsEqual(logits, opencl.prefill(tokens), "prefill, seed " + seed);
            check(reference.debugArea(), opencl.debugArea(), program, prompt, chunk, logits, "prefill, seed " + seed);
            for (int s = 0; s < steps; s++) {
                int next = ReferenceDeviceTest.argmax(logits);
                logits = reference.decode(next);
                ReferenceDeviceTest.assertBitsEqual(logits, opencl.decode(next), "decode " + s + ", seed " + seed);
                check(reference.debugArea(), opencl.debugArea(), program, 1, chunk, logits, "decode " + s);
            }
            // Taps off: no area, and the next call's logits are what a device without taps computes.
            reference.setDebugTaps(0);
            opencl.setDebugTaps(0);
            int next = ReferenceDeviceTest.argmax(logits);
            ReferenceDeviceTest.assertBitsEqual(reference.decode(next), opencl.decode(next), "taps off");
            assertNull(reference.debugArea());
            assertNull(opencl.debugArea());
            assertEquals(reference.kvCache(), opencl.kvCache(), "KV cache, seed " + seed);
        }
    }

    /** Equal bytes; a record per instruction with an output and chunk, in order; the last one is the logits. */
    private static void check(DebugArea a, DebugArea b, List<Instruction> program, int tokens, int chunk,
                              float[] logits, String what) {
        assertAreasEqual(a, b, "debug areas of the " + what);
        assertEquals(0, a.dropped(), what);
        int expected = 0;
        for (int from = 0; from < tokens; from += chunk) {
            boolean last = from + chunk >= tokens;
            for (Instruction in : program) {
                if (DebugTaps.tap(in.opcode()) != null && (in.opcode() != Opcode.LM_HEAD || last)) {
                    expected++;
                }
            }
        }
        assertEquals(expected, a.taps().size(), "records of the " + what);
        DebugArea.Tap head = a.taps().getLast();
        assertEquals(Opcode.LM_HEAD, program.get(head.instruction()).opcode(), what);
        for (int r = 0; r < logits.length; r++) {
            assertEquals(Float.floatToRawIntBits(logits[r]), head.bits(0, r), what + ": logit " + r);
        }
    }

    /** Byte for byte, or a failure that names the first differing record and value. */
    static void assertAreasEqual(DebugArea a, DebugArea b, String what) {
        long at = a.bytes().mismatch(b.bytes());
        if (at < 0) {
            return;
        }
        String where = "the area header";
        for (DebugArea.Tap t : a.taps()) {
            where = "record of instruction " + t.instruction() + " (first token " + t.firstToken() + ", " + t.tokens()
                    + " x " + t.elements() + ")";
            if (t.values().mismatch(b.taps().get(a.taps().indexOf(t)).values()) >= 0) {
                long k = t.values().mismatch(b.taps().get(a.taps().indexOf(t)).values()) / 4;
                where += ", value " + k + ": 0x" + Integer.toHexString(t.values().getInt((int) (4 * k))) + " and 0x"
                        + Integer.toHexString(b.taps().get(a.taps().indexOf(t)).values().getInt((int) (4 * k)));
                break;
            }
            where = "the record header or padding after " + where;
        }
        throw new AssertionError(what + " differ at byte " + at + ": " + where);
    }

    /** A debug area too small for every record: both devices write the same first records and drop the rest. */
    @Test
    void aSmallAreaDropsTheSameRecordsOnBoth() {
        Path file = OpenClDeviceTest.pack(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir),
                AcceleratorConfig.simSmall(), dir);
        try (MemoryImage image = MemoryImage.open(file);
             ReferenceDevice reference = ReferenceDevice.on(image, 1);
             OpenClDevice opencl = OpenClDevice.on(image, OpenClDevice.Options.DEFAULT)) {
            long all = DebugArea.bytesFor(image.program(), image.header().model(),
                    image.config().tlmmConfig().maxTokens(), 1);
            reference.setDebugTaps(all / 3);
            opencl.setDebugTaps(all / 3);
            float[] logits = reference.prefill(new int[] {7});
            ReferenceDeviceTest.assertBitsEqual(logits, opencl.prefill(new int[] {7}), "a decode with a small area");
            assertAreasEqual(reference.debugArea(), opencl.debugArea(), "small areas");
            assertTrue(reference.debugArea().dropped() > 0 && !reference.debugArea().taps().isEmpty(),
                    reference.debugArea().dropped() + " dropped, " + reference.debugArea().taps().size() + " written");
        }
    }
}
