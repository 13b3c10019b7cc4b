package dev.tellmej.hdl.ir;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named signal of one module: a port, a wire or a register. Its name is what the Verilog shows; names
 * users give are never changed.
 */
public final class Signal {
    private final String name;
    private final HwType type;
    private final SignalRole role;
    private final ModuleNode owner;
    private final SourceLocation location;
    private final Origin origin;
    private final ClockDomainNode domain;
    private BigInteger resetValue;
    private boolean crossingAllowed;
    private AreaNode area;
    private final Map<String, String> attributes = new LinkedHashMap<>();

    /** Why a signal exists: the user declared it, it stands for a child instance's port, or the HDL made it. */
    public enum Origin { USER, INSTANCE_PORT, CLOCK, GENERATED }

    public Signal(String name, HwType type, SignalRole role, ModuleNode owner, SourceLocation location,
            Origin origin, ClockDomainNode domain) {
        if (role == SignalRole.REG && domain == null) {
            throw new IllegalArgumentException("register " + name + " needs a clock domain");
        }
        this.name = name;
        this.type = type;
        this.role = role;
        this.owner = owner;
        this.location = location;
        this.origin = origin;
        this.domain = domain;
    }

    public String name() {
        return name;
    }

    public HwType type() {
        return type;
    }

    public int width() {
        return type.width();
    }

    public SignalRole role() {
        return role;
    }

    public ModuleNode owner() {
        return owner;
    }

    public SourceLocation location() {
        return location;
    }

    public Origin origin() {
        return origin;
    }

    /** The clock domain of a register; null for other signals. */
    public ClockDomainNode domain() {
        return domain;
    }

    /** The reset value of a register (a bit pattern of its width), or null when it has no reset. */
    public BigInteger resetValue() {
        return resetValue;
    }

    public void setResetValue(BigInteger value) {
        if (role != SignalRole.REG) {
            throw new IllegalStateException(name + " is not a register");
        }
        this.resetValue = value;
    }

    /** True for the first register of a synchronizer: reading another clock domain here is intended. */
    public boolean crossingAllowed() {
        return crossingAllowed;
    }

    public void allowCrossing() {
        this.crossingAllowed = true;
    }

    /** The process (area) the signal was declared in, or null for one declared directly in the module. */
    public AreaNode area() {
        return area;
    }

    public void setArea(AreaNode area) {
        this.area = area;
    }

    /** Vendor attributes emitted before the declaration, in insertion order ({@code async_reg -> "true"}). */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** {@code count} (Counter.java:12), for messages. */
    public String describe() {
        return role.name().toLowerCase(java.util.Locale.ROOT) + " '" + name + "' of " + owner.definitionHint()
                + " (" + location + ")";
    }

    @Override
    public String toString() {
        return owner.definitionHint() + "." + name;
    }
}
