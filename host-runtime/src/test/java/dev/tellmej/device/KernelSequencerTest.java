package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.TellmeKernel;
import dev.tellmej.accel.protocol.CallMode;
import dev.tellmej.accel.protocol.Epilogue;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.accel.protocol.OnChipBuffer;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.accel.sim.KernelRunner;
import dev.tellmej.hdl.Design;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.numerics.ActivationQuantizer;
import dev.tellmej.model.numerics.ExactOps;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimModel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's sequencer in Verilator (sim-small), driven only through {@code s_axi_control} and the DDR model
 * holding the embedded student's image: the call's checks and errors as the reference device reports them, and
 * the instructions built so far (SETUP, EMBED, END) tap for tap, bit for bit, against the reference device's debug
 * taps. The program is cut after its EMBED by writing END into the DDR model's copy of the image.
 */
class KernelSequencerTest {
    private static final int CONTEXT = 64;
    private static final long TAP_CAPACITY = 64 * 1024;
    private static final long CYCLES = 2_000_000;

    @TempDir
    static Path dir;
    static Path imagePath;
    static MemoryImage image;
    static SimModel sim;
    static KernelRunner runner;
    static IoRegion io;
    static int embedIndex;
    static byte[] pristine;

    @BeforeAll
    static void build() {
        Path model = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        imagePath = dir.resolve("student.tlmi");
        try (GgufFile gguf = GgufFile.open(model)) {
            ImagePacker.pack(WeightLoader.gguf(gguf), gguf, "student", AcceleratorConfig.simSmall(), CONTEXT,
                    imagePath, true, ImagePacker.Progress.NONE);
        }
        image = MemoryImage.open(imagePath);
        io = new IoRegion(image.header().context(), image.header().model().vocabSize());
        List<Instruction> program = image.program();
        embedIndex = program.stream().map(Instruction::opcode).toList().indexOf(Opcode.EMBED);
        Design<TellmeKernel> design = KernelRunner.design(AcceleratorConfig.simSmall());
        sim = SimModel.open(design);
        runner = new KernelRunner(sim, design.top(), image.bytes(), image.header().kvCacheBytes(),
                io.debugOffset() + TAP_CAPACITY, AxiMemoryConfig.DEFAULT.withLatency(20, 20).withJitter(8, 7));
        pristine = runner.image().toArray(ValueLayout.JAVA_BYTE);
    }

    @AfterAll
    static void close() {
        if (sim != null) {
            sim.close();
        }
        if (image != null) {
            image.close();
        }
    }

    /** Restores the image, then writes {@code in} over instruction {@code index} of the DDR model's copy. */
    private static void patch(int index, Instruction in) {
        patch(index, in.encode());
    }

    private static void patch(int index, byte[] word) {
        restore();
        MemorySegment.copy(MemorySegment.ofArray(word), 0, runner.image(),
                image.header().programOffset() + (long) Instruction.BYTES * index, Instruction.BYTES);
    }

    private static void restore() {
        MemorySegment.copy(MemorySegment.ofArray(pristine), 0, runner.image(), 0, pristine.length);
    }

    private static KernelRunner.CallStatus prefill(int[] tokens, int start, boolean taps) {
        return runner.call(CallMode.PREFILL, tokens, start, io.debugOffset(), taps ? TAP_CAPACITY : 0, CYCLES);
    }

