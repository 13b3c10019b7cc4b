package dev.tellmej.model.config;

import dev.tellmej.model.MalformedModelException;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufTensorInfo;
import java.nio.file.Path;
import java.util.Map;

/** Builds a {@link ModelConfig} from GGUF metadata or a Hugging Face {@code config.json}. */
public final class ConfigReader {
    /** Largest size accepted for any dimension from metadata. */
    private static final int MAX = 1 << 24;

    private ConfigReader() {}

    /**
     * From GGUF metadata for architectures {@code llama}, {@code bitnet} and {@code bitnet-b1.58}. The
     * project key {@code tellme.ffn_activation} ({@code silu} or {@code relu2}) overrides the activation the
     * architecture implies; {@code tellme.rope_style} ({@code adjacent} or {@code half_split}) the RoPE style.
     */
    public static ModelConfig fromGguf(GgufFile file) {
        String arch = file.getString("general.architecture");
        RopeStyle rope;
        Activation act;
        switch (arch) {
            case "llama" -> {
                rope = RopeStyle.ADJACENT;
                act = Activation.SILU;
            }
            case "bitnet" -> {
                rope = RopeStyle.HALF_SPLIT;
                act = Activation.SILU;
            }
            case "bitnet-b1.58", "bitnet-25" -> {
                rope = RopeStyle.HALF_SPLIT;
                act = Activation.RELU2;
            }
            default -> throw file.malformed("general.architecture", "architecture " + arch
                    + " is not supported (llama, bitnet, bitnet-b1.58)");
        }
        String p = arch + ".";
        int dim = file.getInt(p + "embedding_length", 1, MAX);
        int layers = file.getInt(p + "block_count", 1, 4096);
        int heads = file.getInt(p + "attention.head_count", 1, 65536);
        int kvHeads = file.getInt(p + "attention.head_count_kv", 1, 65536, heads);
        int ffn = file.getInt(p + "feed_forward_length", 1, MAX);
        int ctx = file.getInt(p + "context_length", 1, MAX, 2048);
        if (dim % heads != 0) {
            throw file.malformed(p + "attention.head_count", heads + " heads do not divide the hidden size " + dim);
        }
        if (heads % kvHeads != 0) {
            throw file.malformed(p + "attention.head_count_kv", kvHeads + " KV heads do not divide " + heads + " heads");
        }
        int headDim = dim / heads;
        if (headDim % 2 != 0) {
            throw file.malformed(p + "attention.head_count", "head dimension " + headDim + " is odd");
        }
        int ropeDims = file.getInt(p + "rope.dimension_count", 0, MAX, headDim);
        if (ropeDims != headDim) {
            throw file.malformed(p + "rope.dimension_count", "partial RoPE (" + ropeDims + " of " + headDim
                    + " dimensions) is not supported");
        }
        float theta = (float) file.getDouble(p + "rope.freq_base", 10000.0);
        float eps = (float) file.getDouble(p + "attention.layer_norm_rms_epsilon", 1e-5);
        if (!(theta > 1) || !(eps > 0) || !(eps < 1)) {
            throw file.malformed(p + "rope.freq_base", "RoPE base " + theta + " or RMS epsilon " + eps + " is absurd");
        }
        GgufTensorInfo embedding = file.requireTensor("token_embd.weight");
        long[] dims = embedding.dims();
        if (dims.length != 2 || dims[0] != dim || dims[1] > MAX) {
            throw new MalformedModelException(file.path(), "tensor token_embd.weight dims", embedding.infoOffset(),
                    "expected [" + dim + ", vocab], found " + java.util.Arrays.toString(dims));
        }
        int vocab = (int) dims[1];
        boolean tied = file.tensor("output.weight").isEmpty();
        boolean subNorms = file.tensor("blk.0.attn_sub_norm.weight").isPresent();
        String actKey = "tellme.ffn_activation";
        if (file.value(actKey).isPresent()) {
            act = switch (file.getString(actKey)) {
                case "silu" -> Activation.SILU;
                case "relu2" -> Activation.RELU2;
                default -> throw file.malformed(actKey, "expected silu or relu2");
            };
        }
        String ropeKey = "tellme.rope_style";
        if (file.value(ropeKey).isPresent()) {
            rope = switch (file.getString(ropeKey)) {
                case "adjacent" -> RopeStyle.ADJACENT;
                case "half_split" -> RopeStyle.HALF_SPLIT;
                default -> throw file.malformed(ropeKey, "expected adjacent or half_split");
            };
        }
        return new ModelConfig(arch, dim, layers, heads, kvHeads, headDim, ffn, vocab, ctx, theta, eps, rope, act,
                subNorms, tied);
    }

