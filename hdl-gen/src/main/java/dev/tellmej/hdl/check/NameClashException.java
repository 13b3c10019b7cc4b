package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** Two signals, memories or instances of one module share a name. */
public final class NameClashException extends HdlException {
    public NameClashException(SourceLocation location, String message) {
        super(location, "name clash", message);
    }
}
