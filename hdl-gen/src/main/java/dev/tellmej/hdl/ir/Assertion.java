package dev.tellmej.hdl.ir;

/**
 * A simulation-only check: on every clock edge of {@code domain} outside reset, {@code condition} must hold.
 * The emitter writes it under {@code `ifndef SYNTHESIS}, so synthesis never sees it, and a failure stops the
 * simulation with {@code message} and the Java source line.
 *
 * @param condition a Bool expression over the module's own signals
 * @param message   what the condition means, in words ("credits never exceed the FIFO depth")
 * @param domain    the clock domain that samples it
 * @param area      the process that stated it, or null
 * @param location  where it was stated
 */
public record Assertion(Expr condition, String message, ClockDomainNode domain, AreaNode area,
        SourceLocation location) {
    public Assertion {
        if (condition.width() != 1) {
            throw new IllegalArgumentException("an assertion's condition is one bit, got " + condition.type());
        }
    }
}
