package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** A generator was given parameters it cannot build (a FIFO of depth 0, a table wider than its word). */
public final class InvalidParameterException extends HdlException {
    public InvalidParameterException(SourceLocation location, String message) {
        super(location, "invalid parameter", message);
    }
}
