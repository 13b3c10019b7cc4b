package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.KernelShape;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.accel.sim.KernelRunner;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.image.WrongConfigurationException;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rtl device on the embedded stories260K student packed for sim-small: one simulation of the kernel shared by
 * the tests (a DDR model with seeded random latencies), driven only through the {@link Device} interface and the
 * device's test support (a program cut after its EMBED in the DDR model's copy of the image): the whole program
 * equals the reference device tap for tap, and the call's checks, faults and counters are the board's.
 */
class RtlDeviceTest {
    private static final int CONTEXT = 64;
    private static final long SEED = 20261203L;

    @TempDir
    static Path dir;
    static Path imagePath;
    static MemoryImage image;
    static RtlDevice device;
    static int embedIndex;
    static int vocab;

    @BeforeAll
    static void open() {
        Path model = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        imagePath = dir.resolve("student.tlmi");
        try (GgufFile gguf = GgufFile.open(model)) {
            ImagePacker.pack(WeightLoader.gguf(gguf), gguf, "student", AcceleratorConfig.simSmall(), CONTEXT,
                    imagePath, true, ImagePacker.Progress.NONE);
        }
        image = MemoryImage.open(imagePath);
        vocab = image.header().model().vocabSize();
        embedIndex = image.program().stream().map(Instruction::opcode).toList().indexOf(Opcode.EMBED);
        long t0 = System.nanoTime();
        device = RtlDevice.on(image, RtlDevice.Options.DEFAULT.withDdr(AxiMemoryConfig.DEFAULT.withLatency(20, 20)
                .withJitter(8, SEED)));
        System.out.printf("rtl device: opened in %.2f s; the Verilator model %s in %.2f s; program of %d"
                + " instructions; cycle budget of a decode at 0 %,d, of a prefill of the context %,d%n", (System.nanoTime() - t0) / 1e9,
                device.modelBuild().compiled() ? "compiled" : "found in the cache",
                device.modelBuild().elapsed().toNanos() / 1e9, image.program().size(), device.cycleBudget(0, 1),
                device.cycleBudget(0, CONTEXT));
    }

    @AfterAll
    static void close() {
        if (device != null) {
            device.close();
        }
        if (image != null) {
            image.close();
        }
    }

    @BeforeEach
    void fresh() {
        device.restoreImage();
        device.reset();
        device.setDebugTaps(0);
    }

    /** Ends the program in the DDR model after its EMBED: what the kernel runs through today. */
    private static void cutAfterEmbed() {
        device.patchProgram(embedIndex + 1, Instruction.of(Opcode.END));
    }

    private static int[] randomTokens(Random random, int n) {
        int[] tokens = random.ints(n, 0, vocab).toArray();
        tokens[0] = vocab - 1;   // the table's last row
        tokens[n - 1] = 0;       // and its first
        return tokens;
    }

    @Test
    void contextIsTheImagesAndResetReturnsToPositionZero() {
        assertEquals(image.header().context(), device.context());
        assertEquals(CONTEXT, device.context());
        assertTrue(device.describe().startsWith("rtl ") && device.describe().endsWith("for sim-small"),
                device.describe());
        cutAfterEmbed();
        device.prefill(new int[] {1, 2, 3});
        assertEquals(3, device.position());
        assertEquals(3, device.lastCall().position());
        device.reset();
        assertEquals(0, device.position());
        assertEquals(DeviceCounters.NONE, device.counters());
        device.prefill(new int[] {4, 5});
        assertEquals(2, device.lastCall().position(), "the call after the reset starts at position 0");
        assertEquals(2, device.position());
    }

