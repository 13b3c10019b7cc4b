package dev.tellmej.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.ModelWeights;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.image.UnpackableModelException;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.inference.WeightSource;
import dev.tellmej.model.safetensors.SafetensorsFile;
import dev.tellmej.model.synthetic.SyntheticModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceDeviceTest {
    @TempDir
    Path dir;

    @Test
    void studentMatchesExactModelOnSimSmall() {
        matchesExactModel(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir), AcceleratorConfig.simSmall(), 24, 100, 11);
    }

    @Test
    void studentMatchesExactModelOnKv260() {
        matchesExactModel(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir), AcceleratorConfig.kv260(), 24, 20, 12);
    }

    /** BitNet architecture: sub-norms, NEOX RoPE pairs, ReLU^2 gating, tied embedding, GQA. */
    @Test
    void syntheticBitnetMatchesExactModel() {
        Path model = dir.resolve("bitnet.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, 64, 4, 2, 96, 300, Activation.RELU2, true, 256),
                5, model);
        matchesExactModel(model, AcceleratorConfig.simSmall(), 24, 100, 13);
    }

    /** LLaMA architecture with SiLU and an untied head, prompt longer than several chunks. */
    @Test
    void syntheticLlamaMatchesExactModel() {
        Path model = dir.resolve("llama.gguf");
        SyntheticModel.write(new SyntheticModel.Shape("llama", 2, 96, 6, 3, 160, 320, Activation.SILU, false, 128),
                6, model);
        matchesExactModel(model, AcceleratorConfig.kv260(), 27, 10, 14);
    }

    @Test
    void safetensorsAndGgufStudentsPackToTheSameBytes() throws IOException {
        AcceleratorConfig config = AcceleratorConfig.simSmall();
        Path gguf = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        Path st = EmbeddedModel.STORIES_260K_TERNARY_SAFETENSORS.extractTo(dir);
        Path fromGguf = dir.resolve("gguf.tlmi");
        Path fromSt = dir.resolve("st.tlmi");
        try (GgufFile g = GgufFile.open(gguf); SafetensorsFile s = SafetensorsFile.open(st)) {
            WeightSource ggufSource = WeightLoader.gguf(g);
            ImagePacker.pack(ggufSource, "student", config, 64, fromGguf, false, ImagePacker.Progress.NONE);
            WeightSource stSource = WeightLoader.safetensors(s, ggufSource.config(),
                    WeightLoader.ScaleConvention.fromDescription(s.metadata().get("quant")));
            ImagePacker.pack(stSource, "student", config, 64, fromSt, false, ImagePacker.Progress.NONE);
        }
        assertArrayEquals(Files.readAllBytes(fromGguf), Files.readAllBytes(fromSt));
    }

    @Test
    void theFloatTeacherIsRefused() {
        Path teacher = EmbeddedModel.STORIES_260K.extractTo(dir);
        try (GgufFile g = GgufFile.open(teacher)) {
            UnpackableModelException e = assertThrows(UnpackableModelException.class,
                    () -> ImagePacker.pack(WeightLoader.gguf(g), "teacher", AcceleratorConfig.simSmall(), 64,
                            dir.resolve("teacher.tlmi"), false, ImagePacker.Progress.NONE));
            assertTrue(e.getMessage().contains("blk.0.attn_q") && e.getMessage().contains("ternary"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("teacher.tlmi")) || Files.exists(dir.resolve("teacher.tlmi.partial")),
                "a refused pack leaves no file");
    }

    /** Prefill of {@code prompt} random tokens, then greedy decode steps; every step's logits bit for bit. */
    private void matchesExactModel(Path model, AcceleratorConfig config, int prompt, int steps, long seed) {
        Path image = dir.resolve(config.name() + "-" + model.getFileName() + ".tlmi");
        ModelWeights weights;
        try (GgufFile gguf = GgufFile.open(model)) {
            WeightSource source = WeightLoader.gguf(gguf);
            ImagePacker.pack(source, model.getFileName().toString(), config,
                    ImagePacker.defaultContext(config, source.config()), image, false, ImagePacker.Progress.NONE);
            weights = WeightLoader.fromGguf(gguf);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] tokens = new int[prompt];
        for (int i = 0; i < prompt; i++) {
            tokens[i] = random.nextInt(weights.config().vocabSize());
        }
        try (ReferenceDevice device = ReferenceDevice.open(image, 1)) {
            ExactModel exact = new ExactModel(weights, config.exact(), device.context(), 1);
            float[] expected = null;
            for (int i = 0; i < prompt; i++) {
                expected = exact.forward(tokens[i], i);
            }
            float[] actual = device.prefill(tokens);
            assertBitsEqual(expected, actual, "prefill, seed " + seed);
            assertEquals(prompt, device.position());
            assertTrue(device.counters().chunks() >= 1);
            for (int s = 0; s < steps; s++) {
                int next = argmax(actual);
                expected = exact.forward(next, prompt + s);
                actual = device.decode(next);
                assertBitsEqual(expected, actual, "decode step " + s + ", seed " + seed);
            }
            exact.close();
        }
    }

    @Test
    void refusedCallsChangeNothing() {
        AcceleratorConfig config = AcceleratorConfig.simSmall();
        Path model = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        Path image = dir.resolve("small.tlmi");
        try (GgufFile gguf = GgufFile.open(model)) {
            ImagePacker.pack(WeightLoader.gguf(gguf), "student", config, 8, image, false, ImagePacker.Progress.NONE);
        }
        try (ReferenceDevice device = ReferenceDevice.open(image, 1)) {
            float[] first = device.prefill(new int[] {1, 400, 7});
            CallRefusedException overflow = assertThrows(CallRefusedException.class,
                    () -> device.prefill(new int[] {1, 2, 3, 4, 5, 6}));
            assertEquals(ErrorCode.CONTEXT_OVERFLOW, overflow.code());
            assertTrue(overflow.getMessage().contains("holds 8"), overflow.getMessage());
            CallRefusedException token = assertThrows(CallRefusedException.class, () -> device.decode(512));
            assertEquals(ErrorCode.BAD_TOKEN, token.code());
            assertEquals(3, device.position());
            device.reset();
            assertArrayEquals(first, device.prefill(new int[] {1, 400, 7}));
        }
    }

    /** Prefill in chunks and token-by-token decode give the same logits and the same KV-cache bytes (N17.4). */
    @Test
    void chunkedPrefillEqualsTokenByTokenDecode() {
        AcceleratorConfig config = AcceleratorConfig.kv260();
        Path model = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        Path image = dir.resolve("chunks.tlmi");
        try (GgufFile gguf = GgufFile.open(model)) {
            ImagePacker.pack(WeightLoader.gguf(gguf), "student", config, 64, image, false, ImagePacker.Progress.NONE);
        }
        int[] tokens = new SplittableRandom(21).ints(19, 0, 512).toArray();
        try (ReferenceDevice chunked = ReferenceDevice.open(image, 1);
             ReferenceDevice stepped = ReferenceDevice.open(image, 1)) {
            float[] whole = chunked.prefill(tokens);
            float[] last = null;
            for (int token : tokens) {
                last = stepped.decode(token);
            }
            assertBitsEqual(last, whole, "19 tokens in chunks of 8 against one at a time, seed 21");
            assertEquals(stepped.kvCache(), chunked.kvCache(), "KV-cache bytes");
        }
    }

    /** A decode is one chunk of the whole program; it writes one K and one V row per layer and the logits. */
    @Test
    void countersCountTheCall() {
        AcceleratorConfig config = AcceleratorConfig.simSmall();
        Path model = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        Path image = dir.resolve("counted.tlmi");
        try (GgufFile gguf = GgufFile.open(model)) {
            ImagePacker.pack(WeightLoader.gguf(gguf), "student", config, 64, image, false, ImagePacker.Progress.NONE);
        }
        try (ReferenceDevice device = ReferenceDevice.open(image, 1)) {
            device.prefill(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
            DeviceCounters prefill = device.counters();
            assertEquals(3, prefill.chunks(), "9 tokens in chunks of " + config.tlmmConfig().maxTokens());
            assertEquals(3L * device.image().program().size(), prefill.instructions());
            device.decode(10);
            DeviceCounters decode = device.counters();
            var m = device.image().header().model();
            assertEquals(1, decode.chunks());
            assertEquals(device.image().program().size(), decode.instructions());
            assertEquals((long) m.layers() * 2 * m.kvDim() * 2 + 4L * m.vocabSize(), decode.ddrBytesWritten());
            assertTrue(decode.ddrBytesRead() > (long) m.vocabSize() * m.dim(), "at least the LM head is read");
            assertEquals(0, decode.cycles(), "the reference has no clock");
        }
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": logits length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": logit " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }
}
