package dev.tellmej.model.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.TestModels;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.sample.Sampler;
import dev.tellmej.model.sample.SamplerConfig;
import dev.tellmej.model.ternary.TlmmKernel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExactModelTest {
    private static ModelWeights student;
    private static ModelWeights teacher;

    @BeforeAll
    static void load() {
        try (GgufFile s = GgufFile.open(TestModels.file("stories260K-ternary-qat.gguf"));
             GgufFile t = GgufFile.open(TestModels.file("stories260K.gguf"))) {
            student = WeightLoader.fromGguf(s);
            teacher = WeightLoader.fromGguf(t);
        }
    }

    private static int[] bits(float[] v) {
        return Arrays.stream(toDoubles(v)).mapToInt(d -> Float.floatToIntBits((float) d)).toArray();
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    @Test
    void greedyDecodingFollowsTheFloatPathForTheFirstTokens() {
        ExactModel model = new ExactModel(student, ExactConfig.defaults(), 256, 1);
        int[] ids = Generator.generate(model, new int[] {1}, 40, new Sampler(SamplerConfig.greedy()), 1, 2, t -> {});
        assertArrayEquals(GoldenOutputTest.STUDENT_IDS, ids);
    }

    @Test
    void resultsAreBitIdenticalAcrossRunsAndThreadCounts() {
        int[] prompt = {1, 403, 407, 261, 378, 432};
        ExactModel one = new ExactModel(student, ExactConfig.defaults(), 64, 1);
        ExactModel two = new ExactModel(student, ExactConfig.defaults(), 64, 2);
        try {
            float[] a = one.prefill(prompt, 0);
            float[] b = two.prefill(prompt, 0);
            one.reset();
            float[] c = one.prefill(prompt, 0);
            assertArrayEquals(bits(a), bits(b));
            assertArrayEquals(bits(a), bits(c));
        } finally {
            two.close();
        }
    }

    @Test
    void narrowModelsRunTheScalarKernelsAndEveryKindGivesTheSameBits() {
        // The student (hidden 64) is below TlmmKernel.VECTOR_MIN_DIM: its products, attention and SiLU run scalar.
        ExactModel chosen = new ExactModel(student, ExactConfig.defaults(), 64, 1);
        assertEquals(TlmmKernel.Kind.SCALAR, chosen.kernelKind());
        assertFalse(chosen.vectorized());
        int[] prompt = {1, 403, 407, 261, 378, 432};
        float[] expectedPrompt = chosen.prefill(prompt, 0);
        float[][] expectedSteps = new float[4][];
        for (int i = 0; i < expectedSteps.length; i++) {
            expectedSteps[i] = chosen.forward(300 + 17 * i, prompt.length + i);
        }
        // Every kernel kind this machine runs, the Vector API's attention and SiLU with the vector ones, gives the
        // same logits bit for bit: prefill of a prompt, then decode steps.
        for (TlmmKernel.Kind kind : TlmmKernel.Kind.values()) {
            if (!kind.available()) {
                continue;
            }
            ExactModel m = new ExactModel(student, ExactConfig.defaults(), 64, 2, kind);
            try {
                assertEquals(kind, m.kernelKind());
                assertArrayEquals(bits(expectedPrompt), bits(m.prefill(prompt, 0)), kind + " prefill");
                for (int i = 0; i < expectedSteps.length; i++) {
                    assertArrayEquals(bits(expectedSteps[i]), bits(m.forward(300 + 17 * i, prompt.length + i)),
                            kind + " decode step " + i);
                }
            } finally {
                m.close();
            }
        }
    }

    @Test
    void theKernelKindFollowsTheModelsWidth() {
        assertEquals(TlmmKernel.Kind.SCALAR, TlmmKernel.Kind.forModel(64));
        assertEquals(TlmmKernel.Kind.SCALAR, TlmmKernel.Kind.forModel(TlmmKernel.VECTOR_MIN_DIM - 1));
        assertEquals(TlmmKernel.Kind.best(), TlmmKernel.Kind.forModel(TlmmKernel.VECTOR_MIN_DIM));
        assertEquals(TlmmKernel.Kind.best(), TlmmKernel.Kind.forModel(1536));
    }

    /** Logits at every position of the golden student continuation, concatenated. */
    private static float[] allLogits(ExactConfig config) {
        ExactModel model = new ExactModel(student, config, 64, 1);
        int[] seq = GoldenOutputTest.STUDENT_IDS;
        float[] out = new float[seq.length * student.config().vocabSize()];
        for (int i = 0; i < seq.length; i++) {
            float[] l = model.forward(i == 0 ? 1 : seq[i - 1], i);
            System.arraycopy(l, 0, out, i * l.length, l.length);
        }
        return out;
    }

    @Test
    void theLaneCountAndStorageFormatAreRealParameters() {
        float[] l1 = allLogits(new ExactConfig(1, StorageFormat.FP16, 28));
        float[] l2 = allLogits(new ExactConfig(2, StorageFormat.FP16, 28));
        float[] l16 = allLogits(new ExactConfig(16, StorageFormat.FP16, 28));
        float[] bf = allLogits(new ExactConfig(16, StorageFormat.BF16, 28));
        // On this small model the fp16 stores absorb the last-bit differences L makes in the sums (ExactOpsTest
        // shows those differences); every L must still give deterministic, close results.
        assertArrayEquals(bits(l1), bits(allLogits(new ExactConfig(1, StorageFormat.FP16, 28))));
        assertFalse(Arrays.equals(bits(l16), bits(bf)));
        for (int i = 0; i < l1.length; i++) {
            assertEquals(l16[i], l1[i], 0.1, "logit " + i);
            assertEquals(l16[i], l2[i], 0.1, "logit " + i);
            assertEquals(l16[i], bf[i], 1.0, "logit " + i);
        }
    }

    @Test
    void exactPathNllIsCloseToTheFloatPath() {
        List<int[]> text = NllEvaluation.sample(new FloatModel(teacher, 128), 2, 128, 11, 1, 2);
        double f = NllEvaluation.meanNll(new FloatModel(student, 128), text);
        double e = NllEvaluation.meanNll(new ExactModel(student, ExactConfig.defaults(), 128, 1), text);
        System.out.printf("NLL on %d teacher tokens: float W1.58A8 %.4f, exact %.4f%n",
                NllEvaluation.predictedTokens(text), f, e);
        assertTrue(f > 1 && f < 3, "float NLL " + f);
        assertEquals(f, e, 0.05);
    }

    @Test
    void contextOverflowAndFloatModelsAreRefusedClearly() {
        ExactModel model = new ExactModel(student, ExactConfig.defaults(), 2, 1);
        model.forward(1, 0);
        model.forward(403, 1);
        ContextOverflowException e = assertThrows(ContextOverflowException.class, () -> model.forward(407, 2));
        assertEquals(2, e.capacity());
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> new ExactModel(teacher, ExactConfig.defaults(), 8, 1));
        assertTrue(f.getMessage().contains("ternary"), f.getMessage());
        assertThrows(ContextOverflowException.class, () -> new FloatModel(teacher, 1).prefill(new int[] {1, 2}, 0));
    }

    @Test
    void lmHeadQuantizesEachRowByItsAbsmax() {
        LmHead head = LmHead.quantize(new float[] {0.5f, -1f, 0.25f, 0f, 0f, 0f}, 2, 3);
        assertArrayEquals(new byte[] {64, -127, 32, 0, 0, 0}, head.weights());
        assertEquals(1f / 127f, head.rowScales()[0]);
        assertEquals(0f, head.rowScales()[1]);
        assertEquals(64 * 2 - 127 * 3 + 32 * 4, head.dot(0, new byte[] {2, 3, 4}));
    }

    @Test
    void aProbeSeesTheDataflowWithoutChangingIt() {
        int[] prompt = {1, 403, 407};
        ExactModel plain = new ExactModel(student, ExactConfig.defaults(), 8, 1);
        ExactModel probed = new ExactModel(student, ExactConfig.defaults(), 8, 1);
        int[] counts = new int[6];
        boolean[] chained = {true};
        probed.probe(new ExactProbe() {
            private float[] lastResidual;

            @Override
            public void rmsNorm(float[] in, float[] gamma, float eps, float[] out) {
                counts[0]++;
                if (lastResidual != null && !Arrays.equals(in, lastResidual)) {
                    chained[0] = false;
                }
                lastResidual = null;
            }

            @Override
            public void quantize(float[] x, byte[] q, float mc) {
                counts[1]++;
            }

            @Override
            public void dequantize(int[] acc, float mc, float weightScale, float[] y) {
                counts[2]++;
            }

            @Override
            public void rope(float[] before, int position, float[] after) {
                counts[3]++;
            }

            @Override
            public void residual(float[] h, float[] y, float[] out) {
                counts[4]++;
                lastResidual = out;
            }

            @Override
            public void gating(float[] gate, float[] up, float[] out) {
                counts[5]++;
            }
        });
        float[] a = plain.prefill(prompt, 0);
        float[] b = probed.prefill(prompt, 0);
        assertArrayEquals(bits(a), bits(b));
        int layers = student.config().layers() * prompt.length;
        // Per layer: two norms, four quantizations, seven linears, RoPE on q and k, two residuals, one gating;
        // per token the final norm and the LM head's quantization.
        assertArrayEquals(new int[] {2 * layers + prompt.length, 4 * layers + prompt.length, 7 * layers, 2 * layers,
                2 * layers, layers}, counts);
        assertTrue(chained[0], "each norm after a residual add reads the stored sum");
    }
}
