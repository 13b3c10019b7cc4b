package dev.tellmej.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tellmej.accel.sim.AcceleratorBenchmark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The last {@code tellme bench accelerator} result of a build, kept in the cache folder as
 * {@code bench-accelerator-BUILD.json} (the command's {@code --json} document), so that {@code tellme demo} can
 * show the KV260 projection without simulating the kv260 kernel for half an hour. The file is the command's own:
 * each run replaces it, and nothing else writes there.
 */
final class SavedProjection {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** Every field of the record must be there (a missing number is an error, not 0). */
    private static final ObjectReader READER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build().reader();

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
     * The headline of the result saved in {@code file}: the file read back as the {@link AcceleratorBenchmark.Result}
     * it was written from.
     *
     * @throws IOException when the file cannot be read or is not a {@code bench accelerator} result (Jackson's
     *                     message names the field)
     */
    static Headline read(Path file) throws IOException {
        AcceleratorBenchmark.Result result = result(file);
        AcceleratorBenchmark.DecodeLine decode = result.decode().getFirst();
        AcceleratorBenchmark.PrefillLine longest = result.prefill().stream()
                .filter(p -> p.clock_mhz() == decode.clock_mhz() && p.ddr_gbps() == decode.ddr_gbps())
                .max(Comparator.comparingInt(AcceleratorBenchmark.PrefillLine::tokens))
                .orElseThrow(() -> new IOException(file + ": no prefill line at the headline setting"));
        List<String> references = result.references() == null ? List.of()
                : result.references().stream().map(SavedProjection::phrase).toList();
        return new Headline(result.model(), result.layers(), decode.clock_mhz(), decode.ddr_gbps(), decode.context(),
                decode.tokens_per_s(), decode.of_roofline(), decode.ddr_busy(), longest.tokens(),
                longest.tokens_per_s(), longest.ttft_s(), references, Files.getLastModifiedTime(file).toInstant());
    }

    /**
     * The {@link AcceleratorBenchmark.Result} saved in {@code file}, with at least one decode line and a list of
     * prefill lines.
     *
     * @throws IOException when the file cannot be read or is not a {@code bench accelerator} result (Jackson's
     *                     message names the field)
     */
    static AcceleratorBenchmark.Result result(Path file) throws IOException {
        AcceleratorBenchmark.Result result;
        try {
            result = READER.readValue(file.toFile(), AcceleratorBenchmark.Result.class);
        } catch (JacksonException e) {
            throw new IOException(file + ": not a bench accelerator result: " + e.getOriginalMessage(), e);
        }
        if (result.decode() == null || result.decode().isEmpty() || result.prefill() == null) {
            throw new IOException(file + ": no decode line");
        }
        return result;
    }

    /** When {@code file} was written, as the report and the demo print it ({@code 2025-12-02 17:43 UTC}). */
    static String when(Instant instant) {
        return WHEN.format(instant);
    }

    /** "TeLLMe decode 25.0, prefill 143, TTFT 0.45-0.96 s": the figures a reference publishes. */
    private static String phrase(AcceleratorBenchmark.Reference reference) {
        StringBuilder phrase = new StringBuilder(reference.name());
        if (reference.decode_tokens_per_s() != null) {
            phrase.append(String.format(Locale.ROOT, " decode %.1f", reference.decode_tokens_per_s()));
        }
        if (reference.prefill_tokens_per_s() != null) {
            phrase.append(String.format(Locale.ROOT, ", prefill %.0f", reference.prefill_tokens_per_s()));
        }
        if (reference.ttft_s() != null) {
            phrase.append(", TTFT ").append(reference.ttft_s()).append(" s");
        }
        return phrase.toString();
    }
}
