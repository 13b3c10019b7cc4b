package dev.tellmej.host.doctor;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The build manifest the board flow writes beside the xclbin ({@code tellme-build.json}, hdl-gen's
 * {@code BuildManifest}): what the xclbin was built from, so that an image can be matched with it.
 *
 * @param kernel           the kernel's name ({@code tellme})
 * @param config           the accelerator build's name ({@code kv260})
 * @param configHash       the build's configuration hash, lowercase hex SHA-256 ({@code AcceleratorConfig.hash()},
 *                         what an image records at header offset 96)
 * @param clockMhz         the kernel clock the link asked for (MHz)
 * @param platform         the Vitis platform
 * @param generatorVersion the TeLLMe-J version that generated the RTL
 */
public record XclbinManifest(String kernel, String config, String configHash, double clockMhz, String platform,
                             String generatorVersion) {
    /** The manifest's file name, beside the xclbin. */
    public static final String FILE_NAME = "tellme-build.json";

    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The manifest beside {@code xclbin}. */
    public static Path beside(Path xclbin) {
        Path parent = xclbin.toAbsolutePath().getParent();
        return parent.resolve(FILE_NAME);
    }

    /**
     * Reads a manifest.
     *
     * @throws MalformedManifestException when it is not JSON, or a field is missing or of the wrong type
     */
    public static XclbinManifest read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new MalformedManifestException(file, "not JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new MalformedManifestException(file, "cannot be read (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedManifestException(file, "not a JSON object", null);
        }
        String hash = text(file, root, "config_hash");
        if (!HEX_SHA256.matcher(hash).matches()) {
            throw new MalformedManifestException(file, "config_hash is not 64 lowercase hex digits: '" + hash + "'",
                    null);
        }
        JsonNode clock = root.get("clock_mhz");
        if (clock == null || !clock.isNumber()) {
            throw new MalformedManifestException(file, "clock_mhz is " + (clock == null ? "missing" : "not a number"),
                    null);
        }
        return new XclbinManifest(text(file, root, "kernel"), text(file, root, "config"), hash, clock.asDouble(),
                text(file, root, "platform"), text(file, root, "generator_version"));
    }

    private static String text(Path file, JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new MalformedManifestException(file, field + " is " + (node == null ? "missing" : "not a string"),
                    null);
        }
        return node.asText();
    }
}