    @Test
    void refusedCallsCarryTheReferenceDevicesCodeDetailAndMessageAndChangeNothing() {
        cutAfterEmbed();
        int[] first = {9, 8, 7, 6, 5};
        try (ReferenceDevice reference = ReferenceDevice.on(image, 1)) {
            reference.prefill(first);
            device.prefill(first);
            DeviceCounters before = device.counters();
            int[] overflow = new int[CONTEXT - first.length + 1];
            int[] outside = new int[CONTEXT + 1];
            expectSameRefusal(reference, d -> d.prefill(new int[0]), ErrorCode.BAD_CALL, 0);
            expectSameRefusal(reference, d -> d.prefill(overflow), ErrorCode.CONTEXT_OVERFLOW, CONTEXT + 1);
            expectSameRefusal(reference, d -> d.prefill(outside), ErrorCode.CONTEXT_OVERFLOW,
                    first.length + CONTEXT + 1);
            expectSameRefusal(reference, d -> d.prefill(new int[] {1, 2, vocab, 4}), ErrorCode.BAD_TOKEN, 2);
            expectSameRefusal(reference, d -> d.prefill(new int[] {1, -1}), ErrorCode.BAD_TOKEN, 1);
            expectSameRefusal(reference, d -> d.decode(vocab), ErrorCode.BAD_TOKEN, 0);
            assertEquals(before, device.counters(), "a refused call changes no counter");
        }
        // Still usable: the next call continues the cache.
        device.prefill(new int[] {11, 12});
        assertEquals(first.length + 2, device.position());
    }

    /** A device call for both devices. */
    private interface Call {
        void on(Device d);
    }

    private static void expectSameRefusal(ReferenceDevice reference, Call call, ErrorCode code, long detail) {
        int position = device.position();
        CallRefusedException expected = assertThrows(CallRefusedException.class, () -> call.on(reference));
        CallRefusedException actual = assertThrows(CallRefusedException.class, () -> call.on(device));
        assertEquals(code, expected.code(), "the reference's code");
        assertEquals(code, actual.code(), code + ": the kernel's code");
        assertEquals(detail, actual.detail(), code + ": the kernel's detail");
        assertEquals(expected.detail(), actual.detail(), code + ": detail");
        assertEquals(expected.getMessage(), actual.getMessage(), code + ": message");
        assertEquals(position, device.position(), code + ": the position does not move");
    }

    @Test
    void aModelsWholeProgramEqualsTheReferenceDeviceTapForTapAndLogitForLogit() {
        // Every instruction's record of a prefill of two chunks, then a decode: the place of a first difference.
        Random random = new Random(SEED + 1);
        int chunk = image.config().tlmmConfig().maxTokens();
        int[] tokens = randomTokens(random, chunk + 2);
        int next = random.nextInt(vocab);
        long tapBytes = DebugArea.bytesFor(image.program(), image.header().model(), chunk, tokens.length);
        device.setDebugTaps(tapBytes);
        try (ReferenceDevice reference = ReferenceDevice.on(image, 1)) {
            reference.setDebugTaps(tapBytes);
            float[] expected = reference.prefill(tokens);
            float[] actual = device.prefill(tokens);
            assertTaps(reference.debugArea().taps(), device.debugArea().taps(), "prefill (seed " + SEED + ")");
            assertArrayEquals(bits(expected), bits(actual), "prefill logits");
            DeviceCounters c = device.counters();
            assertEquals(2 * (image.program().size()), c.instructions(), "the whole program per chunk");
            System.out.printf("rtl device: the student's whole program, a prefill of %d tokens: %s%n", tokens.length,
                    c);
            expected = reference.decode(next);
            actual = device.decode(next);
            assertTaps(reference.debugArea().taps(), device.debugArea().taps(), "decode");
            assertArrayEquals(bits(expected), bits(actual), "decode logits");
            assertEquals(tokens.length + 1, device.position());
            System.out.printf("rtl device: a decode step at position %d: %s%n", tokens.length, device.counters());
        }
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }

