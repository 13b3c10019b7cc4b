package dev.tellmej.model.packed;

import java.nio.file.Path;

/**
 * A packed-weight cache file cannot be used: truncated, not one this tool wrote, written for another file or
 * kernel, or its checksums disagree. The cache treats it as missing and writes it again.
 */
public final class CorruptPackedCacheException extends RuntimeException {
    private final transient Path file;

    public CorruptPackedCacheException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The cache file. */
    public Path file() {
        return file;
    }
}
