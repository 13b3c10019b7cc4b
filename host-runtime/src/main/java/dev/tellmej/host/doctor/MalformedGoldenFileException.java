package dev.tellmej.host.doctor;

/**
 * The recorded golden run ({@link GoldenTokens}) cannot be read: a line that is not {@code key: ids}, an id that
 * is not a number, or a missing line. The message names the source and the line.
 */
public final class MalformedGoldenFileException extends RuntimeException {
    /**
     * @param source  where the file was read (a resource name or a path)
     * @param problem what is wrong, with its line
     */
    public MalformedGoldenFileException(String source, String problem) {
        super(source + ": " + problem);
    }
}