    @Test
    void embedTapsOfAPrefillOfSeveralChunksAndADecodeEqualTheReferenceDevicesWithCycleCounters() {
        Random random = new Random(SEED);
        int chunk = image.config().tlmmConfig().maxTokens();
        int[] tokens = randomTokens(random, 2 * chunk + 2);   // three chunks, the last partial
        int next = random.nextInt(vocab);
        long tapBytes = DebugArea.bytesFor(image.program(), image.header().model(), chunk, tokens.length);
        cutAfterEmbed();
        device.setDebugTaps(tapBytes);
        List<List<DebugArea.Tap>> expected;
        try (ReferenceDevice reference = ReferenceDevice.on(image, 1)) {
            reference.setDebugTaps(tapBytes);
            reference.prefill(tokens);
            List<DebugArea.Tap> prefill = embedTaps(reference.debugArea());
            reference.decode(next);
            expected = List.of(prefill, embedTaps(reference.debugArea()));
        }
        device.prefill(tokens);
        assertEquals(tokens.length, device.position());
        assertTaps(expected.get(0), device.debugArea().taps(), "prefill (seed " + SEED + ")");
        assertEquals(0, device.debugArea().dropped());
        DeviceCounters c = device.counters();
        assertEquals(3 * (embedIndex + 2), c.instructions(), "SETUP .. EMBED, END per chunk");
        assertEquals(3, c.chunks());
        assertTrue(c.cycles() > 0, c.toString());
        assertTrue(c.ddrBusyCycles() > 0 && c.ddrBusyCycles() <= c.cycles(), c.toString());
        assertTrue(c.stallCycles() <= c.cycles(), c.toString());
        assertTrue(c.ddrBytesRead() > 0 && c.ddrBytesWritten() > 0, c.toString());
        assertEquals(c.cycles(), device.lastCall().cycles());
        System.out.printf("rtl device: a prefill of %d tokens cut after EMBED: %s%n", tokens.length, c);

        device.decode(next);
        assertEquals(tokens.length + 1, device.position());
        assertTaps(expected.get(1), device.debugArea().taps(), "decode");
        assertEquals(embedIndex + 2, device.counters().instructions());
        assertEquals(1, device.counters().chunks());
    }

    /**
     * The simulation's speed on the busiest program the kernel runs today, per chunk: SETUP, an EMBED of the
     * chunk's query vectors, ATTENTION of the last layer over the KV cache, END; a prefill of the whole context, on
     * the build's default DDR model. Prints cycles and cycles per second (docs/host.md quotes them).
     */
    @Test
    void aPrefillOfTheWholeContextThroughAttentionSimulatesAtAMeasuredRate() {
        var m = image.header().model();
        Instruction embed = image.program().get(embedIndex);
        try (RtlDevice timed = RtlDevice.on(image, RtlDevice.Options.DEFAULT)) {
            timed.patchProgram(embedIndex, embed.with("dst", dev.tellmej.accel.protocol.OnChipBuffer.QUERY)
                    .with("dim", (long) m.heads() * m.headDim()));
            timed.patchProgram(embedIndex + 1, Instruction.of(Opcode.ATTENTION)
                    .with("src", dev.tellmej.accel.protocol.OnChipBuffer.QUERY)
                    .with("dst", dev.tellmej.accel.protocol.OnChipBuffer.ATTENTION)
                    .with("layer", (long) m.layers() - 1).with("score_scale", (float) (1 / Math.sqrt(m.headDim()))));
            timed.patchProgram(embedIndex + 2, Instruction.of(Opcode.END));
            int[] tokens = randomTokens(new Random(SEED), CONTEXT);
            int runs = 3;
            long[] cycles = new long[runs];
            double[] seconds = new double[runs];
            for (int run = 0; run < runs; run++) {
                timed.reset();
                long t0 = System.nanoTime();
                timed.prefill(tokens);
                seconds[run] = (System.nanoTime() - t0) / 1e9;
                cycles[run] = timed.counters().cycles();
                assertEquals(CONTEXT / image.config().tlmmConfig().maxTokens() * (embedIndex + 3),
                        timed.counters().instructions());
                assertTrue(cycles[run] > 0 && cycles[run] < timed.cycleBudget(0, CONTEXT), cycles[run] + " cycles");
                System.out.printf("rtl device: a %d-token prefill through ATTENTION: %,d cycles (budget %,d) in"
                        + " %.3f s, %,.0f cycles/s (%s)%n", CONTEXT, cycles[run], timed.cycleBudget(0, CONTEXT),
                        seconds[run], cycles[run] / seconds[run], timed.counters());
            }
        }
    }

