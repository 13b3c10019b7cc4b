package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** A name that is a Verilog or SystemVerilog keyword, or not a legal Verilog identifier. */
public final class ReservedNameException extends HdlException {
    public ReservedNameException(SourceLocation location, String message) {
        super(location, "reserved name", message);
    }
}
