package dev.tellmej.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.config.ModelDoesNotFitException;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.LayerWeights;
import dev.tellmej.model.inference.Linear;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.inference.WeightSource;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.tensor.TernaryTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packs the embedded student for sim-small, opens it, and refuses every kind of bad image with a precise message. */
class MemoryImageTest {
    private static final AcceleratorConfig SIM = AcceleratorConfig.simSmall();
    private static final int CONTEXT = 32;

    @TempDir
    Path dir;

    private Path pack(String name) {
        Path out = dir.resolve(name);
        try (GgufFile gguf = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir))) {
            ImagePacker.pack(WeightLoader.gguf(gguf), "stories260K-ternary-qat.gguf", SIM, CONTEXT, out, false,
                    ImagePacker.Progress.NONE);
        }
        return out;
    }

    /** The student's image (packed once per test). */
    private Path student() {
        Path image = dir.resolve("student.tlmi");
        return Files.exists(image) ? image : pack("student.tlmi");
    }

    private static ModelConfig studentConfig(Path dir) {
        try (GgufFile gguf = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir))) {
            return WeightLoader.gguf(gguf).config();
        }
    }

    private MalformedImageException refused(ImageSurgery edited) {
        Path file = edited.writeTo(dir.resolve("edited.tlmi"));
        return assertThrows(MalformedImageException.class, () -> MemoryImage.open(file).close());
    }

    @Test
    void theStudentPacksAndOpensWithEverythingInPlace() throws IOException {
        List<String> progress = new ArrayList<>();
        Path out = dir.resolve("student.tlmi");
        ImagePacker.Result result;
        try (GgufFile gguf = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir))) {
            result = ImagePacker.pack(WeightLoader.gguf(gguf), "stories260K-ternary-qat.gguf", SIM, CONTEXT, out,
                    false, (done, total, section) -> progress.add(section + " " + done + "/" + total));
        }
        assertFalse(Files.exists(dir.resolve("student.tlmi.partial")), "the partial file is moved into place");
        ModelConfig model = studentConfig(dir);
        ImagePlan plan = ImagePlan.of(SIM, model, CONTEXT);
        assertEquals(plan.sections().size(), progress.size(), "progress after every section");
        assertTrue(progress.getLast().startsWith("program "), "the program is compiled and written last");
        assertEquals(linearWeights(model), result.linearWeights());
        assertEquals(plan.sections().stream().filter(s -> s.kind() == SectionKind.TERNARY_LINEAR)
                .mapToLong(Section::size).sum(), result.linearBytes());

        try (MemoryImage image = MemoryImage.open(out)) {
            ImageHeader h = image.header();
            assertEquals("sim-small", h.configName());
            assertArrayEquals(SIM.hash(), h.configHash());
            assertEquals("stories260K-ternary-qat.gguf", h.modelName());
            assertEquals(model, h.model());
            assertEquals(CONTEXT, h.context());
            assertEquals(Files.size(out), h.imageBytes());
            assertEquals(plan.imageBytes(), h.imageBytes());
            assertEquals(new KvCacheLayout(model.layers(), model.kvHeads(), model.headDim(), CONTEXT, 2).totalBytes(),
                    h.kvCacheBytes());
            assertEquals(new IoRegion(CONTEXT, model.vocabSize()).totalBytes(), h.ioBytes());
            assertEquals(0, h.debugBytes());
            assertEquals(plan.section("program").offset(), h.programOffset());
            assertEquals(ProgramCompiler.instructionCount(model), h.programInstructions());
            assertEquals(h.programInstructions(), image.program().size());
            assertEquals(result.header().sections(), h.sections());
            for (int i = 0; i < h.sections().size(); i++) {
                Section s = h.sections().get(i);
                Section p = plan.sections().get(i);
                assertEquals(List.of(p.name(), p.kind(), p.offset(), p.size()),
                        List.of(s.name(), s.kind(), s.offset(), s.size()));
                CRC32C crc = new CRC32C();
                crc.update(image.slice(s.offset(), s.size()));
                assertEquals((int) crc.getValue(), s.crc32c(), s.name() + "'s CRC-32C");
            }
            assertEquals(SIM, image.config());
            assertEquals(Opcode.SETUP, image.program().getFirst().opcode());
            assertEquals(Opcode.END, image.program().getLast().opcode());
        }
    }

    private static long linearWeights(ModelConfig m) {
        long perLayer = (long) m.qDim() * m.dim() + 2L * m.kvDim() * m.dim() + (long) m.dim() * m.qDim()
                + 3L * m.ffnDim() * m.dim();
        return perLayer * m.layers();
    }

    @Test
    void anImageWithItsTokenizerOpensAndReadsIt() {
        Path out = dir.resolve("with-tokenizer.tlmi");
        try (GgufFile gguf = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir))) {
            ImagePacker.pack(WeightLoader.gguf(gguf), gguf, "stories260K-ternary-qat.gguf", SIM, CONTEXT, out, false,
                    ImagePacker.Progress.NONE);
        }
        try (MemoryImage image = MemoryImage.open(out)) {
            Section tokenizer = image.header().sections().getLast();
            assertEquals(ImagePlan.TOKENIZER, tokenizer.name());
            assertEquals(SectionKind.TOKENIZER, tokenizer.kind());
            assertEquals(image.header().model().vocabSize(), TokenizerSection.read(image).vocabSize());
        }
        ImageSurgery s = ImageSurgery.of(out);
        int i = s.sectionCount() - 1;
        MalformedImageException e = refused(s.putByte(ImageSurgery.entryAt(i), 'T').sealHeader()); // "Tokenizer"
        assertEquals("section " + i + " (Tokenizer)", e.field());
    }

    @Test
    void packingIsDeterministic() throws IOException {
        byte[] first = Files.readAllBytes(pack("a.tlmi"));
        byte[] second = Files.readAllBytes(pack("b.tlmi"));
        assertArrayEquals(first, second);
    }

    @Test
    void packingOverAnExistingFileIsRefusedUnlessAskedAndTheFileIsLeftAlone() throws IOException {
        Path out = dir.resolve("taken.tlmi");
        Files.writeString(out, "someone's file");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> pack("taken.tlmi"));
        assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("exists"), e.getMessage());
        assertEquals("someone's file", Files.readString(out));
        assertFalse(Files.exists(dir.resolve("taken.tlmi.partial")));

        try (GgufFile gguf = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir))) {
            ImagePacker.pack(WeightLoader.gguf(gguf), "stories260K-ternary-qat.gguf", SIM, CONTEXT, out, true,
                    ImagePacker.Progress.NONE);
        }
        assertArrayEquals(Files.readAllBytes(student()), Files.readAllBytes(out), "replace = true replaces it");
    }

    @Test
    void aModelLargerThanTheBuildIsRefusedWhenPacking() {
        Path model = dir.resolve("deep.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("llama", 9, 32, 2, 2, 64, 300, Activation.SILU, false, 64), 3,
                model);
        try (GgufFile gguf = GgufFile.open(model)) {
            ModelDoesNotFitException e = assertThrows(ModelDoesNotFitException.class,
                    () -> ImagePacker.pack(WeightLoader.gguf(gguf), "deep.gguf", SIM, 16, dir.resolve("deep.tlmi"),
                            false, ImagePacker.Progress.NONE));
            assertEquals(List.of("layers 9 > 8"), e.exceeded());
            assertTrue(e.getMessage().startsWith("deep.gguf does not fit the sim-small build"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("deep.tlmi")));
    }

    @Test
    void aContextBeyondTheBuildIsRefusedWhenPacking() {
        try (GgufFile gguf = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ImagePacker.pack(WeightLoader.gguf(gguf), "s", SIM, 513, dir.resolve("long.tlmi"), false,
                            ImagePacker.Progress.NONE));
            assertTrue(e.getMessage().contains("513") && e.getMessage().contains("1..512"), e.getMessage());
        }
    }

    @Test
    void aWeightScaleTheReaderWouldRefuseIsRefusedWhenPacking() {
        try (GgufFile gguf = GgufFile.open(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir))) {
            WeightSource student = WeightLoader.gguf(gguf);
            WeightSource zeroScale = new WeightSource() {
                public ModelConfig config() { return student.config(); }
                public float[] embedding() { return student.embedding(); }
                public float[] outputNorm() { return student.outputNorm(); }
                public float[] output() { return student.output(); }
                public LayerWeights layer(int i) {
                    LayerWeights w = student.layer(i);
                    if (i != 1) {
                        return w;
                    }
                    TernaryTensor up = ((Linear.Ternary) w.up()).tensor();
                    Linear zero = new Linear.Ternary(new TernaryTensor(up.rows(), up.cols(), up.values(), 0f));
                    return new LayerWeights(w.attnNorm(), w.q(), w.k(), w.v(), w.o(), w.attnSubNorm(), w.ffnNorm(),
                            w.gate(), zero, w.down(), w.ffnSubNorm());
                }
            };
            UnpackableModelException e = assertThrows(UnpackableModelException.class,
                    () -> ImagePacker.pack(zeroScale, "s", SIM, 8, dir.resolve("zero.tlmi"), false,
                            ImagePacker.Progress.NONE));
            assertTrue(e.getMessage().startsWith("blk.1.ffn_up has the weight scale 0.0"), e.getMessage());
        }
    }

    // ---- refusals: each names the file, the field and what is wrong ----

    @Test
    void aTruncatedImageIsRefused() throws IOException {
        Path image = student();
        byte[] bytes = Files.readAllBytes(image);
        Path cut = Files.write(dir.resolve("cut.tlmi"), Arrays.copyOf(bytes, bytes.length - 1000));
        MalformedImageException e = assertThrows(MalformedImageException.class, () -> MemoryImage.open(cut));
        assertEquals("image bytes", e.field());
        assertEquals(cut, e.path());
        assertTrue(e.getMessage().startsWith(cut + ": image bytes (byte 16): the header says the image has "
                + bytes.length + " bytes but the file has " + (bytes.length - 1000)), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path stub = Files.write(dir.resolve("stub.tlmi"), Arrays.copyOf(bytes, 100));
        e = assertThrows(MalformedImageException.class, () -> MemoryImage.open(stub));
        assertEquals("file length", e.field());
        assertTrue(e.getMessage().contains("100 bytes, fewer than a header's 512"), e.getMessage());
    }

    @Test
    void aFlippedBitInASectionIsRefusedNamingTheSection() {
        ImageSurgery s = ImageSurgery.of(student());
        Section up = s.section("blk.2.ffn_up");
        MalformedImageException e = refused(s.flip(up.offset() + up.size() / 2, 3));
        assertEquals("section blk.2.ffn_up", e.field());
        assertEquals(up.offset(), e.offset());
        assertTrue(e.getMessage().contains("CRC-32C") && e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void aFlippedBitInTheHeaderIsRefusedByItsChecksum() {
        ImageSurgery s = ImageSurgery.of(student());
        MalformedImageException e = refused(s.flip(ImageFormat.MODEL_NAME_AT + 2, 0));
        assertEquals("header checksum", e.field());
        assertEquals(ImageFormat.HEADER_CRC_AT, e.offset());
        assertTrue(e.getMessage().contains("the header is corrupt"), e.getMessage());
    }

    @Test
    void aFileThatIsNoImageIsRefusedByItsMagic() {
        ImageSurgery s = ImageSurgery.of(student());
        MalformedImageException e = refused(s.putInt(ImageFormat.MAGIC_AT, 0x46554747)); // "GGUF"
        assertEquals("magic", e.field());
        assertTrue(e.getMessage().contains("not a TeLLMe-J memory image") && e.getMessage().contains("tellme pack"),
                e.getMessage());
    }

    @Test
    void anotherFormatVersionIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        MalformedImageException e = refused(s.putInt(ImageFormat.VERSION_AT, 2).sealHeader());
        assertEquals("format version", e.field());
        assertTrue(e.getMessage().contains("format version 2, but this tool reads version 1"), e.getMessage());
    }

    @Test
    void anImageForAnotherBuildOfTheSameNameIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        s.putByte(ImageFormat.CONFIG_HASH_AT + 5, ~s.bytes()[ImageFormat.CONFIG_HASH_AT + 5]).sealHeader();
        Path file = s.writeTo(dir.resolve("other-build.tlmi"));
        WrongConfigurationException e = assertThrows(WrongConfigurationException.class, () -> MemoryImage.open(file));
        assertTrue(e.getMessage().startsWith(file + " was packed for a build 'sim-small' whose parameters differ"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--config sim-small"), e.getMessage());
    }

    @Test
    void anImageForABuildThisToolDoesNotHaveIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        s.putByte(ImageFormat.CONFIG_NAME_AT, 'z').sealHeader(); // "zim-small"
        Path file = s.writeTo(dir.resolve("zim.tlmi"));
        WrongConfigurationException e = assertThrows(WrongConfigurationException.class, () -> MemoryImage.open(file));
        assertTrue(e.getMessage().contains("'zim-small', which this tool does not have")
                && e.getMessage().contains("kv260, sim-small"), e.getMessage());
    }

    @Test
    void aHeaderModelLargerThanTheBuildIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        Path file = s.putInt(ImageFormat.DIMS_AT + 24, 2048).sealHeader().writeTo(dir.resolve("big-vocab.tlmi"));
        ModelDoesNotFitException e = assertThrows(ModelDoesNotFitException.class, () -> MemoryImage.open(file));
        assertEquals(List.of("vocabulary 2048 > 1024"), e.exceeded());
    }

    @Test
    void anUnknownOpcodeIsRefusedNamingTheInstruction() {
        ImageSurgery s = ImageSurgery.of(student());
        MalformedImageException e = refused(s.setProgramBits(3, 0, Opcode.OPCODE_BITS, 0xEE).sealProgram());
        assertEquals("program instruction 3", e.field());
        assertEquals(s.programWordAt(3), e.offset());
        assertTrue(e.getMessage().contains("unknown opcode 238 (0xee)"), e.getMessage());
    }

    @Test
    void anAddressAtASectionOfTheWrongKindIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        Instruction q = s.instruction(3);
        assertEquals(Opcode.LINEAR, q.opcode());
        s.setInstruction(3, q.with("weights", s.section("token_embd").offset())).sealProgram();
        MalformedImageException e = refused(s);
        assertEquals("program instruction 3 (LINEAR weights)", e.field());
        assertTrue(e.getMessage().contains("points at section token_embd (EMBEDDING"), e.getMessage());
    }

    @Test
    void anAddressAtTheSameKindOfSectionInAnotherLayerIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        Instruction q = s.instruction(3);
        s.setInstruction(3, q.with("weights", s.section("blk.1.attn_q").offset())).sealProgram();
        MalformedImageException e = refused(s);
        assertEquals("program instruction 3 (LINEAR weights)", e.field());
        assertTrue(e.getMessage().contains("(blk.1.attn_q), but this model's program has 0x"
                + Long.toHexString(s.section("blk.0.attn_q").offset()) + " (blk.0.attn_q)"), e.getMessage());
    }

    @Test
    void anAddressInsideASectionIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        long inside = s.section("lm_head.weights").offset() + 16;
        s.setInstruction(s.programInstructions() - 2, s.instruction(s.programInstructions() - 2)
                .with("weights", inside)).sealProgram();
        MalformedImageException e = refused(s);
        assertEquals("program instruction " + (s.programInstructions() - 2) + " (LM_HEAD weights)", e.field());
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(inside) + " is the start of no section"),
                e.getMessage());
    }

    // ---- the fuzzer's findings: sealed images whose parts disagree ----

    /** Found by ImageFuzzTest: the reference device indexed past its FFN buffers (sized from the header). */
    @Test
    void aHeaderShapeThatDisagreesWithTheProgramIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        int ffn = s.headerInt(ImageFormat.DIMS_AT + 20);
        MalformedImageException e = refused(s.putInt(ImageFormat.DIMS_AT + 20, ffn - 1).sealHeader());
        // The TLMM packing pads both matrices to the same bytes, so the sections agree; the gate's rows do not.
        assertEquals("program instruction 11 (LINEAR rows)", e.field());
        assertTrue(e.getMessage().contains("is " + ffn + ", but this model's program has " + (ffn - 1)
                + ": the program does not match the header's model; repack the model"), e.getMessage());
    }

    /** Found by ImageFuzzTest: a LINEAR of another size, layer or buffer ran and computed other logits. */
    @Test
    void aSealedProgramThatIsNotTheModelsIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        Instruction k = s.instruction(4);
        MalformedImageException e = refused(s.setInstruction(4, k.with("layer", 1)).sealProgram());
        assertEquals("program instruction 4 (LINEAR layer)", e.field());
        assertTrue(e.getMessage().contains("is 1, but this model's program has 0"), e.getMessage());

        s = ImageSurgery.of(student());
        Instruction attention = s.instruction(7);
        assertEquals(Opcode.ATTENTION, attention.opcode());
        e = refused(s.setInstruction(7, s.instruction(6)).sealProgram()); // BARRIER twice
        assertEquals("program instruction 7 (BARRIER opcode)", e.field());
        assertTrue(e.getMessage().contains("is BARRIER, but instruction 7 of this model's program is ATTENTION"),
                e.getMessage());
    }

    @Test
    void aWeightScaleNoModelHasIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        MalformedImageException e = refused(s.setInstruction(5, s.instruction(5).with("scale", 0f)).sealProgram());
        assertEquals("program instruction 5 (LINEAR scale)", e.field());
        assertTrue(e.getMessage().contains("is 0.0, but a weight scale is a positive normal number"), e.getMessage());
    }

    @Test
    void aSectionTableThatIsNotTheModelsIsRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        int i = s.sectionIndex("blk.0.attn_norm");
        s.putByte(ImageSurgery.entryAt(i) + 4, 'X').sealHeader(); // "blk.X.attn_norm"
        MalformedImageException e = refused(s);
        assertEquals("section " + i + " (blk.X.attn_norm)", e.field());
        assertTrue(e.getMessage().contains("has blk.0.attn_norm (NORM_GAIN"), e.getMessage());
    }

    @Test
    void regionSizesThatAreNotTheModelsAreRefused() {
        ImageSurgery s = ImageSurgery.of(student());
        long kv = s.headerLong(ImageFormat.KV_CACHE_BYTES_AT);
        MalformedImageException e = refused(s.putLong(ImageFormat.KV_CACHE_BYTES_AT, kv / 2).sealHeader());
        assertEquals("KV-cache bytes", e.field());
        assertTrue(e.getMessage().contains("takes " + kv + " bytes"), e.getMessage());
        assertNotEquals(0, kv);
    }
}
