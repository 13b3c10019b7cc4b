package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** A signal, or some of its bits, is read or exported but never assigned. */
public final class UndrivenSignalException extends HdlException {
    public UndrivenSignalException(SourceLocation location, String message) {
        super(location, "undriven", message);
    }
}
