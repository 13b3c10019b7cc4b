package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.attention.AttentionShape;
import dev.tellmej.accel.attention.AttentionUnit;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.ExactProbe;
import dev.tellmej.model.inference.ModelWeights;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * sim-small's {@link AttentionUnit} on real activations: the embedded stories260K student (8 heads sharing 4 KV
 * heads of 8) run by the model's hardware-exact path ({@code ExactModel}), its queries, KV cache and attention
 * outputs captured for every layer and position; the unit, given each KV head's cached rows and its group's
 * queries, must give the model's outputs bit for bit, in decode (a token's two heads) and in prefill blocks (two
 * consecutive tokens' heads in one command).
 */
class StudentAttentionTest {
    private record Capture(int layer, int position, float[] q, float[] keys, float[] values, float[] out) {}

    private static final int[] PROMPT = {1, 403, 407, 261, 378, 432};
    private static final int POSITIONS = 40;

    private static List<Capture> capture(ModelConfig[] config) {
        Path file = EmbeddedModel.STORIES_260K_TERNARY.extractTo(Path.of("target", "models").toAbsolutePath());
        ModelWeights weights;
        try (GgufFile gguf = GgufFile.open(file)) {
            weights = WeightLoader.fromGguf(gguf);
        }
        config[0] = weights.config();
        List<Capture> captures = new ArrayList<>();
        ExactModel model = new ExactModel(weights, ExactConfig.defaults(), POSITIONS, 1);
        try {
            model.probe(new ExactProbe() {
                @Override
                public void attention(int layer, int position, float[] q, float[] keys, float[] values, float[] out) {
                    captures.add(new Capture(layer, position, q, keys, values, out));
                }
            });
            int token = PROMPT[0];
            for (int position = 0; position < POSITIONS; position++) {
                float[] logits = model.forward(token, position);
                token = position + 1 < PROMPT.length ? PROMPT[position
                        + 1] : dev.tellmej.model.sample.Sampler.argmax(logits);
            }
        } finally {
            model.close();
        }
        return captures;
    }

    private static short[] stored(float[] values, int from, int count, StorageFormat st) {
        short[] out = new short[count];
        for (int i = 0; i < count; i++) {
            out[i] = st.encode(values[from + i]);
        }
        return out;
    }

    /** Rows 0 .. n - 1 of KV head h: {@code n x headDim} stored values. */
    private static short[] head(float[] cache, int n, int h, ModelConfig c, StorageFormat st) {
        int hd = c.headDim();
        short[] out = new short[n * hd];
        for (int t = 0; t < n; t++) {
            short[] row = stored(cache, t * c.kvDim() + h * hd, hd, st);
            System.arraycopy(row, 0, out, t * hd, hd);
        }
        return out;
    }

    @SimTest
    void everyLayerAndPositionOfTheStudent(SimFixture fixture) {
        ModelConfig[] config = new ModelConfig[1];
        List<Capture> captures = capture(config);
        ModelConfig c = config[0];
        StorageFormat st = ExactConfig.defaults().storage();
        int hd = c.headDim();
        int group = c.heads() / c.kvHeads();
        assertEquals(2, group, "the student's 8 heads share 4 KV heads");
        AttentionShape shape = AttentionShape.of(AcceleratorConfig.simSmall());
        Design<AttentionUnit> design = Hdl.elaborate(() -> new AttentionUnit(shape));
        SimModel sim = fixture.open(design);
        Random random = fixture.random();
        AxiMemory memory = sim.axiMemory((int) AttentionRunner.memoryBytes(shape),
                AxiMemoryConfig.DEFAULT.withLatency(1 + random.nextInt(30), 1).withBandwidth(4));
        AttentionRunner runner = new AttentionRunner(sim, design.top(), memory, random, 0.8, 0.8);
        sim.reset();
        int checked = 0;
        for (int i = 0; i < captures.size(); i++) {
            Capture now = captures.get(i);
            // A prefill block: this token and the next of the same layer, when the next is captured.
            Capture next = null;
            for (int j = i + 1; j < captures.size(); j++) {
                if (captures.get(j).layer() == now.layer() && captures.get(j).position() == now.position() + 1) {
                    next = captures.get(j);
                    break;
                }
            }
            boolean block = next != null && now.position() % 3 == 1;
            Capture last = block ? next : now;
            int n = last.position() + 1;
            for (int h = 0; h < c.kvHeads(); h++) {
                int tokens = block ? 2 : 1;
                short[][] queries = new short[tokens * group][];
                short[][] expected = new short[tokens * group][];
                for (int token = 0; token < tokens; token++) {
                    Capture cap = token == 0 ? now : next;
                    for (int g = 0; g < group; g++) {
                        int qh = h * group + g;
                        queries[token * group + g] = stored(cap.q(), qh * hd, hd, st);
                        expected[token * group + g] = stored(cap.out(), qh * hd, hd, st);
                    }
                }
                AttentionRunner.Job job = new AttentionRunner.Job(now.position() + 1, tokens, group, hd,
                        head(last.keys(), n, h, c, st), head(last.values(), n, h, c, st), queries);
                runner.load(job);
                AttentionRunner.Run run = runner.run(job, 200_000);
                assertEquals(ErrorCode.NONE.code(), run.doneCode(), "done code");
                for (int s = 0; s < expected.length; s++) {
                    assertArrayEquals(expected[s], run.outputs()[s], "layer " + now.layer() + ", position "
                            + (now.position() + s / group) + ", head " + (h * group + s % group));
                }
                checked += expected.length;
            }
            if (block) {
                captures.remove(next);
            }
        }
        assertEquals(c.layers() * POSITIONS * c.heads(), checked, "every layer, position and head checked");
    }
}
