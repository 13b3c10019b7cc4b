package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;
import java.util.List;

/**
 * Signals that depend on themselves without a register in between. The message lists the whole loop,
 * across module boundaries, each step with its module path and source line.
 */
public final class CombinationalLoopException extends HdlException {
    private final List<String> loop;

    public CombinationalLoopException(SourceLocation location, List<String> loop) {
        super(location, "combinational loop", String.join(" -> ", loop) + " -> " + loop.getFirst());
        this.loop = List.copyOf(loop);
    }

    /** The signals of the loop in dependency order, each as {@code path.signal (File.java:line)}. */
    public List<String> loop() {
        return loop;
    }
}
