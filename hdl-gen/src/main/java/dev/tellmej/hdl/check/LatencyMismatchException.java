package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/**
 * A pipeline's derived latency differs from the figure a unit documents (its {@code LATENCY} constant), so
 * the constant, the documentation or the pipeline is wrong ({@link dev.tellmej.hdl.lib.Timed#flow(int)}).
 */
public final class LatencyMismatchException extends HdlException {
    public LatencyMismatchException(SourceLocation location, String message) {
        super(location, "latency", message);
    }
}
