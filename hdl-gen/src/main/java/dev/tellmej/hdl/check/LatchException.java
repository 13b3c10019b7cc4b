package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** A combinational signal is not assigned on every path, so it would hold its value: a latch. */
public final class LatchException extends HdlException {
    public LatchException(SourceLocation location, String message) {
        super(location, "latch", message);
    }
}