    private static List<DebugArea.Tap> embedTaps(DebugArea area) {
        return area.taps().stream().filter(t -> t.instruction() <= embedIndex).toList();
    }

    private static void assertTaps(List<DebugArea.Tap> expected, List<DebugArea.Tap> actual, String call) {
        assertEquals(expected.size(), actual.size(), call + ": records");
        for (int r = 0; r < expected.size(); r++) {
            DebugArea.Tap e = expected.get(r);
            DebugArea.Tap a = actual.get(r);
            String where = call + " record " + r;
            assertEquals(e.instruction(), a.instruction(), where + " instruction");
            assertEquals(e.firstToken(), a.firstToken(), where + " first token");
            assertEquals(e.tokens(), a.tokens(), where + " tokens");
            assertEquals(e.elements(), a.elements(), where + " elements");
            byte[] ev = new byte[e.values().remaining()];
            byte[] av = new byte[a.values().remaining()];
            e.values().duplicate().get(ev);
            a.values().duplicate().get(av);
            assertArrayEquals(ev, av, where + " values");
        }
    }

    @Test
    void instructionAndImageErrorsAreFaultsNamingThemAndTheDeviceGoesOn() {
        byte[] unknown = Instruction.of(Opcode.END).encode();
        unknown[0] = (byte) 200;   // in no table
        ddrWord(embedIndex, unknown);
        DeviceFaultException opcode = assertThrows(DeviceFaultException.class, () -> device.prefill(new int[] {1}));
        assertEquals(ErrorCode.UNKNOWN_OPCODE, opcode.code());
        assertEquals(embedIndex, opcode.detail());
        assertTrue(opcode.getMessage().contains("instruction " + embedIndex + " (opcode byte 200), whose opcode is in"
                + " no table"), opcode.getMessage());
        assertTrue(opcode.getMessage().endsWith("the device takes the next call"), opcode.getMessage());

        device.restoreImage();
        device.patchProgram(embedIndex, image.program().get(embedIndex).with("dim", 0L));
        DeviceFaultException field = assertThrows(DeviceFaultException.class, () -> device.prefill(new int[] {1}));
        assertEquals(ErrorCode.BAD_FIELD, field.code());
        assertEquals(embedIndex, field.detail());
        assertTrue(field.getMessage().contains("BAD_FIELD at instruction " + embedIndex + " ("
                + new ProgramLabels(image).label(embedIndex) + ")"), field.getMessage());

        // SETUP's fields are checked in a step of their own (SETUP_CHECK), a cycle after its decode.
        device.restoreImage();
        int setupIndex = image.program().stream().map(Instruction::opcode).toList().indexOf(Opcode.SETUP);
        device.patchProgram(setupIndex, image.program().get(setupIndex).with("head_dim", 0L));
        DeviceFaultException setup = assertThrows(DeviceFaultException.class, () -> device.prefill(new int[] {1}));
        assertEquals(ErrorCode.BAD_FIELD, setup.code());
        assertEquals(setupIndex, setup.detail());

        device.restoreImage();
        device.ddrImage().set(ValueLayout.JAVA_BYTE, 0, (byte) 'X');
        DeviceFaultException magic = assertThrows(DeviceFaultException.class, () -> device.prefill(new int[] {1}));
        assertEquals(ErrorCode.BAD_IMAGE, magic.code());
        assertEquals(0, magic.detail());
        assertTrue(magic.getMessage().contains("BAD_IMAGE at header word 0 (the magic)"), magic.getMessage());
        assertEquals(0, device.position());

        device.restoreImage();
        cutAfterEmbed();
        device.prefill(new int[] {1});
        assertEquals(1, device.position(), "the next call runs clean");
    }

