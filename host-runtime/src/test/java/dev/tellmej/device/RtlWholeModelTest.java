package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.tokenizer.Tokenizer;
import dev.tellmej.sim.AxiMemoryConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole models through the kernel in Verilator (the rtl device, sim-small), driven only through
 * {@code s_axi_control} and the DDR model holding the image: every call's logits equal the reference device's bit
 * for bit, so greedy decoding gives the same text. The DDR model answers with seeded random latencies, which
 * change the cycles and never a result.
 */
class RtlWholeModelTest {
    /** The golden student continuation's first ids (model module's GoldenOutputTest), after BOS. */
    private static final int[] STUDENT_IDS = ids("403 407 261 378 432 383 286 261 376 298 315 421 395 317 426 338"
            + " 401 396 267 337 410 408 419 292 411 322 265 282 295 433 335 311 357 343 426 385 328 432 358 394");
    private static final long SEED = 20261202L;

    @TempDir
    static Path dir;

    private static int[] ids(String s) {
        return Arrays.stream(s.trim().split(" +")).mapToInt(Integer::parseInt).toArray();
    }

    private static RtlDevice.Options jittered(long seed) {
        return RtlDevice.Options.DEFAULT.withDdr(AxiMemoryConfig.DEFAULT.withLatency(20, 20).withJitter(8, seed));
    }

    /**
     * The run: a 20-token prompt (BOS and the golden continuation's first 19 ids) in one prefill, then 200
     * greedy decode steps, each call's logits against the reference device's.
     */
    @Test
    void theStudentsPrefillAnd200DecodeStepsEqualTheReferenceDeviceBitForBit() {
        Path model = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        Path imagePath = dir.resolve("student-256.tlmi");
        Tokenizer tokenizer;
        try (GgufFile gguf = GgufFile.open(model)) {
            ImagePacker.pack(WeightLoader.gguf(gguf), gguf, "student", AcceleratorConfig.simSmall(), 256, imagePath,
                    true, ImagePacker.Progress.NONE);
            tokenizer = Tokenizer.fromGguf(gguf);
        }
        int promptLength = 20;
        int steps = 200;
        int[] prompt = new int[promptLength];
        prompt[0] = 1;
        System.arraycopy(STUDENT_IDS, 0, prompt, 1, promptLength - 1);
        try (MemoryImage image = MemoryImage.open(imagePath);
             RtlDevice rtl = RtlDevice.on(image, jittered(SEED));
             ReferenceDevice reference = ReferenceDevice.on(image, 1)) {
            int[] text = Arrays.copyOf(prompt, promptLength + steps);
            long t0 = System.nanoTime();
            float[] logits = sameLogits(reference.prefill(prompt), rtl.prefill(prompt), "the prefill");
            long prefillCycles = rtl.counters().cycles();
            long decodeCycles = 0;
            for (int step = 0; step < steps; step++) {
                int next = argmax(logits);
                text[promptLength + step] = next;
                if (step < steps - 1) {
                    logits = sameLogits(reference.decode(next), rtl.decode(next), "decode step " + step);
                    decodeCycles += rtl.counters().cycles();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int golden = Math.min(STUDENT_IDS.length, text.length - 1);
            assertArrayEquals(Arrays.copyOf(STUDENT_IDS, golden), Arrays.copyOfRange(text, 1, golden + 1),
                    "the golden continuation's ids");
            assertEquals(promptLength + steps - 1, rtl.position());
            System.out.printf("rtl whole model: the student's %d-token prefill in %,d cycles, %d decode steps in %,d"
                    + " cycles (%,d a step), %.1f s of simulation with the reference device beside it%n",
                    promptLength, prefillCycles, steps - 1, decodeCycles, decodeCycles / (steps - 1), seconds);
            System.out.println("rtl whole model: " + tokenizer.decode(text).replace("\n", "\\n"));
        }
    }

    /**
     * A BitNet-architecture model with sub-norms, ReLU², grouped-query attention (4 heads over 2 KV heads of 16), a
     * tied LM head: random weights, a prefill over two chunks and decode steps, logits against the reference; run
     * twice, the second time with the DDR's bandwidth capped at 10 bytes a cycle (the sim-small ports carry 24)
     * and other latencies: more cycles, the same logits.
     */
    @Test
    void aSyntheticBitNetModelWithSubNormsEqualsTheReferenceDeviceBitForBitWhateverTheDdr() {
        Path model = dir.resolve("bitnet.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 64, 4, 2, 128, 300, Activation.RELU2, true, 64),
                SEED, model);
        Path imagePath = dir.resolve("bitnet.tlmi");
        try (GgufFile gguf = GgufFile.open(model)) {
            ImagePacker.pack(WeightLoader.gguf(gguf), gguf, "bitnet", AcceleratorConfig.simSmall(), 64, imagePath,
                    true, ImagePacker.Progress.NONE);
        }
        int[] prompt = {1, 17, 299, 42, 0, 128, 7};
        int steps = 12;
        try (MemoryImage image = MemoryImage.open(imagePath)) {
            assertTrue(image.header().model().subNorms(), "the image has sub-norms");
            long[] cycles = new long[2];
            AxiMemoryConfig capped = AxiMemoryConfig.DEFAULT.withLatency(60, 30).withJitter(40, SEED + 2)
                    .withBandwidth(10);
            List<RtlDevice.Options> ddrs = List.of(jittered(SEED + 1), RtlDevice.Options.DEFAULT.withDdr(capped));
            for (int run = 0; run < ddrs.size(); run++) {
                try (RtlDevice rtl = RtlDevice.on(image, ddrs.get(run));
                     ReferenceDevice reference = ReferenceDevice.on(image, 1)) {
                    String ddr = run == 0 ? "jittered DDR" : "capped DDR";
                    float[] logits = sameLogits(reference.prefill(prompt), rtl.prefill(prompt), ddr + ", the prefill");
                    cycles[run] += rtl.counters().cycles();
                    for (int step = 0; step < steps; step++) {
                        int next = argmax(logits);
                        logits = sameLogits(reference.decode(next), rtl.decode(next), ddr + ", decode step " + step);
                        cycles[run] += rtl.counters().cycles();
                    }
                }
            }
            assertTrue(cycles[1] > cycles[0], "the capped DDR takes longer: " + cycles[1] + " vs " + cycles[0]);
            System.out.printf("rtl whole model: synthetic BitNet, a %d-token prefill and %d decode calls in %,d"
                    + " cycles, %,d with the DDR capped at 10 bytes a cycle%n", prompt.length, steps, cycles[0],
                    cycles[1]);
        }
    }

    /** Asserts the logits equal bit for bit and returns them. */
    private static float[] sameLogits(float[] expected, float[] actual, String call) {
        assertEquals(expected.length, actual.length, call + ": logits");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(call + ": logit " + i + " is " + actual[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + "), the reference device's "
                        + expected[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(expected[i]))
                        + "); seed " + SEED);
            }
        }
        return actual;
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
}
