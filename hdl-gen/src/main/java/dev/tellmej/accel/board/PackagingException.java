package dev.tellmej.accel.board;

/** A build cannot be packaged for a platform as asked (too many ports, an impossible clock); nothing is written. */
public final class PackagingException extends RuntimeException {
    public PackagingException(String message) {
        super(message);
    }
}
