package dev.tellmej.host.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the doctor reads the machine's state: {@code /proc}, {@code /sys}, {@code /etc} and {@code /opt} under a
 * root, which is {@code /} on a real machine and a folder of sample files in the tests.
 *
 * @param root the folder standing for {@code /}
 */
public record SystemFiles(Path root) {
    /** The machine's own files. */
    public static SystemFiles real() {
        return new SystemFiles(Path.of("/"));
    }

    /** {@code absolute} (a path such as {@code /proc/meminfo}) under the root. */
    public Path resolve(String absolute) {
        return root.resolve(absolute.startsWith("/") ? absolute.substring(1) : absolute);
    }

    /** The text of {@code absolute}, or empty when it is missing or unreadable. */
    public Optional<String> read(String absolute) {
        try {
            return Optional.of(Files.readString(resolve(absolute), StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** True when {@code absolute} exists under the root. */
    public boolean exists(String absolute) {
        return Files.exists(resolve(absolute));
    }
}