    private static DebugArea kernelTaps() {
        ByteBuffer bytes = runner.io().asSlice(io.debugOffset(), TAP_CAPACITY).asByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN);
        return DebugArea.of(bytes);
    }

    @Test
    void embedTapsEqualTheReferenceDevicesForEveryChunk() {
        int[] tokens = {1, 403, 28, 511, 0, 77};   // two chunks of sim-small's 4 tokens, the vocabulary's ends
        KernelRunner.CallStatus status = runPrefix(embedIndex, tokens);
        assertEquals(ErrorCode.NONE.code(), status.errorCode(), "error code");
        assertEquals(KernelInterface.STATUS_SUCCEEDED, status.status());
        assertEquals(tokens.length, status.position(), "position after the call");
        assertEquals(2 * (embedIndex + 2), status.instructions(), "instructions: SETUP .. EMBED, END, per chunk");
        assertTapsEqual(referenceTaps(tokens, embedIndex), kernelTaps().taps());
        // The call record in the I/O region says what the registers say.
        MemorySegment record = runner.io();
        assertEquals(status.status(), record.get(ValueLayout.JAVA_INT_UNALIGNED, IoRegion.RECORD_STATUS));
        assertEquals(status.position(), record.get(ValueLayout.JAVA_INT_UNALIGNED, IoRegion.RECORD_POSITION));
        assertEquals(status.instructions(), record.get(ValueLayout.JAVA_INT_UNALIGNED, IoRegion.RECORD_INSTRUCTIONS));
        long cycles = record.get(ValueLayout.JAVA_LONG_UNALIGNED, IoRegion.RECORD_CYCLES);
        assertEquals(true, cycles > 0 && cycles <= status.cycles(),
                "record cycles " + cycles + " of " + status.cycles());
    }

    @Test
    void quantizeWithRmsNormTapsEqualTheReferenceDevices() {
        int quantizeIndex = embedIndex + 1;
        assertEquals(Opcode.QUANTIZE, image.program().get(quantizeIndex).opcode());
        int[] tokens = {7, 300, 12, 45, 99, 2, 18};
        KernelRunner.CallStatus status = runPrefix(quantizeIndex, tokens);
        assertEquals(ErrorCode.NONE.code(), status.errorCode(), "error code (detail " + status.errorDetail() + ")");
        assertTapsEqual(referenceTaps(tokens, quantizeIndex), kernelTaps().taps());
    }

    @Test
    void quantizeWithoutNormQuantizesTheValuesAsTheyAre() {
        int quantizeIndex = embedIndex + 1;
        int[] tokens = {5, 6, 400};
        restore();
        Instruction q = image.program().get(quantizeIndex);
        writeInstruction(quantizeIndex, Instruction.of(Opcode.QUANTIZE).with("src", q.getBuffer("src"))
                .with("length", q.get("length")));
        writeInstruction(quantizeIndex + 1, Instruction.of(Opcode.END));
        KernelRunner.CallStatus status = prefill(tokens, 0, true);
        assertEquals(ErrorCode.NONE.code(), status.errorCode(), "error code (detail " + status.errorDetail() + ")");
        List<DebugArea.Tap> taps = kernelTaps().taps();
        DebugArea.Tap embedded = taps.get(0);
        DebugArea.Tap quantized = taps.get(1);
        int n = (int) q.get("length");
        assertEquals(n + 1, quantized.elements());
        for (int t = 0; t < tokens.length; t++) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = Float.intBitsToFloat(embedded.bits(t, i));
            }
            byte[] expected = new byte[n];
            float mc = ActivationQuantizer.quantize(x, n, expected);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(expected[i]), quantized.bits(t, i), "token " + t + " value " + i);
            }
            assertEquals(Float.floatToRawIntBits(mc), quantized.bits(t, n), "token " + t + " m_c");
        }
    }

    @Test
    void lmHeadLogitsAndArgmaxEqualN16() {
        // SETUP, EMBED, the final QUANTIZE (the output norm), LM_HEAD, END: the last token's logits.
        List<Instruction> program = image.program();
        Instruction finalNorm = program.get(program.size() - 3);
        Instruction head = program.get(program.size() - 2);
        assertEquals(Opcode.LM_HEAD, head.opcode());
        restore();
        writeInstruction(embedIndex + 1, finalNorm);
        writeInstruction(embedIndex + 2, head);
        writeInstruction(embedIndex + 3, Instruction.of(Opcode.END));
        int[] tokens = {17, 250, 3, 90, 411};   // two chunks: the LM head runs in the second only
        KernelRunner.CallStatus status = prefill(tokens, 0, true);
        assertEquals(ErrorCode.NONE.code(), status.errorCode(), "error code (detail " + status.errorDetail() + ")");

        var model = image.header().model();
        StorageFormat st = AcceleratorConfig.simSmall().exact().storage();
        ImageTensors tensors = new ImageTensors(image, st, new dev.tellmej.model.ternary.TlmmKernel(1));
        int n = model.dim();
        float[] gain = tensors.stored(finalNorm.get("gain"), n);
        List<DebugArea.Tap> taps = kernelTaps().taps();
        DebugArea.Tap lastEmbed = taps.stream().filter(t -> t.instruction() == embedIndex).reduce((a, b) -> b)
                .orElseThrow();
        int last = lastEmbed.tokens() - 1;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = Float.intBitsToFloat(lastEmbed.bits(last, i));
        }
        float[] normed = new float[n];
        ExactOps.rmsNorm(x, n, gain, finalNorm.getFloat("eps"), AcceleratorConfig.simSmall().exact().lanes(), st,
                normed);
        byte[] xq = new byte[n];
        float mc = ActivationQuantizer.quantize(normed, n, xq);
        int rows = (int) head.get("rows");
        byte[] weights = tensors.int8(head.get("weights"), (long) rows * n);
        float[] rowScales = tensors.binary32(head.get("row_scales"), rows);
        float fx = mc * ActivationQuantizer.INV127;
        float[] expected = new float[rows];
        int best = 0;
        for (int r = 0; r < rows; r++) {
            int dot = 0;
            for (int i = 0; i < n; i++) {
                dot += weights[r * n + i] * xq[i];
            }
            expected[r] = (float) dot * (rowScales[r] * fx);
            if (expected[r] > expected[best]) {
                best = r;
            }
        }
        long logits = io.logitsOffset();
        for (int r = 0; r < rows; r++) {
            assertEquals(Float.floatToRawIntBits(expected[r]),
                    runner.io().get(ValueLayout.JAVA_INT_UNALIGNED, logits + 4L * r), "logit " + r);
        }
        assertEquals(best, status.argmax(), "argmax register");
        assertEquals(best, runner.io().get(ValueLayout.JAVA_INT_UNALIGNED, IoRegion.RECORD_ARGMAX), "call record");
        List<DebugArea.Tap> headTaps = taps.stream().filter(t -> t.instruction() == embedIndex + 2).toList();
        assertEquals(1, headTaps.size(), "the LM head's record, in the last chunk only");
        assertEquals(1, headTaps.getFirst().tokens());
        assertEquals(lastEmbed.firstToken(), headTaps.getFirst().firstToken());
        for (int r = 0; r < rows; r++) {
            assertEquals(Float.floatToRawIntBits(expected[r]), headTaps.getFirst().bits(0, r), "tapped logit " + r);
        }
    }

    @Test
    void theFeedForwardLinearsEqualTheReferenceExecutor() {
        // SETUP, EMBED, then the first layer's FFN: its norm, gate (STORE), up (GATE_UP), the FFN quantize and
        // down (RESIDUAL_ADD): every record against the reference executor running the same instructions.
        List<Instruction> program = image.program();
        int ffnNorm = program.size();
        for (int i = embedIndex + 1; i < program.size(); i++) {
            if (program.get(i).opcode() == Opcode.LINEAR && program.get(i).getEpilogue("epilogue") == Epilogue.STORE) {
                ffnNorm = i - 1;
                break;
            }
        }
        List<Instruction> custom = new java.util.ArrayList<>(program.subList(0, embedIndex + 1));
        custom.addAll(program.subList(ffnNorm, ffnNorm + 5));
        custom.add(Instruction.of(Opcode.END));
        assertEquals(List.of(Opcode.QUANTIZE, Opcode.LINEAR, Opcode.LINEAR, Opcode.QUANTIZE, Opcode.LINEAR),
                custom.subList(embedIndex + 1, embedIndex + 6).stream().map(Instruction::opcode).toList());
        restore();
        for (int i = 0; i < custom.size(); i++) {
            writeInstruction(i, custom.get(i));
        }
        int[] tokens = {10, 20, 30, 40, 50, 60};
        KernelRunner.CallStatus status = prefill(tokens, 0, true);
        assertEquals(ErrorCode.NONE.code(), status.errorCode(), "error code (detail " + status.errorDetail() + ")");
        assertTapsEqual(referenceExecutorTaps(custom, tokens, 0), kernelTaps().taps());
    }

    /**
     * Running ahead (docs/kernel.md): the up projection's weights are prefetched while the gate projection runs,
     * and the pair is faster than with a SETUP between them (the program's own, again: the search ahead stops at
     * it, as it goes past only QUANTIZE, BARRIER and ATTENTION; the other order has the SETUP before the gate, so
     * both run the same instructions); both orders give the
     * reference executor's records. A LINEAR refused after one that runs (by the command unit, or by its fields after its weights were
     * prefetched) still names itself, and the next call is exact.
     */
    @Test
    void theNextLinearsWeightsRunAheadAndErrorsStillNameTheirInstruction() {
        List<Instruction> program = image.program();
        int gate = -1;
        for (int i = embedIndex + 1; i < program.size(); i++) {
            if (program.get(i).opcode() == Opcode.LINEAR && program.get(i).getEpilogue("epilogue") == Epilogue.STORE) {
                gate = i;
                break;
            }
        }
        Instruction setup = program.getFirst();
        List<Instruction> prologue = new java.util.ArrayList<>(program.subList(0, embedIndex + 1));
        prologue.add(program.get(gate - 1));                            // the FFN's norm
        List<Instruction> separated = new java.util.ArrayList<>(prologue);
        separated.addAll(List.of(program.get(gate), setup, program.get(gate + 1), Instruction.of(Opcode.END)));
        List<Instruction> adjacent = new java.util.ArrayList<>(prologue);
        adjacent.addAll(List.of(setup, program.get(gate), program.get(gate + 1), Instruction.of(Opcode.END)));
        int[] tokens = {10, 20, 30, 40, 50, 60};
        long[] cycles = new long[2];
        int pass = 0;
        for (List<Instruction> custom : List.of(separated, adjacent)) {
            restore();
            for (int i = 0; i < custom.size(); i++) {
                writeInstruction(i, custom.get(i));
            }
            KernelRunner.CallStatus status = prefill(tokens, 0, true);
            assertEquals(ErrorCode.NONE.code(), status.errorCode(), "error code (detail " + status.errorDetail() + ")");
            assertTapsEqual(referenceExecutorTaps(custom, tokens, 0), kernelTaps().taps());
            cycles[pass++] = status.cycles();
        }
        System.out.println("kernel sequencer: gate and up with a SETUP between them " + cycles[0]
                + " cycles, adjacent (the up projection's weights prefetched) " + cycles[1]);
        assertTrue(cycles[1] < cycles[0], "adjacent linears " + cycles[1] + " cycles, separated "
                + cycles[0]);

        // The second LINEAR refused: by the command unit (more inputs than the engine holds), and by its fields
        // (a destination that is no buffer) once its command was prefetched.
        Instruction up = program.get(gate + 1);
        for (Instruction refused : List.of(up.with("cols", 2000L), up.with("dst", OnChipBuffer.values().length))) {
            List<Instruction> custom = new java.util.ArrayList<>(prologue);
            custom.addAll(List.of(program.get(gate), refused, Instruction.of(Opcode.END)));
            restore();
            for (int i = 0; i < custom.size(); i++) {
                writeInstruction(i, custom.get(i));
            }
            KernelRunner.CallStatus status = prefill(tokens, 0, false);
            assertEquals(ErrorCode.BAD_FIELD.code(), status.errorCode(), "refused " + refused);
            assertEquals(prologue.size() + 1, status.errorDetail(), "the refused LINEAR's index");
            assertEquals(KernelInterface.STATUS_FAILED, status.status());
        }
        restore();
        for (int i = 0; i < adjacent.size(); i++) {
            writeInstruction(i, adjacent.get(i));
        }
        KernelRunner.CallStatus status = prefill(tokens, 0, true);
        assertEquals(ErrorCode.NONE.code(), status.errorCode(), "the next call");
        assertTapsEqual(referenceExecutorTaps(adjacent, tokens, 0), kernelTaps().taps());
    }

    @Test
    void theAttentionBlockRotatesWritesTheKvCacheAndEqualsTheReferenceDevice() {
        // The first layer up to its output projection: the norm, q (ROPE_QUERY), k (ROPE_KEY_CACHE), v
        // (VALUE_CACHE), BARRIER, ATTENTION, the quantize and o (RESIDUAL_ADD); two chunks, the second partial,
        // so the second chunk's attention reads the rows the first chunk's K and V linears wrote.
        List<Instruction> program = image.program();
        int output = -1;
        int keys = -1;
        int values = -1;
        for (int i = embedIndex + 1; i < program.size() && output < 0; i++) {
            Instruction in = program.get(i);
            if (in.opcode() == Opcode.LINEAR) {
                switch (in.getEpilogue("epilogue")) {
                    case ROPE_KEY_CACHE -> keys = i;
                    case VALUE_CACHE -> values = i;
                    case RESIDUAL_ADD -> output = i;
                    default -> { }
                }
            }
        }
        int[] tokens = {1, 403, 28, 77, 5, 300, 91};
        KernelRunner.CallStatus status = runPrefix(output, tokens);
        assertEquals(ErrorCode.NONE.code(), status.errorCode(), "error code (detail " + status.errorDetail() + ")");
        List<DebugArea.Tap> expected = referenceTaps(tokens, output);
        List<DebugArea.Tap> actual = kernelTaps().taps();
        assertTapsEqual(expected, actual);
        // The rows in the DDR model's KV cache are the ones the K and V linears tapped, at their positions.
        var model = image.header().model();
        KvCacheLayout layout = new KvCacheLayout(model.layers(), model.kvHeads(), model.headDim(),
                image.header().context(), 2);
        StorageFormat st = AcceleratorConfig.simSmall().exact().storage();
        for (DebugArea.Tap tap : actual) {
            if (tap.instruction() != keys && tap.instruction() != values) {
                continue;
            }
            int kind = tap.instruction() == keys ? KvCacheLayout.KEYS : KvCacheLayout.VALUES;
            for (int t = 0; t < tap.tokens(); t++) {
                for (int e = 0; e < tap.elements(); e++) {
                    int h = e / model.headDim();
                    long at = layout.rowOffset(0, h, kind, tap.firstToken() + t) + 2L * (e % model.headDim());
                    float stored = st.decode(runner.kvCache().get(ValueLayout.JAVA_SHORT_UNALIGNED, at));
                    assertEquals(tap.bits(t, e), Float.floatToRawIntBits(stored), "KV cache kind " + kind
                            + " position " + (tap.firstToken() + t) + " element " + e);
                }
            }
        }
    }

    /** The reference executor's taps for {@code program} run over {@code tokens} from {@code start}. */
    private static List<DebugArea.Tap> referenceExecutorTaps(List<Instruction> program, int[] tokens, int start) {
        var model = image.header().model();
        StorageFormat st = AcceleratorConfig.simSmall().exact().storage();
        KvCacheBuffer cache = new KvCacheBuffer(new KvCacheLayout(model.layers(), model.kvHeads(), model.headDim(),
                image.header().context(), 2), st);
        ReferenceExecutor executor = new ReferenceExecutor(image, new dev.tellmej.model.ternary.TlmmKernel(1), cache);
        DebugArea.Writer taps = new DebugArea.Writer(1 << 24);
        int chunk = AcceleratorConfig.simSmall().tlmmConfig().maxTokens();
        for (int from = 0; from < tokens.length; from += chunk) {
            int to = Math.min(tokens.length, from + chunk);
            executor.beginChunk(java.util.Arrays.copyOfRange(tokens, from, to), start + from, to == tokens.length);
            for (int pc = 0; pc < program.size(); pc++) {
                Instruction in = program.get(pc);
                executor.execute(in);
                executor.tap(in, pc, from, taps);
                if (in.opcode() == Opcode.END) {
                    break;
                }
            }
        }
        return taps.finish().taps();
    }

    /** Runs {@code tokens} with the taps on and the program cut after instruction {@code last}. */
    private static KernelRunner.CallStatus runPrefix(int last, int[] tokens) {
        patch(last + 1, Instruction.of(Opcode.END));
        return prefill(tokens, 0, true);
    }

    /** The reference device's taps of instructions 0 .. {@code last} for a prefill of {@code tokens}. */
    private static List<DebugArea.Tap> referenceTaps(int[] tokens, int last) {
        try (ReferenceDevice reference = ReferenceDevice.on(image, 1)) {
            reference.setDebugTaps(1 << 24);
            reference.prefill(tokens);
            return reference.debugArea().taps().stream().filter(t -> t.instruction() <= last).toList();
        }
    }

    private static void assertTapsEqual(List<DebugArea.Tap> expected, List<DebugArea.Tap> actual) {
        assertEquals(expected.size(), actual.size(), "records");
        for (int r = 0; r < expected.size(); r++) {
            DebugArea.Tap e = expected.get(r);
            DebugArea.Tap a = actual.get(r);
            String where = "record " + r + " (instruction " + e.instruction() + ")";
            assertEquals(e.instruction(), a.instruction(), where + " instruction");
            assertEquals(e.firstToken(), a.firstToken(), where + " first token");
            assertEquals(e.tokens(), a.tokens(), where + " tokens");
            assertEquals(e.elements(), a.elements(), where + " elements");
            for (int t = 0; t < e.tokens(); t++) {
                for (int i = 0; i < e.elements(); i++) {
                    assertEquals(e.bits(t, i), a.bits(t, i), where + " token " + t + " element " + i);
                }
            }
        }
    }

    @Test
    void attentionOverTheKvCacheEqualsN15ForEveryHeadOfEveryToken() {
        // A program of its own: SETUP (the image's), EMBED of query vectors into QUERY, ATTENTION, END.
        restore();
        var model = image.header().model();
        int headDim = model.headDim();
        int heads = model.heads();
        int kvHeads = model.kvHeads();
        int qDim = heads * headDim;
        int layer = model.layers() - 1;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        StorageFormat st = AcceleratorConfig.simSmall().exact().storage();
        Instruction embed = image.program().get(embedIndex);
        long table = embed.get("table");
        int[] tokens = {3, 9, 27, 81, 243, 500, 7};   // two chunks, the second partial
        int start = 11;                                 // continuing a cache: positions 11 .. 17
        java.util.Random random = new java.util.Random(20261202L);
        float[][] queries = new float[tokens.length][qDim];
        for (int j = 0; j < tokens.length; j++) {
            for (int i = 0; i < qDim; i++) {
                short bits = st.encode((float) random.nextGaussian() * (j == 2 ? 40f : 1.5f));
                queries[j][i] = st.decode(bits);
                runner.image().set(ValueLayout.JAVA_SHORT_UNALIGNED, table + 2L * ((long) tokens[j] * qDim + i), bits);
            }
        }
        KvCacheLayout kv = new KvCacheLayout(model.layers(), kvHeads, headDim, image.header().context(), 2);
        int positions = start + tokens.length;
        float[][][] keys = new float[kvHeads][2][positions * headDim];
        for (int h = 0; h < kvHeads; h++) {
            for (int kind = 0; kind < 2; kind++) {
                for (int p = 0; p < positions; p++) {
                    for (int i = 0; i < headDim; i++) {
                        float v = (float) random.nextGaussian() * (p == 4 ? 30f : 1f);
                        short bits = st.encode(p == 6 && kind == 0 ? keys[h][0][4 * headDim + i] : v);
                        keys[h][kind][p * headDim + i] = st.decode(bits);
                        runner.kvCache().set(ValueLayout.JAVA_SHORT_UNALIGNED,
                                kv.rowOffset(layer, h, kind, p) + 2L * i, bits);
                    }
                }
            }
        }
        writeInstruction(1, embed.with("dst", OnChipBuffer.QUERY).with("dim", (long) qDim));
        writeInstruction(2, Instruction.of(Opcode.ATTENTION).with("src", OnChipBuffer.QUERY)
                .with("dst", OnChipBuffer.ATTENTION).with("layer", (long) layer).with("score_scale", scale));
        writeInstruction(3, Instruction.of(Opcode.END));
        KernelRunner.CallStatus status = prefill(tokens, start, true);
        assertEquals(ErrorCode.NONE.code(), status.errorCode(), "error code (detail " + status.errorDetail() + ")");

        int lanes = AcceleratorConfig.simSmall().exact().lanes();
        int group = heads / kvHeads;
        float[] scores = new float[positions];
        for (DebugArea.Tap tap : kernelTaps().taps().stream().filter(t -> t.instruction() == 1).toList()) {
            for (int t = 0; t < tap.tokens(); t++) {
                for (int i = 0; i < qDim; i++) {
                    assertEquals(Float.floatToRawIntBits(queries[tap.firstToken() + t][i]), tap.bits(t, i),
                            "query of token " + (tap.firstToken() + t) + " element " + i);
                }
            }
        }
        List<DebugArea.Tap> taps = kernelTaps().taps().stream().filter(t -> t.instruction() == 2).toList();
        assertEquals(2, taps.size(), "an ATTENTION record per chunk");
        for (DebugArea.Tap tap : taps) {
            assertEquals(qDim, tap.elements());
            for (int t = 0; t < tap.tokens(); t++) {
                int j = tap.firstToken() + t;
                float[] out = new float[qDim];
                for (int hh = 0; hh < heads; hh++) {
                    int h = hh / group;
                    ExactOps.attentionHead(queries[j], hh * headDim, keys[h][0], keys[h][1], 0, headDim,
                            start + j + 1, headDim, scale, lanes, st, scores, out, hh * headDim);
                }
                if (Boolean.getBoolean("kernel.debug")) {
                    StringBuilder b = new StringBuilder("token " + j + ":");
                    for (int i = 0; i < 24; i++) {
                        b.append(String.format(" %g/%g", out[i], Float.intBitsToFloat(tap.bits(t, i))));
                    }
                    System.err.println(b);
                }
                for (int i = 0; i < qDim; i++) {
                    assertEquals(Float.floatToRawIntBits(out[i]), tap.bits(t, i),
                            "token " + j + " head " + i / headDim + " element " + i % headDim);
                }
            }
        }
    }

    /** Writes {@code in} over instruction {@code index} without restoring the rest. */
    private static void writeInstruction(int index, Instruction in) {
        MemorySegment.copy(MemorySegment.ofArray(in.encode()), 0, runner.image(),
                image.header().programOffset() + (long) Instruction.BYTES * index, Instruction.BYTES);
    }

    @Test
    void refusedCallsReportWhatTheReferenceDeviceReports() {
        restore();
        int vocab = image.header().model().vocabSize();
        try (ReferenceDevice reference = ReferenceDevice.on(image, 1)) {
            expectRefusal(reference, new int[0], 0, ErrorCode.BAD_CALL, 0);
            expectRefusal(reference, new int[] {1, 2, 3, 4, 5, 6}, CONTEXT - 5, ErrorCode.CONTEXT_OVERFLOW,
                    CONTEXT + 1);
            expectRefusal(reference, new int[] {1, 2, 3, vocab, 5}, 0, ErrorCode.BAD_TOKEN, 3);
            expectRefusal(reference, new int[] {1, -1}, 0, ErrorCode.BAD_TOKEN, 1);
        }
        KernelRunner.CallStatus decodeOfTwo = runner.call(CallMode.DECODE, new int[] {1, 2}, 0, io.debugOffset(), 0,
                CYCLES);
        assertEquals(ErrorCode.BAD_CALL.code(), decodeOfTwo.errorCode());
        assertEquals(2, decodeOfTwo.errorDetail());
    }

    private static void expectRefusal(ReferenceDevice reference, int[] tokens, int start, ErrorCode code, long detail) {
        if (start == 0) {
            CallRefusedException e = assertThrows(CallRefusedException.class, () -> reference.prefill(tokens));
            assertEquals(code, e.code());
            assertEquals(detail, e.detail());
        }
        KernelRunner.CallStatus status = prefill(tokens, start, false);
        assertEquals(KernelInterface.STATUS_FAILED, status.status(), code + " status");
        assertEquals(code.code(), status.errorCode(), code + " code");
        assertEquals(detail, status.errorDetail(), code + " detail");
        assertEquals(start, status.position(), code + ": the position does not move");
    }

    @Test
    void aBadImageOrInstructionNamesItself() {
        restore();
        runner.image().set(ValueLayout.JAVA_BYTE, 0, (byte) 'X');
        assertError(ErrorCode.BAD_IMAGE, 0);
        restore();
        runner.image().set(ValueLayout.JAVA_INT_UNALIGNED, 4, 2);
        assertError(ErrorCode.BAD_IMAGE, 1);
        byte[] unknown = Instruction.of(Opcode.END).encode();
        unknown[0] = (byte) 200;   // in no table
        patch(embedIndex, unknown);
        assertError(ErrorCode.UNKNOWN_OPCODE, embedIndex);
        Instruction embed = image.program().get(embedIndex);
        patch(embedIndex, embed.with("dst", OnChipBuffer.values().length));
        assertError(ErrorCode.BAD_FIELD, embedIndex);
        patch(embedIndex, embed.with("dim", 0L));
        assertError(ErrorCode.BAD_FIELD, embedIndex);
        patch(embedIndex, embed.with("dim", 4096L));
        assertError(ErrorCode.BAD_FIELD, embedIndex);
        Instruction setup = image.program().get(0);
        patch(0, setup.with("kv_heads", 3L));
        assertError(ErrorCode.BAD_FIELD, 0);
        // The K projection (rotated, into the cache): its heads are counted before anything runs, so rows that are
        // not whole heads, or more heads than SETUP's KV heads, are refused by its index.
        int keys = -1;
        for (int i = 0; i < image.program().size() && keys < 0; i++) {
            Instruction in = image.program().get(i);
            if (in.opcode() == Opcode.LINEAR && in.getEpilogue("epilogue") == Epilogue.ROPE_KEY_CACHE) {
                keys = i;
            }
        }
        Instruction key = image.program().get(keys);
        int headDim = (int) setup.get("head_dim");
        int kvHeads = (int) setup.get("kv_heads");
        patch(keys, key.with("rows", (long) headDim * kvHeads - 4));
        assertError(ErrorCode.BAD_FIELD, keys);
        patch(keys, key.with("rows", (long) headDim * (kvHeads + 1)));
        assertError(ErrorCode.BAD_FIELD, keys);
        // The next call runs clean.
        patch(embedIndex + 1, Instruction.of(Opcode.END));
        assertEquals(ErrorCode.NONE.code(), prefill(new int[] {5}, 0, false).errorCode());
    }

    private static void assertError(ErrorCode code, int detail) {
        KernelRunner.CallStatus status = prefill(new int[] {1, 2, 3}, 0, false);
        assertEquals(code.code(), status.errorCode(), code + " code");
        assertEquals(detail, status.errorDetail(), code + " detail");
        assertEquals(KernelInterface.STATUS_FAILED, status.status());
    }

    @Test
    void aDdrErrorOnTheEmbeddingTableEndsTheCall() {
        // A simulation of its own: an injected error stays for the memory's life.
        Design<TellmeKernel> design = KernelRunner.design(AcceleratorConfig.simSmall());
        try (SimModel own = SimModel.open(design)) {
            KernelRunner faulty = new KernelRunner(own, design.top(), image.bytes(), image.header().kvCacheBytes(),
                    io.debugOffset(), AxiMemoryConfig.DEFAULT);
            byte[] end = Instruction.of(Opcode.END).encode();
            MemorySegment.copy(MemorySegment.ofArray(end), 0, faulty.image(),
                    image.header().programOffset() + (long) Instruction.BYTES * (embedIndex + 1), Instruction.BYTES);
            long table = KernelRunner.IMAGE_BASE + image.program().get(embedIndex).get("table");
            faulty.memory().injectError(table, 4096, AxiMemory.ErrorResponse.SLVERR);
            KernelRunner.CallStatus status = faulty.call(CallMode.PREFILL, new int[] {1, 2}, 0, io.debugOffset(), 0,
                    CYCLES);
            assertEquals(ErrorCode.DDR_ERROR.code(), status.errorCode());
            assertEquals(design.top().shape.portIndex("m_axi_d0"), status.errorDetail(), "the data port's index");
            assertEquals(0, status.position(), "the position does not move");
        }
    }

    /**
     * A V row answered SLVERR while ATTENTION runs (a KV head's command fails while the next head's is already in
     * the unit, scored beside it) ends the call with DDR_ERROR once the commands in flight have finished, and the
     * next call, which does not read the faulty row, runs and gives the reference device's greedy token: the
     * attention unit and its executor were left idle.
     */
    @Test
    void aDdrErrorOnTheKvCacheEndsTheAttentionAndTheNextCallRuns() {
        Design<TellmeKernel> design = KernelRunner.design(AcceleratorConfig.simSmall());
        try (SimModel own = SimModel.open(design); ReferenceDevice reference = ReferenceDevice.on(image, 1)) {
            KernelRunner faulty = new KernelRunner(own, design.top(), image.bytes(), image.header().kvCacheBytes(),
                    io.debugOffset(), AxiMemoryConfig.DEFAULT);
            int[] prompt = {1, 2, 3, 4, 5, 6};
            assertEquals(ErrorCode.NONE.code(), faulty.call(CallMode.PREFILL, prompt, 0, io.debugOffset(), 0,
                    CYCLES).errorCode());
            var model = image.header().model();
            KvCacheLayout layout = new KvCacheLayout(model.layers(), model.kvHeads(), model.headDim(),
                    image.header().context(), 2);
            faulty.memory().injectError(faulty.kvCacheAddress() + layout.rowOffset(0, 1, KvCacheLayout.VALUES, 5),
                    layout.rowBytes(), AxiMemory.ErrorResponse.SLVERR);
            KernelRunner.CallStatus failed = faulty.call(CallMode.DECODE, new int[] {7}, prompt.length,
                    io.debugOffset(), 0, CYCLES);
            assertEquals(ErrorCode.DDR_ERROR.code(), failed.errorCode(), "a V row of position 5 answered SLVERR");
            assertEquals(design.top().shape.portIndex(design.top().shape.kvPort()), failed.errorDetail());
            assertEquals(prompt.length, failed.position(), "the position does not move");
            int[] again = {9, 8, 7};
            KernelRunner.CallStatus next = faulty.call(CallMode.PREFILL, again, 0, io.debugOffset(), 0, CYCLES);
            assertEquals(ErrorCode.NONE.code(), next.errorCode(), "a call over positions 0 to 2 after the failure");
            assertEquals(argmax(reference.prefill(again)), next.argmax(), "its greedy token");
        }
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The search ahead of a LINEAR reads the instructions after it (docs/kernel.md, "Running ahead"); an error on
     * one of those reads is not the call's: the LINEAR and the instructions before the faulty word still run, and
     * the call fails only at that word's own fetch, in its turn.
     */
    @Test
    void aDdrErrorOnAnInstructionReadAheadIsMetInItsTurn() {
        List<Instruction> program = image.program();
        int output = -1;
        for (int i = embedIndex + 1; i < program.size(); i++) {
            if (program.get(i).opcode() == Opcode.ATTENTION) {
                output = i + 2;   // ATTENTION, QUANTIZE, the output projection
                break;
            }
        }
        assertEquals(Opcode.LINEAR, program.get(output).opcode());
        assertEquals(Opcode.QUANTIZE, program.get(output + 1).opcode());
        int faulty = output + 2;   // the gate projection: the search from the output projection reads it
        Design<TellmeKernel> design = KernelRunner.design(AcceleratorConfig.simSmall());
        try (SimModel own = SimModel.open(design)) {
            KernelRunner runner = new KernelRunner(own, design.top(), image.bytes(), image.header().kvCacheBytes(),
                    io.debugOffset(), AxiMemoryConfig.DEFAULT);
            runner.memory().injectError(KernelRunner.IMAGE_BASE + image.header().programOffset()
                    + (long) Instruction.BYTES * faulty, Instruction.BYTES, AxiMemory.ErrorResponse.SLVERR);
            KernelRunner.CallStatus status = runner.call(CallMode.PREFILL, new int[] {1, 2}, 0, io.debugOffset(), 0,
                    CYCLES);
            assertEquals(ErrorCode.DDR_ERROR.code(), status.errorCode());
            assertEquals(design.top().shape.portIndex("m_axi_d0"), status.errorDetail(), "the data port's index");
            // The count takes an instruction when its word is in, so the faulty one counts: it failed at its fetch.
            assertEquals(faulty + 1, status.instructions(), "every instruction up to the faulty word's fetch");
            assertEquals(0, status.position(), "the position does not move");
        }
    }
}
