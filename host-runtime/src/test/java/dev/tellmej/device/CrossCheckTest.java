package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.accel.protocol.Epilogue;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-check mode: a clean lock-step run of the reference and OpenCL devices with debug taps, and injected one-bit
 * faults: in a logit (the report names the step and the logit), and inside the program (the report names the
 * step, the instruction as the model reads it, the token and the element, with both values).
 */
class CrossCheckTest {
    @TempDir
    Path dir;

    private Path student() {
        return OpenClDeviceTest.pack(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir), AcceleratorConfig.simSmall(),
                dir);
    }

    @Test
    void openclCheckedAgainstReferenceRunsClean() {
        Path file = student();
        try (MemoryImage image = MemoryImage.open(file);
             CrossCheck check = new CrossCheck(OpenClDevice.on(image, OpenClDevice.Options.DEFAULT),
                     ReferenceDevice.on(image, 1), image)) {
            float[] logits = check.prefill(new int[] {1, 200, 300, 400, 5});
            for (int s = 0; s < 20; s++) {
                logits = check.decode(ReferenceDeviceTest.argmax(logits));
            }
            assertEquals(21, check.callsCompared());
            assertTrue(check.tapBytes() > 0, "both devices have debug taps, so the check uses them");
            int perDecode = (int) image.program().stream().filter(in -> DebugTaps.tap(in.opcode()) != null).count();
            assertTrue(check.tapsCompared() >= 21L * perDecode, check.tapsCompared() + " records compared");
        }
    }

    /**
     * The example: bit 3 of element 5 of the query vector that layer 1's q projection writes (after RoPE),
     * at the third decode, on the second device. The report names that instruction, token and element.
     */
    @Test
    void aFaultInLayerOnesQueriesIsNamed() {
        Path file = student();
        try (MemoryImage image = MemoryImage.open(file);
             ReferenceDevice faulty = ReferenceDevice.on(image, 1);
             CrossCheck check = new CrossCheck(OpenClDevice.on(image, OpenClDevice.Options.DEFAULT), faulty, image)) {
            int pc = instruction(image.program(), 1, Epilogue.ROPE_QUERY);
            faulty.injectFault(3, pc, 0, 5, 3);
            CrossCheck.DevicesDisagreeException e = run(check);
            assertEquals(3, e.step(), e.getMessage());
            assertEquals(pc, e.instruction(), e.getMessage());
            assertEquals(0, e.token(), e.getMessage());
            assertEquals(5, e.element(), e.getMessage());
            assertTrue(e.getMessage().contains("step 3 (a decode at position 7), instruction " + pc
                    + ": layer 1 LINEAR attn_q (ROPE_QUERY), token 0 (position 7), element 5 (head 0, element 5): "),
                    e.getMessage());
        }
    }

    /** Seeded faults anywhere a buffer is written, in the prefill or a decode: each is named where it was made. */
    @Test
    void seededFaultsAreNamedWhereTheyWereMade() {
        long seed = 2026;
        SplittableRandom random = new SplittableRandom(seed);
        Path file = student();
        try (MemoryImage image = MemoryImage.open(file);
             ReferenceDevice faulty = ReferenceDevice.on(image, 1);
             CrossCheck check = new CrossCheck(faulty, OpenClDevice.on(image, OpenClDevice.Options.DEFAULT), image)) {
            List<Instruction> program = image.program();
            ModelConfig m = image.header().model();
            List<Integer> writers = new ArrayList<>();
            for (int pc = 0; pc < program.size(); pc++) {
                Instruction in = program.get(pc);
                boolean toCache = in.opcode() == Opcode.LINEAR && (in.getEpilogue("epilogue") == Epilogue.ROPE_KEY_CACHE
                        || in.getEpilogue("epilogue") == Epilogue.VALUE_CACHE);
                if ((in.opcode() == Opcode.EMBED || in.opcode() == Opcode.LINEAR || in.opcode() == Opcode.ATTENTION)
                        && !toCache) {
                    writers.add(pc);
                }
            }
            ProgramLabels labels = new ProgramLabels(image);
            for (int fault = 0; fault < 4; fault++) {
                int call = random.nextInt(4);
                int pc = writers.get(random.nextInt(writers.size()));
                Instruction in = program.get(pc);
                int length = switch (in.opcode()) {
                    case EMBED -> in.getInt("dim");
                    case LINEAR -> in.getInt("rows");
                    default -> m.qDim();
                };
                int token = call == 0 ? random.nextInt(PROMPT.length) : 0;
                int element = random.nextInt(length);
                int bit = random.nextInt(32);
                String what = "fault " + fault + " at call " + call + ", instruction " + pc + ", token " + token
                        + ", element " + element + ", bit " + bit + " (seed " + seed + ")";
                check.reset();
                faulty.injectFault(call, pc, token, element, bit);
                CrossCheck.DevicesDisagreeException e = run(check);
                assertEquals(List.of(call, pc, token, element), List.of(e.step(), e.instruction(), e.token(),
                        e.element()), what + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(": " + labels.label(pc) + ", token " + token), e.getMessage());
            }
        }
    }

    private static final int[] PROMPT = {1, 200, 300, 400, 5};

    /** The prefill of {@link #PROMPT}, then greedy decodes until the devices disagree. */
    private static CrossCheck.DevicesDisagreeException run(CrossCheck check) {
        return assertThrows(CrossCheck.DevicesDisagreeException.class, () -> {
            float[] logits = check.prefill(PROMPT);
            for (int s = 0; s < 8; s++) {
                logits = check.decode(ReferenceDeviceTest.argmax(logits));
            }
        });
    }

    /** The index of layer {@code layer}'s LINEAR with epilogue {@code epilogue}. */
    private static int instruction(List<Instruction> program, int layer, Epilogue epilogue) {
        for (int pc = 0; pc < program.size(); pc++) {
            Instruction in = program.get(pc);
            if (in.opcode() == Opcode.LINEAR && in.getInt("layer") == layer && in.getEpilogue("epilogue") == epilogue) {
                return pc;
            }
        }
        throw new AssertionError("no LINEAR " + epilogue + " in layer " + layer);
    }

    /** Flips one bit of one logit at one step of the second device; the report names that step and logit. */
    @Test
    void aOneBitFaultIsReportedWithItsStepAndLogit() {
        long seed = 77;
        SplittableRandom random = new SplittableRandom(seed);
        int faultStep = 1 + random.nextInt(8);
        int faultLogit = random.nextInt(512);
        int bit = random.nextInt(23);
        Path file = student();
        try (MemoryImage image = MemoryImage.open(file);
             CrossCheck check = new CrossCheck(ReferenceDevice.on(image, 1),
                     new FaultyDevice(OpenClDevice.on(image, OpenClDevice.Options.DEFAULT), faultStep, faultLogit, bit),
                     image)) {
            CrossCheck.DevicesDisagreeException e = assertThrows(CrossCheck.DevicesDisagreeException.class, () -> {
                float[] logits = check.prefill(new int[] {1, 2, 3});
                for (int s = 0; s < 10; s++) {
                    logits = check.decode(ReferenceDeviceTest.argmax(logits));
                }
            });
            assertEquals(faultStep, e.step(), e.getMessage());
            assertEquals(faultLogit, e.logit(), e.getMessage());
            assertTrue(e.getMessage().contains("step " + faultStep + " (a decode at position " + (2 + faultStep) + ")")
                    && e.getMessage().contains("logit " + faultLogit + " is ")
                    && e.getMessage().contains("1 of 512 logits differ"), e.getMessage() + " (seed " + seed + ")");
        }
    }

    /** A device that flips bit {@code bit} of logit {@code logit} at call {@code step}. */
    private static final class FaultyDevice implements Device {
        private final Device inner;
        private final int step;
        private final int logit;
        private final int bit;
        private int calls;

        FaultyDevice(Device inner, int step, int logit, int bit) {
            this.inner = inner;
            this.step = step;
            this.logit = logit;
            this.bit = bit;
        }

        @Override
        public String describe() {
            return "faulty " + inner.describe();
        }

        @Override
        public float[] prefill(int[] tokens) {
            float[] out = inner.prefill(tokens);
            if (calls++ == step) {
                out[logit] = Float.intBitsToFloat(Float.floatToRawIntBits(out[logit]) ^ (1 << bit));
            }
            return out;
        }

        @Override
        public float[] decode(int token) {
            return prefill(new int[] {token});
        }

        @Override
        public int position() {
            return inner.position();
        }

        @Override
        public int context() {
            return inner.context();
        }

        @Override
        public void reset() {
            inner.reset();
            calls = 0;
        }

        @Override
        public DeviceCounters counters() {
            return inner.counters();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
