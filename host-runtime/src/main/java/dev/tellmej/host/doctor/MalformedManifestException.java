package dev.tellmej.host.doctor;

import java.nio.file.Path;

/**
 * A build manifest ({@code tellme-build.json}) that cannot be read: not JSON, or a field missing or of the wrong
 * type. The message names the file and the field.
 */
public final class MalformedManifestException extends RuntimeException {
    private final transient Path file;

    /**
     * @param file    the manifest
     * @param problem what is wrong with it
     */
    public MalformedManifestException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The manifest. */
    public Path file() {
        return file;
    }
}
