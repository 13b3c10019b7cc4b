package dev.tellmej.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the workplace's shared model folder ({@code ../shared/models} beside the repository). */
public final class SharedModels {
    private SharedModels() {}

    /**
     * The shared models directory. Looked up from the system property {@code tellme.shared.models}, then
     * {@code <repo>/../shared/models}.
     *
     * @throws IllegalStateException when it cannot be found (tests that need it must fail, not skip)
     */
    public static Path dir() {
        String configured = System.getProperty("tellme.shared.models");
        if (configured != null) {
            return existing(Path.of(configured));
        }
        Path root = Path.of(System.getProperty("tellme.repo.root", "..")).toAbsolutePath().normalize();
        return existing(root.resolveSibling("shared").resolve("models"));
    }

    /** A file in the shared models directory. */
    public static Path file(String name) {
        Path file = dir().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("shared model file " + file + " is missing");
        }
        return file;
    }

    private static Path existing(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("shared models folder " + dir + " not found; set -Dtellme.shared.models=DIR");
        }
        return dir;
    }
}
