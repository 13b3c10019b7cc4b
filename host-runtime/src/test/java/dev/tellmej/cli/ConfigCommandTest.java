package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tellme config}: the named builds, every parameter of one, and whether a model fits. */
class ConfigCommandTest {
    @Test
    void listNamesEveryBuild() {
        TellmeRun list = TellmeRun.of("config", "--list");
        assertEquals(0, list.exitCode(), list.err());
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            assertTrue(list.out().lines().anyMatch(line -> line.startsWith(config.name() + " ")
                    && line.endsWith("  " + config.description())), list.out());
        }
        assertEquals(list.out(), TellmeRun.of("config").out(), "'tellme config' alone lists them too");
    }

    @Test
    void showPrintsEveryParameterAsTextAndJson() {
        TellmeRun text = TellmeRun.of("config", "show", "kv260");
        assertEquals(0, text.exitCode(), text.err());
        for (AcceleratorConfig.Parameter parameter : AcceleratorConfig.kv260().parameters()) {
            assertTrue(text.out().lines().anyMatch(line -> line.startsWith("  " + parameter.key() + " ")
                    && line.endsWith(parameter.meaning())), parameter.key() + " in\n" + text.out());
        }
        assertTrue(text.out().contains("port_bits"), text.out());
        TellmeRun json = TellmeRun.of("config", "show", "kv260", "--json");
        assertEquals(0, json.exitCode(), json.err());
        assertTrue(json.out().contains("\"key\": \"weight_bytes_per_cycle\",\n      \"value\": 64,"), json.out());
    }

    @Test
    void theEmbeddedModelsFitSimSmall() {
        for (String model : new String[] {"stories260K", "stories260K-ternary-qat"}) {
            TellmeRun check = TellmeRun.of("config", "check", model, "--config", "sim-small");
            assertEquals(0, check.exitCode(), check.err());
            assertTrue(check.out().startsWith(model + " fits the sim-small build (context capped at 512"), check.out());
        }
    }

    @Test
    void aModelTooLargeNamesEveryExceededMaximumAndExitsWith2(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"model_type": "bitnet", "hidden_size": 2560, "intermediate_size": 6912, "num_attention_heads": 20,
                 "num_key_value_heads": 5, "num_hidden_layers": 30, "vocab_size": 128256,
                 "max_position_embeddings": 4096, "hidden_act": "relu2"}
                """);
        TellmeRun check = TellmeRun.of("config", "check", config.toString(), "--config", "kv260");
        assertEquals(2, check.exitCode(), check.out());
        assertEquals("tellme: " + config + " does not fit the kv260 build; it exceeds 5 maxima:\n"
                + "  hidden size 2560 > 1536\n  FFN size 6912 > 4096\n  query heads 20 > 16\n"
                + "  head dimension 128 > 96\n  vocabulary 128256 > 32768\n"
                + "'tellme config show kv260' lists the build's maxima; 'tellme config --list' the builds.\n",
                check.err());
        TellmeRun json = TellmeRun.of("config", "check", config.toString(), "--json");
        assertEquals(2, json.exitCode());
        assertTrue(json.out().contains("\"fits\": false"), json.out());
    }

    @Test
    void unknownBuildsAndModelsAreUsageErrors() {
        TellmeRun build = TellmeRun.of("config", "show", "kv26");
        assertEquals(2, build.exitCode());
        assertTrue(build.err().startsWith("tellme: unknown configuration 'kv26'; did you mean 'kv260'?"), build.err());
        TellmeRun model = TellmeRun.of("config", "check", "no-such-model.gguf");
        assertEquals(2, model.exitCode());
        assertTrue(model.err().contains("no model file 'no-such-model.gguf'"), model.err());
    }
}
