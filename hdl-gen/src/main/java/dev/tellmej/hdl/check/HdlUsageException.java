package dev.tellmej.hdl.check;

/**
 * The HDL's Java API was used in a way that cannot describe hardware at all (a type template used as a
 * value, hardware described outside an elaboration, assignment to an expression). Thrown at once, like
 * an {@link IllegalStateException}; design errors are collected and reported together instead.
 */
public final class HdlUsageException extends RuntimeException {
    public HdlUsageException(String message) {
        super(message);
    }
}
