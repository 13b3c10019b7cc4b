package dev.tellmej.hdl.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tellmej.hdl.Design;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

/**
 * Golden-file comparison of emitted Verilog against {@code src/test/resources/golden/<label>/}. After an
 * intended change, regenerate with {@code scripts/test -pl hdl-gen -Dgolden.update=true} and review the diff.
 */
public final class Golden {
    private static final Path ROOT = Path.of("src", "test", "resources", "golden");

    private Golden() {}

    public static void assertMatches(Design<?> design, String label) {
        Path dir = ROOT.resolve(label);
        try {
            if (Boolean.getBoolean("golden.update")) {
                Files.createDirectories(dir);
                try (var old = Files.list(dir)) {
                    for (Path file : old.toList()) {
                        Files.delete(file);
                    }
                }
                for (Map.Entry<String, String> definition : design.definitions().entrySet()) {
                    Files.writeString(dir.resolve(definition.getKey() + ".v"), definition.getValue());
                }
                return;
            }
            if (!Files.isDirectory(dir)) {
                fail("no golden files for " + label + " in " + dir.toAbsolutePath() + "; run with -Dgolden.update=true");
            }
            TreeSet<String> expectedNames = new TreeSet<>();
            try (var files = Files.list(dir)) {
                files.forEach(file -> expectedNames.add(file.getFileName().toString().replaceFirst("\\.v$", "")));
            }
            assertEquals(expectedNames, new TreeSet<>(design.definitions().keySet()), "module definitions of " + label);
            for (Map.Entry<String, String> definition : design.definitions().entrySet()) {
                String expected = Files.readString(dir.resolve(definition.getKey() + ".v"));
                assertEquals(expected, definition.getValue(), "golden " + label + "/" + definition.getKey()
                        + ".v differs (regenerate with -Dgolden.update=true if the change is intended)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