    private static void ddrWord(int index, byte[] word) {
        MemorySegment.copy(MemorySegment.ofArray(word), 0, device.ddrImage(),
                image.header().programOffset() + (long) Instruction.BYTES * index, Instruction.BYTES);
    }

    @Test
    void aDdrErrorIsAFaultNamingThePort() {
        // A device of its own: an injected error stays for the DDR model's life.
        try (RtlDevice faulty = RtlDevice.on(image, RtlDevice.Options.DEFAULT)) {
            faulty.patchProgram(embedIndex + 1, Instruction.of(Opcode.END));
            long table = KernelRunner.IMAGE_BASE + image.program().get(embedIndex).get("table");
            faulty.ddr().injectError(table, 4096, AxiMemory.ErrorResponse.SLVERR);
            DeviceFaultException e = assertThrows(DeviceFaultException.class, () -> faulty.prefill(new int[] {1, 2}));
            assertEquals(ErrorCode.DDR_ERROR, e.code());
            int port = KernelShape.of(image.config()).portIndex("m_axi_d0");
            assertEquals(port, e.detail());
            assertTrue(e.getMessage().contains("DDR_ERROR on port m_axi_d0 (index " + port + ")"), e.getMessage());
            assertEquals(0, faulty.position());
        }
    }

    @Test
    void aKernelThatOverrunsItsCycleBudgetMustBeResetAndThenRunsAgain() {
        try (RtlDevice slow = RtlDevice.on(image, RtlDevice.Options.DEFAULT.withMaxCycles(2_000))) {
            slow.patchProgram(embedIndex + 1, Instruction.of(Opcode.END));
            int[] tokens = new int[CONTEXT];   // 16 chunks: far more than 2,000 cycles
            DeviceFaultException e = assertThrows(DeviceFaultException.class, () -> slow.prefill(tokens));
            assertNull(e.code());
            assertTrue(e.getMessage().startsWith("a prefill of 64 token(s) at position 0 did not finish within 2,000"
                    + " kernel cycles"), e.getMessage());
            assertTrue(e.getMessage().contains("must be reset"), e.getMessage());
            IllegalStateException stuck = assertThrows(IllegalStateException.class, () -> slow.prefill(new int[] {1}));
            assertTrue(stuck.getMessage().contains("reset() the device"), stuck.getMessage());
            slow.reset();
            assertEquals(0, slow.position());
            CallRefusedException refused = assertThrows(CallRefusedException.class, () -> slow.prefill(new int[0]));
            assertEquals(ErrorCode.BAD_CALL, refused.code(), "the new simulation answers");
            slow.prefill(new int[] {3});   // one chunk: within the budget, and the patch survived the reset
            assertEquals(1, slow.position());
        }
    }

    @Test
    void anImageOfAnotherBuildIsRefused() {
        Path kv260 = dir.resolve("student-kv260.tlmi");
        try (GgufFile gguf = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir))) {
            ImagePacker.pack(WeightLoader.gguf(gguf), gguf, "student", AcceleratorConfig.kv260(), CONTEXT, kv260,
                    true, ImagePacker.Progress.NONE);
        }
        WrongConfigurationException e = assertThrows(WrongConfigurationException.class,
                () -> RtlDevice.open(kv260, RtlDevice.Options.DEFAULT));
        assertTrue(e.getMessage().contains("packed for the kv260 build, but the rtl device simulates the sim-small"
                + " kernel only"), e.getMessage());
    }
}
