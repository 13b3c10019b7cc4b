package dev.tellmej.hdl;

/**
 * Where synthesis should put a memory. Emitted as the {@code ram_style} attribute and checked against the
 * vendor's rules when the design is elaborated (see {@link dev.tellmej.hdl.check.MemoryRuleCheck}).
 */
public enum RamStyle {
    /**
     * UltraRAM (URAM288: 4,096 x 72 bits per primitive). One clock, no initial contents, synchronous read
     * with at least one output register (read latency at least 2).
     */
    ULTRA("ultra"),
    /** Block RAM (RAMB36E2 / RAMB18E2). Synchronous read; initial contents allowed. */
    BLOCK("block"),
    /** LUT RAM. Synchronous or asynchronous read. */
    DISTRIBUTED("distributed"),
    /** Flip-flops. Synchronous or asynchronous read. */
    REGISTERS("registers"),
    /** No attribute: the synthesis tool decides. Synchronous or asynchronous read. */
    AUTO(null);

    private final String attributeValue;

    RamStyle(String attributeValue) {
        this.attributeValue = attributeValue;
    }

    /** The value of the {@code ram_style} attribute, or null when none is emitted. */
    public String attributeValue() {
        return attributeValue;
    }

    /** True when the style allows a read port without a register. */
    public boolean allowsAsyncRead() {
        return this == DISTRIBUTED || this == REGISTERS || this == AUTO;
    }
}
