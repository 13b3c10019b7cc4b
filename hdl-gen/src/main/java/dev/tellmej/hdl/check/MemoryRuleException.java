package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** A memory's configuration breaks the vendor rules of its RAM style (for example URAM with initial contents). */
public final class MemoryRuleException extends HdlException {
    public MemoryRuleException(SourceLocation location, String message) {
        super(location, "memory rule", message);
    }
}
