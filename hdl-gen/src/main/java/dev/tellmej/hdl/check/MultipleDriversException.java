package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** A signal is driven from more than one place (an input driven from inside, an instance output assigned again). */
public final class MultipleDriversException extends HdlException {
    public MultipleDriversException(SourceLocation location, String message) {
        super(location, "multiple drivers", message);
    }
}
