package dev.tellmej.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.KernelReport;
import dev.tellmej.hdl.Design;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The last {@code tellme report accelerator} synthesis of a build (or of one unit of it), kept in the cache folder as
 * {@code report-accelerator-BUILD[-UNIT]-MODE.json} with the {@link Key} of what was synthesized, so that
 * {@code --reuse} can skip a Yosys run of minutes (hours flattened) when nothing it depends on changed. A saved
 * result is used only when its key equals the current one: the same build (name and {@link AcceleratorConfig#hash()}),
 * unit and mode, the same Verilog (the generator's whole output, hashed) and the same Yosys; anything else is
 * stale and the command synthesizes again. Each run replaces the file, and nothing else writes there.
 */
final class SavedSynthesis {
    /** Jackson as {@link Json} writes: every field present, enums in lower case. */
    private static final ObjectReader READER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS).build().reader();

    /**
     * Source-line references ({@code // Fp32Add.java:56}, and in assertion messages): they follow every edit of the
     * Java above them, not the logic, so the Verilog's hash leaves out their line numbers.
     */
    private static final Pattern SOURCE_LINE = Pattern.compile("(\\.java):\\d+");

    private SavedSynthesis() {}

    /**
     * What a synthesis result depends on.
     *
     * @param config         the build's name
     * @param config_sha256  its {@link AcceleratorConfig#hash()}, hex
     * @param unit           the unit synthesized alone, or null for the whole kernel
     * @param synthesis      flattened or hierarchical
     * @param verilog_sha256 SHA-256 of the kernel's Verilog (every file the generator writes, in order, with the
     *                       line numbers of its source-line references left out), hex
     * @param yosys          the Yosys that synthesized it ({@code yosys -V})
     */
    record Key(String config, String config_sha256, String unit, KernelReport.Synthesis synthesis,
            String verilog_sha256, String yosys) {}

    /**
     * The saved file.
     *
     * @param key      what the result was made from
     * @param saved_at when it was saved ({@code 2025-12-03 10:42 UTC})
     * @param result   the synthesis result, as {@code report accelerator --json} prints it
     */
    record Saved(Key key, String saved_at, KernelReport.Result result) {}

    /** A saved result that can be used, or why there is none. */
    sealed interface Lookup {
        /** The saved result of the same key. */
        record Found(Saved saved) implements Lookup {}

        /** None usable: {@code reason} says why, in words. */
        record Unusable(String reason) implements Lookup {}
    }

    /** {@code report-accelerator-BUILD[-UNIT]-MODE.json} in the cache folder {@code cacheDir}. */
    static Path file(Path cacheDir, String config, String unit, KernelReport.Synthesis synthesis) {
        return cacheDir.resolve("report-accelerator-" + config + (unit == null ? "" : "-" + unit) + "-"
                + synthesis.name().toLowerCase(Locale.ROOT) + ".json");
    }

    /** The key of synthesizing {@code unit} (null: the whole kernel) of {@code design}, the kernel of {@code config}. */
    static Key key(AcceleratorConfig config, Design<?> design, String unit, KernelReport.Synthesis synthesis,
                   String yosys) {
        return new Key(config.name(), HexFormat.of().formatHex(config.hash()), unit, synthesis,
                verilogSha256(design.verilogFiles(design.topName())), yosys);
    }

    /** SHA-256 of the files (name, then text without source-line numbers), hex. */
    static String verilogSha256(Map<String, String> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, String> file : files.entrySet()) {
                digest.update((file.getKey() + "\n").getBytes(StandardCharsets.UTF_8));
                String text = SOURCE_LINE.matcher(file.getValue()).replaceAll("$1");
                digest.update((text.length() + "\n" + text).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Writes {@code saved} to {@code file}, whole or not at all (a temporary file moved over it). */
    static void save(Path file, Saved saved) {
        try {
            Path folder = file.toAbsolutePath().getParent();
            Files.createDirectories(folder);
            Path partial = Files.createTempFile(folder, file.getFileName().toString(), ".part");
            try {
                Files.writeString(partial, Json.write(saved));
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the synthesis result to " + file, e);
        }
    }

    /**
     * The result saved in {@code file}.
     *
     * @throws IOException when the file cannot be read or is not a saved synthesis (Jackson's message names the
     *                     field)
     */
    static Saved read(Path file) throws IOException {
        try {
            Saved saved = READER.readValue(file.toFile(), Saved.class);
            if (saved.key() == null || saved.result() == null) {
                throw new IOException(file + ": not a saved report accelerator synthesis (no key or no result)");
            }
            return saved;
        } catch (JacksonException e) {
            throw new IOException(file + ": not a saved report accelerator synthesis: " + e.getOriginalMessage(), e);
        }
    }

    /** The result saved in {@code file} when it was made from {@code key}; otherwise why it cannot be used. */
    static Lookup find(Path file, Key key) {
        if (!Files.isRegularFile(file)) {
            return new Lookup.Unusable("no synthesis saved at " + file);
        }
        Saved saved;
        try {
            saved = read(file);
        } catch (IOException e) {
            return new Lookup.Unusable(e.getMessage());
        }
        Key old = saved.key();
        if (old.equals(key)) {
            return new Lookup.Found(saved);
        }
        String what = !old.config().equals(key.config()) || !old.config_sha256().equals(key.config_sha256())
                ? "another configuration (its hash " + shortHash(old.config_sha256()) + ", now "
                        + shortHash(key.config_sha256()) + ")"
                : !java.util.Objects.equals(old.unit(), key.unit()) || old.synthesis() != key.synthesis()
                        ? "another unit or mode"
                        : !old.verilog_sha256().equals(key.verilog_sha256())
                                ? "other Verilog (its SHA-256 " + shortHash(old.verilog_sha256()) + ", now "
                                        + shortHash(key.verilog_sha256()) + ": the generator changed since)"
                                : "another Yosys ('" + old.yosys() + "', now '" + key.yosys() + "')";
        return new Lookup.Unusable("the synthesis saved at " + file + " (" + saved.saved_at() + ") was made from "
                + what);
    }

    /** The first 16 hex digits. */
    static String shortHash(String hex) {
        return hex.length() <= 16 ? hex : hex.substring(0, 16);
    }
}
