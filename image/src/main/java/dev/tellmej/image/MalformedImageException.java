package dev.tellmej.image;

import java.nio.file.Path;

/**
 * A memory image that cannot be run: truncated, corrupted (a checksum differs), of another format version, or
 * with a field out of range. The message names the file, the field and its byte offset, and what to do.
 */
public final class MalformedImageException extends RuntimeException {
    private final transient Path path;
    private final String field;
    private final long offset;

    public MalformedImageException(Path path, String field, long offset, String problem) {
        super(path + ": " + field + " (byte " + offset + "): " + problem);
        this.path = path;
        this.field = field;
        this.offset = offset;
    }

    /** The image file. */
    public Path path() {
        return path;
    }

    /** The field or section that is wrong. */
    public String field() {
        return field;
    }

    /** Its byte offset in the file. */
    public long offset() {
        return offset;
    }
}
