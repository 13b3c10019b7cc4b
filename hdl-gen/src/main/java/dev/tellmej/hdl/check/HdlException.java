package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.SourceLocation;

/**
 * A design error found while elaborating or checking hardware. Each rule has its own subclass, so a test
 * can assert exactly which rule fired; every error carries the Java source location of the offending
 * statement, and its message starts with it ({@code Counter.java:12: latch: ...}).
 */
public abstract sealed class HdlException extends RuntimeException
        permits WidthMismatchException, UndrivenSignalException, MultipleDriversException, LatchException,
                CombinationalLoopException, UnassignedRegisterException, ReservedNameException,
                ClockDomainCrossingException, MemoryRuleException, NameClashException, ScopeException,
                InvalidParameterException, AreaOwnershipException, LatencyMismatchException {
    private final SourceLocation location;
    private final String rule;
    private final String detail;

    protected HdlException(SourceLocation location, String rule, String detail) {
        super(location + ": " + rule + ": " + detail, null, false, false);
        this.location = location;
        this.rule = rule;
        this.detail = detail;
    }

    /** The Java file and line of the offending statement or declaration. */
    public SourceLocation location() {
        return location;
    }

    /** The rule's short name, for example {@code "latch"}. */
    public String rule() {
        return rule;
    }

    /** The message without the location and rule prefix. */
    public String detail() {
        return detail;
    }
}
