package dev.tellmej.hdl.ir;

import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.ReadUnderWrite;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A memory of {@code depth} words of {@code wordType}, owned by one module, with its read ports and its
 * configuration. Writes are {@link Stmt.MemWrite} statements; reads are {@link Expr.MemRead} expressions,
 * registered ones assigned to the read port's first register.
 */
public final class MemoryNode {
    private final String name;
    private final HwType wordType;
    private final int depth;
    private final ModuleNode owner;
    private final SourceLocation location;
    private final ClockDomainNode domain;
    private AreaNode area;
    private RamStyle style = RamStyle.AUTO;
    private ReadUnderWrite readUnderWrite = ReadUnderWrite.READ_FIRST;
    private List<BigInteger> initialContents;
    private final List<ReadPort> readPorts = new ArrayList<>();
    private final List<SourceLocation> writePorts = new ArrayList<>();

    /**
     * A read port.
     *
     * @param latency   0 for an asynchronous read; otherwise the cycles from address to data
     * @param registers for a synchronous read, the registers in order (the read register first)
     * @param location  where the port was made
     */
    public record ReadPort(int latency, List<Signal> registers, SourceLocation location) {
        public boolean synchronous() {
            return latency > 0;
        }
    }

    public MemoryNode(String name, HwType wordType, int depth, ModuleNode owner, SourceLocation location,
            ClockDomainNode domain) {
        this.name = name;
        this.wordType = wordType;
        this.depth = depth;
        this.owner = owner;
        this.location = location;
        this.domain = domain;
    }

    /** The process (area) the memory was made in, or null for one made directly in the module. */
    public AreaNode area() {
        return area;
    }

    public void setArea(AreaNode area) {
        this.area = area;
    }

    public String name() {
        return name;
    }

    public HwType wordType() {
        return wordType;
    }

    public int depth() {
        return depth;
    }

    /** Address width: enough bits for {@code depth - 1}, at least 1. */
    public int addressWidth() {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(depth - 1));
    }

    public ModuleNode owner() {
        return owner;
    }

    public SourceLocation location() {
        return location;
    }

    /** The domain whose clock writes and registered reads use. */
    public ClockDomainNode domain() {
        return domain;
    }

    public RamStyle style() {
        return style;
    }

    public void setStyle(RamStyle style) {
        this.style = style;
    }

    public ReadUnderWrite readUnderWrite() {
        return readUnderWrite;
    }

    public void setReadUnderWrite(ReadUnderWrite policy) {
        this.readUnderWrite = policy;
    }

    /** Initial words (index = address), or null when the memory starts undefined. */
    public List<BigInteger> initialContents() {
        return initialContents;
    }

    public void setInitialContents(List<BigInteger> words) {
        this.initialContents = List.copyOf(words);
    }

    public List<ReadPort> readPorts() {
        return readPorts;
    }

    public List<SourceLocation> writePorts() {
        return writePorts;
    }

    /** Total bits. */
    public long bits() {
        return (long) depth * wordType.width();
    }
}
