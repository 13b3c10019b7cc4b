package dev.tellmej.accel.board;

import dev.tellmej.accel.config.AcceleratorConfig;
import java.util.HexFormat;

/**
 * What an xclbin was built from, written beside it as {@code tellme-build.json} by the packaging and carried in the
 * board bundle, so that {@code tellme doctor} can tell whether an image (which records its configuration hash) runs
 * on it. JSON fields: {@code kernel}, {@code config}, {@code config_hash} (lowercase hex SHA-256,
 * {@link AcceleratorConfig#hash()}), {@code clock_mhz}, {@code platform}, {@code generator_version}.
 *
 * @param kernel            the kernel's name ({@code tellme})
 * @param config            the build's configuration name ({@code kv260})
 * @param configHash        the configuration's hash, lowercase hex
 * @param clockMhz          the kernel clock asked of the link (MHz)
 * @param platform          the Vitis platform's name
 * @param generatorVersion  the TeLLMe-J version that wrote the RTL
 */
public record BuildManifest(String kernel, String config, String configHash, int clockMhz, String platform,
        String generatorVersion) {
    /** The manifest's file name. */
    public static final String FILE_NAME = "tellme-build.json";

    /** The manifest of {@code config}'s kernel linked on {@code platform} at {@code clockMhz}. */
    public static BuildManifest of(String kernel, AcceleratorConfig config, VitisPlatform platform, int clockMhz,
            String generatorVersion) {
        return new BuildManifest(kernel, config.name(), HexFormat.of().formatHex(config.hash()), clockMhz,
                platform.name(), generatorVersion);
    }

    /** The manifest as JSON, one field a line. */
    public String json() {
        return "{\n"
                + "  \"kernel\": " + string(kernel) + ",\n"
                + "  \"config\": " + string(config) + ",\n"
                + "  \"config_hash\": " + string(configHash) + ",\n"
                + "  \"clock_mhz\": " + clockMhz + ",\n"
                + "  \"platform\": " + string(platform) + ",\n"
                + "  \"generator_version\": " + string(generatorVersion) + "\n"
                + "}\n";
    }

    private static String string(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
