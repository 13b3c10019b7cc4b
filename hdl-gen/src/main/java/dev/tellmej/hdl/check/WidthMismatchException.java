package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** Operand, assignment or literal widths do not fit the width rules (see the Data classes). */
public final class WidthMismatchException extends HdlException {
    public WidthMismatchException(SourceLocation location, String message) {
        super(location, "width mismatch", message);
    }
}
