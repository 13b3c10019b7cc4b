package dev.tellmej.model;

import java.nio.file.Path;

/**
 * The file breaks its format: truncated, wrong magic, sizes that disagree, absurd dimensions, offsets out of
 * range, or metadata of the wrong type.
 */
public final class MalformedModelException extends ModelFileException {
    public MalformedModelException(Path file, String field, long offset, String problem) {
        super(file, field, offset, problem);
    }
}
