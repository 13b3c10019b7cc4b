package dev.tellmej.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tellmej.accel.sim.AcceleratorBenchmark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The last {@code tellme bench accelerator} result of a build, kept in the cache folder as
 * {@code bench-accelerator-BUILD.json} (the command's {@code --json} document), so that {@code tellme demo} can
 * show the KV260 projection without simulating the kv260 kernel for ten minutes. The file is the command's own:
 * each run replaces it, and nothing else writes there.
 */
final class SavedProjection {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private SavedProjection() {}

    /**
     * What the demo shows of a saved result: its headline setting (the first clock and bandwidth).
     *
     * @param model        the projected model's description
     * @param layers       layers projected
     * @param clockMhz     the headline clock, MHz
     * @param ddrGbps      the headline DDR bandwidth, GB/s
     * @param context      the first decode context, positions
     * @param decode       decode tokens/s at that context
     * @param ofRoofline   decode's share of its DDR roofline, 0 to 1
     * @param ddrBusy      the share of a decode call's cycles in which some port moved data, 0 to 1
     * @param prompt       the longest prefill prompt at the headline setting, tokens
     * @param prefill      prefill tokens/s of that prompt
     * @param ttftSeconds  its time to the first token, seconds
     * @param references   the published figures beside it, one phrase each ("TeLLMe 25 decode, 143 prefill")
     * @param measuredAt   when the file was written
     */
    record Headline(String model, int layers, double clockMhz, double ddrGbps, int context, double decode,
            double ofRoofline, double ddrBusy, int prompt, double prefill, double ttftSeconds,
            List<String> references, Instant measuredAt) {

        /** Two lines for a person. */
        String describe(String build) {
            return String.format(Locale.ROOT, "KV260 projection (the last `tellme bench accelerator --config %s` on"
                    + " this machine, %s): %s, %d layers, at %.0f MHz and %.1f GB/s:%n  decode %.1f tokens/s at"
                    + " context %d (%.0f %% of its DDR roofline, the DDR busy %.0f %%); prefill of %d tokens %.1f"
                    + " tokens/s, TTFT %.2f s.%n  Published: %s.", build, WHEN.format(measuredAt), model, layers,
                    clockMhz, ddrGbps, decode, context, 100 * ofRoofline, 100 * ddrBusy, prompt, prefill,
                    ttftSeconds, String.join("; ", references));
        }
    }

    /** The file of build {@code build} in the cache folder {@code cacheDir}. */
    static Path file(Path cacheDir, String build) {
        return cacheDir.resolve("bench-accelerator-" + build + ".json");
    }

    /** Writes {@code result} to {@code file}, whole or not at all (a temporary file moved over it). */
    static void save(Path file, AcceleratorBenchmark.Result result) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path partial = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(),
                    ".part");
            try {
                Files.writeString(partial, Json.write(result));
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the result to " + file, e);
        }
    }

    /**
     * The headline of the result saved in {@code file}.
     *
     * @throws IOException when the file cannot be read or is not a {@code bench accelerator} result (the message
     *                     says which field is missing)
     */
    static Headline read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        JsonNode decode = first(file, root, "decode");
        double clock = number(file, decode, "clock_mhz");
        double gbps = number(file, decode, "ddr_gbps");
        JsonNode longest = null;
        for (JsonNode line : array(file, root, "prefill")) {
            if (number(file, line, "clock_mhz") == clock && number(file, line, "ddr_gbps") == gbps
                    && (longest == null || number(file, line, "tokens") > number(file, longest, "tokens"))) {
                longest = line;
            }
        }
        if (longest == null) {
            throw new IOException(file + ": no prefill line at the headline setting");
        }
        List<String> references = new ArrayList<>();
        for (JsonNode reference : array(file, root, "references")) {
            StringBuilder phrase = new StringBuilder(reference.path("name").asText("?"));
            if (reference.path("decode_tokens_per_s").isNumber()) {
                phrase.append(String.format(Locale.ROOT, " decode %.1f",
                        reference.get("decode_tokens_per_s").asDouble()));
            }
            if (reference.path("prefill_tokens_per_s").isNumber()) {
                phrase.append(String.format(Locale.ROOT, ", prefill %.0f",
                        reference.get("prefill_tokens_per_s").asDouble()));
            }
            if (reference.path("ttft_s").isTextual()) {
                phrase.append(", TTFT ").append(reference.get("ttft_s").asText()).append(" s");
            }
            references.add(phrase.toString());
        }
        return new Headline(text(file, root, "model"), (int) number(file, root, "layers"), clock, gbps,
                (int) number(file, decode, "context"), number(file, decode, "tokens_per_s"),
                number(file, decode, "roofline_tokens_per_s") > 0
                        ? number(file, decode, "tokens_per_s") / number(file, decode, "roofline_tokens_per_s") : 0,
                number(file, decode, "ddr_busy"), (int) number(file, longest, "tokens"),
                number(file, longest, "tokens_per_s"), number(file, longest, "ttft_s"), references,
                Files.getLastModifiedTime(file).toInstant());
    }

    private static JsonNode array(Path file, JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new IOException(file + ": no array \"" + field + "\"");
        }
        return value;
    }

    private static JsonNode first(Path file, JsonNode node, String field) throws IOException {
        JsonNode value = array(file, node, field);
        if (value.isEmpty()) {
            throw new IOException(file + ": \"" + field + "\" is empty");
        }
        return value.get(0);
    }

    private static double number(Path file, JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IOException(file + ": no number \"" + field + "\"");
        }
        return value.asDouble();
    }

    private static String text(Path file, JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IOException(file + ": no text \"" + field + "\"");
        }
        return value.asText();
    }
}
