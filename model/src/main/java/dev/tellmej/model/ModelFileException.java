package dev.tellmej.model;

import java.nio.file.Path;

/**
 * A model file that cannot be used. Every reader failure is one of the two subclasses, and each names the
 * file, the field being read and the byte offset of that field, so a user can find the damage with a hex
 * viewer.
 */
public abstract sealed class ModelFileException extends RuntimeException
        permits MalformedModelException, UnsupportedTensorTypeException {
    private final Path file;
    private final String field;
    private final long offset;

    protected ModelFileException(Path file, String field, long offset, String problem) {
        super(file + ": " + field + " at byte " + offset + ": " + problem);
        this.file = file;
        this.field = field;
        this.offset = offset;
    }

    /** The file that was being read. */
    public Path file() {
        return file;
    }

    /** The field (header item, metadata key or tensor name and attribute) that is wrong. */
    public String field() {
        return field;
    }

    /** The byte offset of that field in the file (0 when the problem concerns the whole file). */
    public long offset() {
        return offset;
    }
}
