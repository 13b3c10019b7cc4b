package dev.tellmej.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.MalformedModelException;
import dev.tellmej.model.TestModels;
import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufReader;
import dev.tellmej.model.gguf.GgufTensorInfo;
import dev.tellmej.model.gguf.GgufWriter;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.FloatModel;
import dev.tellmej.model.inference.Linear;
import dev.tellmej.model.inference.ModelWeights;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.safetensors.Json;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.tensor.TensorCodecs;
import dev.tellmej.model.tensor.TernaryTensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {
    private static final SyntheticModel.Shape SMALL_BITNET =
            new SyntheticModel.Shape("bitnet", 2, 64, 4, 2, 128, 300, Activation.RELU2, true, 64);

    private static GgufFile small(SyntheticModel.Shape shape) {
        return GgufReader.read(Path.of("synthetic.gguf"), MemorySegment.ofArray(SyntheticModel.build(shape, 5).toBytes()));
    }

    @Test
    void bitnetGgufHasHalfSplitRopeSubNormsAndTiedEmbeddings() {
        try (GgufFile file = small(SMALL_BITNET)) {
            ModelConfig c = ConfigReader.fromGguf(file);
            assertEquals(RopeStyle.HALF_SPLIT, c.ropeStyle());
            assertEquals(Activation.RELU2, c.activation());
            assertTrue(c.subNorms());
            assertTrue(c.tiedEmbeddings());
            assertEquals(16, c.headDim());
            assertEquals(32, c.kvDim());
            ModelWeights w = WeightLoader.fromGguf(file);
            assertTrue(w.allTernary());
            int[] prompt = {1, 40, 41, 42, 43};
            float[] f = new FloatModel(w, 16).prefill(prompt, 0);
            float[] e = new ExactModel(w, ExactConfig.defaults(), 16, 1).prefill(prompt, 0);
            double range = 0;
            double diff = 0;
            for (int i = 0; i < f.length; i++) {
                assertTrue(Float.isFinite(e[i]), "logit " + i);
                range = Math.max(range, Math.abs(f[i]));
                diff = Math.max(diff, Math.abs(f[i] - e[i]));
            }
            assertTrue(diff < 0.1 * range, "exact vs float max diff " + diff + " over logit range " + range);
        }
    }

    @Test
    void ternaryWeightsStoredAsF16AreRecognized() {
        // llama.cpp's BitNet converter writes W = trit * scale in F16: such a file runs on the exact path too.
        try (GgufFile i2s = small(SMALL_BITNET)) {
            ModelWeights w = WeightLoader.fromGguf(i2s);
            GgufWriter writer = new dev.tellmej.model.gguf.GgufWriter();
            i2s.metadata().forEach(writer::put);
            for (GgufTensorInfo t : i2s.tensors().values()) {
                GgmlType type = t.type();
                byte[] data = i2s.data(t).toArray(ValueLayout.JAVA_BYTE);
                if (type == GgmlType.I2_S) {
                    float[] f = TensorCodecs.toFloats(type, i2s.data(t), (int) t.elementCount());
                    type = GgmlType.F16;
                    data = TensorCodecs.encodeF16(f);
                }
                writer.addTensor(t.name(), t.dims(), type, data);
            }
            try (GgufFile f16 = GgufReader.read(Path.of("f16.gguf"), MemorySegment.ofArray(writer.toBytes()))) {
                ModelWeights back = WeightLoader.fromGguf(f16);
                assertTrue(back.allTernary());
                TernaryTensor a = ((Linear.Ternary) w.layers().get(1).up()).tensor();
                TernaryTensor b = ((Linear.Ternary) back.layers().get(1).up()).tensor();
                assertEquals(Arrays.toString(a.values()), Arrays.toString(b.values()));
                assertEquals(StorageFormat.FP16.round(a.scale()), b.scale());
            }
        }
        try (GgufFile teacher = GgufFile.open(TestModels.file("stories260K.gguf"))) {
            assertEquals(false, WeightLoader.fromGguf(teacher).allTernary(), "real float weights stay dense");
        }
    }

    @Test
    void llamaGgufRotatesAdjacentPairs() {
        try (GgufFile file = small(new SyntheticModel.Shape("llama", 1, 64, 4, 4, 128, 260, Activation.SILU, false, 32))) {
            ModelConfig c = ConfigReader.fromGguf(file);
            assertEquals(RopeStyle.ADJACENT, c.ropeStyle());
            assertEquals(Activation.SILU, c.activation());
            assertEquals(false, c.subNorms());
            assertEquals(false, c.tiedEmbeddings());
        }
    }

    @Test
    void huggingFaceBitnetConfig() {
        Map<?, ?> json = (Map<?, ?>) Json.parse("""
                {"architectures": ["BitNetForCausalLM"], "model_type": "bitnet", "hidden_size": 2560,
                 "num_hidden_layers": 30, "num_attention_heads": 20, "num_key_value_heads": 5,
                 "intermediate_size": 6912, "vocab_size": 128256, "max_position_embeddings": 4096,
                 "rope_theta": 500000.0, "rms_norm_eps": 1e-05, "hidden_act": "relu2", "tie_word_embeddings": true,
                 "quantization_config": {"linear_class": "autobitlinear", "quant_method": "bitnet"}}""");
        ModelConfig c = ConfigReader.fromHf(json, Path.of("config.json"));
        assertEquals(128, c.headDim());
        assertEquals(640, c.kvDim());
        assertEquals(Activation.RELU2, c.activation());
        assertEquals(RopeStyle.HALF_SPLIT, c.ropeStyle());
        assertTrue(c.subNorms() && c.tiedEmbeddings());
        assertEquals(500000f, c.ropeTheta());
        MalformedModelException e = assertThrows(MalformedModelException.class,
                () -> ConfigReader.fromHf(Map.of("hidden_size", 64L), Path.of("config.json")));
        assertEquals("num_hidden_layers", e.field());
    }

    @Test
    void unknownArchitecturesAreRefused() {
        byte[] bytes = new dev.tellmej.model.gguf.GgufWriter().putString("general.architecture", "mamba").toBytes();
        try (GgufFile file = GgufReader.read(Path.of("m.gguf"), MemorySegment.ofArray(bytes))) {
            MalformedModelException e = assertThrows(MalformedModelException.class, () -> ConfigReader.fromGguf(file));
            assertEquals("general.architecture", e.field());
        }
    }
}
