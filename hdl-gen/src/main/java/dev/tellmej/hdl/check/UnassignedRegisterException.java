package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** A register that no statement assigns: it would hold its reset value (or nothing) forever. */
public final class UnassignedRegisterException extends HdlException {
    public UnassignedRegisterException(SourceLocation location, String message) {
        super(location, "register never assigned", message);
    }
}
