package dev.tellmej.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ConfigReader;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufReader;
import dev.tellmej.model.inference.LayerWeights;
import dev.tellmej.model.inference.Linear;
import dev.tellmej.model.inference.ModelWeights;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.tensor.TensorCodecs;
import dev.tellmej.model.tensor.TernaryTensor;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A bitnet-b1.58-2B-4T-style checkpoint (packed U8 [out/4, in] ternary weights, one-element BF16
 * {@code weight_scale}, sub-norms) written from a synthetic GGUF model, read back under both scale conventions.
 */
class PackedCheckpointTest {
    private record Entry(String dtype, long[] shape, byte[] data) {}

    private static byte[] safetensors(Map<String, Entry> tensors, String linearClass) {
        StringBuilder header = new StringBuilder("{\"__metadata__\": {\"format\": \"pt\", \"quant\": \"" + linearClass + "\"}");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            long begin = data.size();
            data.writeBytes(e.getValue().data());
            header.append(", \"").append(e.getKey()).append("\": {\"dtype\": \"").append(e.getValue().dtype())
                    .append("\", \"shape\": ").append(java.util.Arrays.toString(e.getValue().shape()))
                    .append(", \"data_offsets\": [").append(begin).append(", ").append(data.size()).append("]}");
        }
        header.append('}');
        return SafetensorsTest.file(header.toString(), data.toByteArray());
    }

    private static void put(Map<String, Entry> out, String name, Linear linear, boolean divide) {
        TernaryTensor t = ((Linear.Ternary) linear).tensor();
        out.put(name + ".weight", new Entry("U8", new long[] {t.rows() / 4, t.cols()},
                WeightLoader.packRows(t.values(), t.rows(), t.cols())));
        float stored = divide ? 1f / t.scale() : t.scale();
        short bf16 = StorageFormat.toBf16(stored);
        out.put(name + ".weight_scale", new Entry("BF16", new long[] {1},
                ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(bf16).array()));
    }

    private static void vector(Map<String, Entry> out, String name, float[] v, long... shape) {
        out.put(name, new Entry("F32", shape, TensorCodecs.encodeF32(v)));
    }

    @Test
    void bothWeightScaleConventionsLoad() {
        SyntheticModel.Shape shape = new SyntheticModel.Shape("bitnet", 2, 64, 4, 2, 128, 300, Activation.RELU2, true, 32);
        try (GgufFile gguf = GgufReader.read(Path.of("s.gguf"), MemorySegment.ofArray(SyntheticModel.build(shape, 9).toBytes()))) {
            ModelConfig config = ConfigReader.fromGguf(gguf);
            ModelWeights w = WeightLoader.fromGguf(gguf);
            for (boolean divide : new boolean[] {false, true}) {
                Map<String, Entry> t = new LinkedHashMap<>();
                vector(t, "model.embed_tokens.weight", w.embedding(), config.vocabSize(), config.dim());
                vector(t, "model.norm.weight", w.outputNorm(), config.dim());
                for (int l = 0; l < config.layers(); l++) {
                    LayerWeights lw = w.layers().get(l);
                    String p = "model.layers." + l + ".";
                    vector(t, p + "input_layernorm.weight", lw.attnNorm(), config.dim());
                    vector(t, p + "post_attention_layernorm.weight", lw.ffnNorm(), config.dim());
                    vector(t, p + "self_attn.attn_sub_norm.weight", lw.attnSubNorm(), config.dim());
                    vector(t, p + "mlp.ffn_sub_norm.weight", lw.ffnSubNorm(), config.ffnDim());
                    put(t, p + "self_attn.q_proj", lw.q(), divide);
                    put(t, p + "self_attn.k_proj", lw.k(), divide);
                    put(t, p + "self_attn.v_proj", lw.v(), divide);
                    put(t, p + "self_attn.o_proj", lw.o(), divide);
                    put(t, p + "mlp.gate_proj", lw.gate(), divide);
                    put(t, p + "mlp.up_proj", lw.up(), divide);
                    put(t, p + "mlp.down_proj", lw.down(), divide);
                }
                byte[] bytes = safetensors(t, divide ? "bitlinear" : "autobitlinear");
                try (SafetensorsFile st = SafetensorsFile.read(Path.of("c.safetensors"), MemorySegment.ofArray(bytes))) {
                    WeightLoader.ScaleConvention convention =
                            WeightLoader.ScaleConvention.fromDescription(st.metadata().get("quant"));
                    ModelWeights back = WeightLoader.fromSafetensors(st, config, convention);
                    assertArrayEquals(w.embedding(), back.embedding());
                    assertEquals(back.embedding(), back.output(), "tied");
                    for (int l = 0; l < config.layers(); l++) {
                        TernaryTensor a = ((Linear.Ternary) w.layers().get(l).down()).tensor();
                        TernaryTensor b = ((Linear.Ternary) back.layers().get(l).down()).tensor();
                        assertArrayEquals(a.values(), b.values());
                        float stored = StorageFormat.fromBf16(StorageFormat.toBf16(divide ? 1f / a.scale() : a.scale()));
                        assertEquals(divide ? 1f / stored : stored, b.scale(), "divide " + divide);
                        assertEquals(a.scale(), b.scale(), a.scale() / 100, "bf16 keeps the scale to 8 bits");
                    }
                }
            }
        }
    }
}
