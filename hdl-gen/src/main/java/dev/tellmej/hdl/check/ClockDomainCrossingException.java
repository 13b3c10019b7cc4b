package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/** A register samples a signal of another clock domain without a synchronizer. */
public final class ClockDomainCrossingException extends HdlException {
    public ClockDomainCrossingException(SourceLocation location, String message) {
        super(location, "clock-domain crossing", message);
    }
}
