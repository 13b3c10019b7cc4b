package dev.tellmej.model.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.TestModels;
import dev.tellmej.model.config.ConfigReader;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.safetensors.SafetensorsFile;
import dev.tellmej.model.sample.Sampler;
import dev.tellmej.model.sample.SamplerConfig;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The float path against golden outputs of an independent float64 reference, published with the models. */
class GoldenOutputTest {
    static final String TEACHER_TEXT = """
            Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, \
            she saw a big, red ball. She wanted to play with it, but it was too high.
            Lily's mom said, "Lily, let's go to the park." Lily was sad and didn't know what to do. She said, \
            "I want to play with your ball, but I can't find it."
            Lily was sad and didn't know what to do. She said, "I'm sorry, Lily. I didn't know what to do."
            Lily didn't want to help her mom, so she""";
    static final int[] TEACHER_IDS = ids("403 407 261 378 432 383 286 261 376 298 315 421 395 317 426 338 401 396 267"
            + " 337 410 408 419 292 411 322 265 282 295 433 426 385 328 432 358 394 261 370 432 352");
    static final int[] STUDENT_IDS = ids("403 407 261 378 432 383 286 261 376 298 315 421 395 317 426 338 401 396 267"
            + " 337 410 408 419 292 411 322 265 282 295 433 335 311 357 343 426 385 328 432 358 394");
    static final String STUDENT_START = "Once upon a time, there was a little girl named Lily. She loved to play"
            + " outside in the park with her mommy. One day, she saw a big, small bird while she was very excited.";
    static final float[] STUDENT_LOGITS = {-7.399498f, 7.821006f, -7.399985f, -7.398744f, -7.398921f, -7.399494f,
        -7.397486f, -7.400589f};

    static int[] ids(String s) {
        return Arrays.stream(s.trim().split(" +")).mapToInt(Integer::parseInt).toArray();
    }

    private static String greedyText(LanguageModel model, Tokenizer tokenizer, int[] firstIds) {
        int[] generated = Generator.generate(model, new int[] {1}, 200, new Sampler(SamplerConfig.greedy()), 1, 2, t -> {});
        assertArrayEquals(firstIds, Arrays.copyOf(generated, 40));
        int[] all = new int[generated.length + 1];
        all[0] = 1;
        System.arraycopy(generated, 0, all, 1, generated.length);
        return tokenizer.decode(all);
    }

    @Test
    void teacherReproducesThePublishedStory() {
        try (GgufFile file = GgufFile.open(TestModels.file("stories260K.gguf"))) {
            String text = greedyText(new FloatModel(WeightLoader.fromGguf(file), 256), Tokenizer.fromGguf(file),
                    TEACHER_IDS);
            assertEquals(TEACHER_TEXT, text);
        }
    }

    @Test
    void ternaryStudentGgufReproducesTheGoldenIdsAndLogits() {
        try (GgufFile file = GgufFile.open(TestModels.file("stories260K-ternary-qat.gguf"))) {
            ModelWeights weights = WeightLoader.fromGguf(file);
            assertTrue(weights.allTernary());
            FloatModel model = new FloatModel(weights, 256);
            String text = greedyText(model, Tokenizer.fromGguf(file), STUDENT_IDS);
            assertTrue(text.startsWith(STUDENT_START), text);
            model.reset();
            float[] logits = model.forward(1, 0);
            double maxDiff = 0;
            for (int i = 0; i < STUDENT_LOGITS.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(logits[i] - STUDENT_LOGITS[i]));
            }
            System.out.printf("ternary student, logits at position 0: max |fp32 - float64 reference| = %.3g%n", maxDiff);
            assertTrue(maxDiff < 2e-5, "max abs difference " + maxDiff);
        }
    }

    @Test
    void ternaryStudentSafetensorsLoadsTheSameWeightsAndIds() {
        try (GgufFile gguf = GgufFile.open(TestModels.file("stories260K-ternary-qat.gguf"));
             SafetensorsFile st = SafetensorsFile.open(TestModels.file("stories260K-ternary-qat.safetensors"))) {
            ModelWeights fromGguf = WeightLoader.fromGguf(gguf);
            WeightLoader.ScaleConvention convention =
                    WeightLoader.ScaleConvention.fromDescription(st.metadata().get("quant"));
            assertEquals(WeightLoader.ScaleConvention.MULTIPLY, convention);
            ModelWeights fromSt = WeightLoader.fromSafetensors(st, ConfigReader.fromGguf(gguf), convention);
            assertWeightsEqual(fromGguf, fromSt);
            String text = greedyText(new FloatModel(fromSt, 256), Tokenizer.fromGguf(gguf), STUDENT_IDS);
            assertTrue(text.startsWith(STUDENT_START), text);
        }
    }

    static void assertWeightsEqual(ModelWeights a, ModelWeights b) {
        assertArrayEquals(a.embedding(), b.embedding());
        assertArrayEquals(a.output(), b.output());
        assertArrayEquals(a.outputNorm(), b.outputNorm());
        for (int l = 0; l < a.layers().size(); l++) {
            LayerWeights x = a.layers().get(l);
            LayerWeights y = b.layers().get(l);
            assertArrayEquals(x.attnNorm(), y.attnNorm());
            assertArrayEquals(x.ffnNorm(), y.ffnNorm());
            Linear[][] pairs = {{x.q(), y.q()}, {x.k(), y.k()}, {x.v(), y.v()}, {x.o(), y.o()}, {x.gate(), y.gate()},
                {x.up(), y.up()}, {x.down(), y.down()}};
            for (Linear[] p : pairs) {
                Linear.Ternary s = (Linear.Ternary) p[0];
                Linear.Ternary t = (Linear.Ternary) p[1];
                assertArrayEquals(s.tensor().values(), t.tensor().values(), "layer " + l);
                assertEquals(Float.floatToIntBits(s.tensor().scale()), Float.floatToIntBits(t.tensor().scale()));
            }
        }
    }
}
