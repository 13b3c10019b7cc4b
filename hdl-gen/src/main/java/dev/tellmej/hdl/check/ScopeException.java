package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** A module uses a signal that belongs to another module (other than its direct children's ports). */
public final class ScopeException extends HdlException {
    public ScopeException(SourceLocation location, String message) {
        super(location, "scope", message);
    }
}