    /**
     * The configuration in {@code file}: a GGUF model's metadata, or a Hugging Face {@code config.json}.
     *
     * @throws dev.tellmej.model.ModelFileException when the file cannot be read or is malformed
     */
    public static ModelConfig fromFile(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".json")) {
            String text;
            try {
                text = java.nio.file.Files.readString(file);
            } catch (java.io.IOException e) {
                throw new MalformedModelException(file, "config.json", 0, "cannot read it: " + e.getMessage());
            }
            Object json;
            try {
                json = dev.tellmej.model.safetensors.Json.parse(text);
            } catch (dev.tellmej.model.safetensors.Json.JsonException e) {
                throw new MalformedModelException(file, "config.json", e.position(), e.getMessage());
            }
            if (!(json instanceof Map<?, ?> map)) {
                throw new MalformedModelException(file, "config.json", 0, "expected a JSON object");
            }
            return fromHf(map, file);
        }
        try (GgufFile gguf = GgufFile.open(file)) {
            return fromGguf(gguf);
        }
    }

    /**
     * From a parsed Hugging Face {@code config.json} (BitNet or LLaMA). HF checkpoints rotate halves.
     *
     * @param source the file name, for error messages
     */
    public static ModelConfig fromHf(Map<?, ?> json, Path source) {
        String type = json.get("model_type") instanceof String s ? s : "llama";
        int dim = intField(json, "hidden_size", source, -1);
        int layers = intField(json, "num_hidden_layers", source, -1);
        int heads = intField(json, "num_attention_heads", source, -1);
        int kvHeads = intField(json, "num_key_value_heads", source, heads);
        int ffn = intField(json, "intermediate_size", source, -1);
        int vocab = intField(json, "vocab_size", source, -1);
        int ctx = intField(json, "max_position_embeddings", source, 2048);
        if (dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0) {
            throw new MalformedModelException(source, "num_attention_heads", 0, "heads " + heads + ", KV heads "
                    + kvHeads + " and hidden size " + dim + " do not fit together");
        }
        float theta = json.get("rope_theta") instanceof Number n ? n.floatValue() : 10000f;
        float eps = json.get("rms_norm_eps") instanceof Number n ? n.floatValue() : 1e-5f;
        String act = json.get("hidden_act") instanceof String s ? s : "silu";
        Activation activation = switch (act) {
            case "silu", "swish" -> Activation.SILU;
            case "relu2" -> Activation.RELU2;
            default -> throw new MalformedModelException(source, "hidden_act", 0, "activation " + act
                    + " is not supported (silu, relu2)");
        };
        boolean tied = json.get("tie_word_embeddings") instanceof Boolean b && b;
        boolean subNorms = type.startsWith("bitnet");
        return new ModelConfig(type, dim, layers, heads, kvHeads, dim / heads, ffn, vocab, ctx, theta, eps,
                RopeStyle.HALF_SPLIT, activation, subNorms, tied);
    }

    private static int intField(Map<?, ?> json, String key, Path source, int fallback) {
        Object v = json.get(key);
        if (v == null && fallback >= 0) {
            return fallback;
        }
        if (!(v instanceof Long n) || n < 1 || n > MAX) {
            throw new MalformedModelException(source, key, 0, "expected a positive integer, found " + v);
        }
        return n.intValue();
    }
}
