package dev.tellmej.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The workplace's shared model folder ({@code ../shared/models} beside the repository), for CLI tests. */
final class SharedModelsDir {
    private SharedModelsDir() {}

    static String file(String name) {
        Path root = Path.of(System.getProperty("tellme.repo.root", "..")).toAbsolutePath().normalize();
        Path file = root.resolveSibling("shared").resolve("models").resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("shared model file " + file + " is missing");
        }
        return file.toString();
    }
}
