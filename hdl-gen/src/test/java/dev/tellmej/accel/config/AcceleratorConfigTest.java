package dev.tellmej.accel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.attention.AttentionShape;
import dev.tellmej.accel.tlmm.TlmmConfig;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.ConfigReader;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.StorageFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The named builds, what derives from them, and the check of a model against a build's maxima. */
class AcceleratorConfigTest {
    /** bitnet_b1_58-large (1bitLLM, 0.73B) as its config.json describes it. */
    static final String BITNET_LARGE = """
            {"model_type": "llama", "hidden_size": 1536, "intermediate_size": 4096, "num_attention_heads": 16,
             "num_key_value_heads": 16, "num_hidden_layers": 24, "vocab_size": 32002,
             "max_position_embeddings": 2048, "rope_theta": 10000.0, "rms_norm_eps": 1e-05, "hidden_act": "silu"}
            """;
    /** bitnet-b1.58-2B-4T (Microsoft) as its config.json describes it. */
    static final String BITNET_2B = """
            {"model_type": "bitnet", "hidden_size": 2560, "intermediate_size": 6912, "num_attention_heads": 20,
             "num_key_value_heads": 5, "num_hidden_layers": 30, "vocab_size": 128256,
             "max_position_embeddings": 4096, "rope_theta": 500000.0, "rms_norm_eps": 1e-05, "hidden_act": "relu2",
             "tie_word_embeddings": true}
            """;

    @Test
    void kv260UsesTheBoardsPortsAndTellMesArray() {
        AcceleratorConfig kv260 = AcceleratorConfig.kv260();
        TlmmConfig tlmm = kv260.tlmmConfig();
        assertEquals("kv260", tlmm.name());
        assertEquals(28, tlmm.tables());
        assertEquals(16, tlmm.columns());
        assertEquals(4, tlmm.ports());
        assertEquals(128, tlmm.portDataBits());
        assertEquals(64, kv260.memory().weightBytesPerCycle());
        assertEquals(19.2, kv260.memory().weightGBpsAt(300), 1e-9, "64 B per cycle at 300 MHz is the DDR's peak");
        assertEquals(16.0, kv260.memory().weightGBpsAt(250), 1e-9, "at 250 MHz the ports limit it");
        assertEquals(49, tlmm.maxBlocks(), "4,096 inputs (down_proj) in blocks of 84");
        assertEquals(new ExactConfig(16, StorageFormat.FP16, 28), kv260.exact());
    }

    @Test
    void everyParameterIsListedOnceWithAMeaning() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Set<String> keys = new HashSet<>();
            for (AcceleratorConfig.Parameter parameter : config.parameters()) {
                assertTrue(keys.add(parameter.group() + "." + parameter.key()), parameter.toString());
                assertTrue(parameter.key().matches("[a-z][a-z0-9_]*"), parameter.key());
                assertTrue(!parameter.meaning().isBlank() && parameter.value() != null, parameter.toString());
            }
            assertTrue(keys.contains("tlmm.max_blocks") && keys.contains("limits.context")
                    && keys.contains("exact.lanes"), keys.toString());
        }
    }

    @Test
    void kv260HoldsBitnetLargeAndNamesWhat2B4TExceeds(@TempDir Path dir) throws Exception {
        AcceleratorConfig kv260 = AcceleratorConfig.kv260();
        ModelConfig large = config(dir, "large.json", BITNET_LARGE);
        kv260.checkFits("bitnet_b1_58-large", large);
        ModelConfig twoB = config(dir, "2b.json", BITNET_2B);
        assertEquals(List.of("hidden size 2560 > 1536", "FFN size 6912 > 4096", "query heads 20 > 16",
                "head dimension 128 > 96", "vocabulary 128256 > 32768"), kv260.limits().exceededBy(twoB));
        ModelDoesNotFitException error = assertThrows(ModelDoesNotFitException.class,
                () -> kv260.checkFits("bitnet-b1.58-2B-4T", twoB));
        assertEquals("bitnet-b1.58-2B-4T does not fit the kv260 build: hidden size 2560 > 1536; FFN size 6912 > 4096;"
                + " query heads 20 > 16; head dimension 128 > 96; vocabulary 128256 > 32768", error.getMessage());
        assertEquals(5, error.exceeded().size());
    }

    @Test
    void simSmallHoldsTheEmbeddedModelsButNotBitnetLarge(@TempDir Path dir) throws Exception {
        AcceleratorConfig small = AcceleratorConfig.simSmall();
        for (EmbeddedModel model : EmbeddedModel.values()) {
            if (!model.fileName().endsWith(".gguf")) {
                continue; // the safetensors student has no configuration of its own (its GGUF twin is checked)
            }
            small.checkFits(model.fileName(), ConfigReader.fromFile(model.extractTo(dir)));
        }
        List<String> exceeded = small.limits().exceededBy(config(dir, "large.json", BITNET_LARGE));
        assertEquals(List.of("hidden size 1536 > 256", "FFN size 4096 > 1024", "query heads 16 > 8",
                "KV heads 16 > 8", "head dimension 96 > 32", "layers 24 > 8", "vocabulary 32002 > 1024"), exceeded);
        ModelConfig stories = ConfigReader.fromFile(EmbeddedModel.STORIES_260K.extractTo(dir));
        assertEquals("context capped at 512 positions; the model was trained for 2048",
                small.limits().contextNote(stories).orElseThrow());
        assertTrue(AcceleratorConfig.kv260().limits().contextNote(stories).isEmpty());
    }

    @Test
    void aBrokenConfigurationSaysWhatIsWrong() {
        AcceleratorConfig kv260 = AcceleratorConfig.kv260();
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new AcceleratorConfig(
                "odd", "", kv260.clock(), kv260.memory(), kv260.tlmm(),
                new ElementwiseConfig(12, 8, 3, 2, StorageFormat.FP16), kv260.attention(), kv260.limits()));
        assertTrue(error.getMessage().contains("N5's L (sum lanes) must be a power of two, got 12"), error.getMessage());
        assertTrue(error.getMessage().contains("matmul lanes must be a power of two, got 3"), error.getMessage());
        IllegalArgumentException lanes = assertThrows(IllegalArgumentException.class, () -> new AcceleratorConfig(
                "wide", "", kv260.clock(), kv260.memory(), kv260.tlmm(), kv260.elementwise(),
                new AttentionConfig(24, true), kv260.limits()));
        assertTrue(lanes.getMessage().contains("attention dot lanes must be a power-of-two multiple of the 8 stored"
                + " values of a port's beat"), lanes.getMessage());
        IllegalArgumentException ports = assertThrows(IllegalArgumentException.class, () -> new AcceleratorConfig(
                "few-ports", "", kv260.clock(), new MemorySystem(1, 2, 128, 19.2), kv260.tlmm(), kv260.elementwise(),
                kv260.attention(), kv260.limits()));
        assertTrue(ports.getMessage().contains("take 2 ports a pass; the further ones use weight ports (two for"
                + " each), but the build has 1"), ports.getMessage());
        assertEquals(2, AttentionShape.of(kv260).ports());
        assertEquals(1, AttentionShape.of(AcceleratorConfig.simSmall()).ports());
        assertEquals("no accelerator configuration 'zcu104'; there are kv260, sim-small",
                assertThrows(IllegalArgumentException.class, () -> AcceleratorConfig.named("zcu104")).getMessage());
    }

    private static ModelConfig config(Path dir, String name, String json) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, json);
        return ConfigReader.fromFile(file);
    }
}
