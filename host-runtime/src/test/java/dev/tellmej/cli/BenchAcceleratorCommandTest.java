package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.safetensors.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tellme bench accelerator --config sim-small --json}: the kernel of sim-small in Verilator on the embedded
 * student. The analytic model, measured on the student's first layer, predicts complete runs of all its layers (a
 * prefill and decodes at three contexts) within 5 %, and the projected figures agree with one another.
 */
@Tag("slow")
class BenchAcceleratorCommandTest {
    @TempDir
    Path dir;

    private static double number(Map<?, ?> object, String field) {
        return ((Number) object.get(field)).doubleValue();
    }

    @Test
    void theModelPredictsCompleteRunsWithin5PercentAndItsFiguresAgree() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TellmeMain.run(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "accelerator",
                "--config", "sim-small", "--contexts", "32,128", "--prompts", "16", "--cache-dir", dir.toString(),
                "--json");
        assertEquals(0, code, err.toString());
        Map<?, ?> result = (Map<?, ?>) Json.parse(out.toString());
        assertEquals("sim-small", result.get("config"));

        Map<?, ?> validation = (Map<?, ?>) result.get("validation");
        List<?> checks = (List<?>) validation.get("checks");
        assertEquals(4, checks.size(), "a prefill and three decodes: " + validation);
        for (Object o : checks) {
            Map<?, ?> check = (Map<?, ?>) o;
            assertTrue(number(check, "measured_cycles") > 10_000, check.toString());
            assertTrue(Math.abs(number(check, "error")) < 0.05, "the model within 5 % of a complete run: " + check);
        }
        assertTrue(number(validation, "max_error") < 0.05, validation.toString());

        int layers = ((Number) result.get("layers")).intValue();
        assertEquals(number(validation, "layers"), layers, "the student's layers");
        List<?> decode = (List<?>) result.get("decode");
        assertEquals(2, decode.size());
        double previous = Double.MAX_VALUE;
        for (Object o : decode) {
            Map<?, ?> d = (Map<?, ?>) o;
            for (String field : List.of("clock_mhz", "ddr_gbps", "context", "tokens_per_s", "roofline_tokens_per_s",
                    "ddr_busy")) {
                assertTrue(d.containsKey(field), field + " in " + d);
            }
            double tokensPerSecond = number(d, "tokens_per_s");
            assertEquals(number(d, "clock_mhz") * 1e6 / number(d, "cycles_per_token"), tokensPerSecond,
                    1e-9 * tokensPerSecond);
            assertEquals(number(d, "ddr_gbps") * 1e9 / number(d, "bytes_per_token"),
                    number(d, "roofline_tokens_per_s"), 1e-6);
            assertTrue(number(d, "of_roofline") <= 1 + 1e-9 && number(d, "ddr_share") <= 1 + 1e-9,
                    "no faster than the DDR allows: " + d);
            assertTrue(number(d, "ddr_busy") > 0 && number(d, "ddr_busy") <= 1, d.toString());
            assertTrue(tokensPerSecond < previous, "a longer context decodes slower: " + decode);
            previous = tokensPerSecond;
        }
        Map<?, ?> prefill = (Map<?, ?>) ((List<?>) result.get("prefill")).getFirst();
        for (String field : List.of("clock_mhz", "ddr_gbps", "tokens", "tokens_per_s", "ttft_s")) {
            assertTrue(prefill.containsKey(field), field + " in " + prefill);
        }
        assertEquals(16 / number(prefill, "ttft_s"), number(prefill, "tokens_per_s"), 1e-9 * 16);
        for (Object o : (List<?>) result.get("checks")) {
            assertTrue(Math.abs(number((Map<?, ?>) o, "error")) < 0.05, o.toString());
        }
        double shares = ((List<?>) result.get("breakdown")).stream()
                .mapToDouble(t -> number((Map<?, ?>) t, "decode_share")).sum();
        assertTrue(shares > 0.9 && shares < 1, "the instructions are nearly all of a token's cycles: " + shares);

        // The result is saved for the demo, which reads back its headline.
        SavedProjection.Headline headline = SavedProjection.read(SavedProjection.file(dir, "sim-small"));
        Map<?, ?> first = (Map<?, ?>) decode.getFirst();
        assertEquals(number(first, "tokens_per_s"), headline.decode());
        assertEquals((int) number(first, "context"), headline.context());
        assertEquals(16, headline.prompt());
        assertEquals(number(prefill, "ttft_s"), headline.ttftSeconds());
        assertEquals(layers, headline.layers());
        assertTrue(headline.describe("sim-small").contains("decode ") && headline.references().getFirst()
                .startsWith("TeLLMe decode 25.0, prefill 143"), headline.describe("sim-small"));
    }

    @Test
    void aSavedResultThatIsNotOneIsRefusedWithTheFieldMissing() throws IOException {
        Path file = SavedProjection.file(dir, "kv260");
        Files.writeString(file, "{\"config\": \"kv260\", \"decode\": []}");
        IOException e = assertThrows(IOException.class,
                () -> SavedProjection.read(file));
        assertTrue(e.getMessage().contains("not a bench accelerator result") && e.getMessage().contains("model"),
                e.getMessage());
    }
}
