package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/**
 * A register or memory that belongs to one process ({@code dev.tellmej.hdl.Area}) is written from another
 * process or from outside any: only the owner decides a register's next state.
 */
public final class AreaOwnershipException extends HdlException {
    public AreaOwnershipException(SourceLocation location, String message) {
        super(location, "area ownership", message);
    }
}
