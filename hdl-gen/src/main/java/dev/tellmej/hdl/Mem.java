package dev.tellmej.hdl;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.HwType;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.SourceLocation;
import dev.tellmej.hdl.ir.Stmt;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A memory of {@code depth} words, made with {@link Hdl#mem}. Writes happen on the clock edge of the clock
 * domain current when the memory was made; their enable is the condition of the enclosing {@code when}s.
 * Reads are asynchronous ({@link #readAsync}, distributed or register memories only) or synchronous with a
 * read latency ({@link #readSync}).
 *
 * <p>The RAM style and the rules it implies are checked when the design is elaborated:
 * {@link RamStyle#ULTRA} needs a single clock, no initial contents and read latency of at least 2 (the read
 * register and one output register); {@link RamStyle#BLOCK} needs synchronous reads.
 *
 * @param <T> the word type
 */
public final class Mem<T extends Data> {
    private final MemoryNode node;
    private final T wordTemplate;

    Mem(MemoryNode node, T wordTemplate) {
        this.node = node;
        this.wordTemplate = wordTemplate;
    }

    public MemoryNode node() {
        return node;
    }

    /** Number of words. */
    public int depth() {
        return node.depth();
    }

    /** Address width in bits (at least 1). */
    public int addressWidth() {
        return node.addressWidth();
    }

    /** Where synthesis should put it; emitted as {@code ram_style}. */
    public Mem<T> style(RamStyle style) {
        node.setStyle(style);
        return this;
    }

    /** What a synchronous read returns when the same cycle writes its address (default READ_FIRST). */
    public Mem<T> readUnderWrite(ReadUnderWrite policy) {
        node.setReadUnderWrite(policy);
        return this;
    }

    /** Initial contents from address 0; missing words start at zero. Not allowed for ULTRA. */
    public Mem<T> init(long... words) {
        List<BigInteger> values = new ArrayList<>(words.length);
        for (long word : words) {
            values.add(BigInteger.valueOf(word));
        }
        return init(values);
    }

    /** Initial contents from address 0 (non-negative bit patterns); missing words start at zero. */
    public Mem<T> init(List<BigInteger> words) {
        if (words.size() > node.depth()) {
            Elaboration.widthError("memory " + node.name() + " has " + node.depth() + " words but "
                    + words.size() + " initial values were given");
            return this;
        }
        List<BigInteger> checked = new ArrayList<>(words.size());
        for (BigInteger word : words) {
            BigInteger bits = Hdl.literalBits(word, node.wordType(), "initial word of " + node.name());
            checked.add(bits == null ? BigInteger.ZERO : bits);
        }
        node.setInitialContents(checked);
        return this;
    }

    /** Writes {@code data} at {@code address} on the next clock edge when the enclosing conditions hold. */
    public void write(UInt address, T data) {
        writeMasked(address, data, null);
    }

    /**
     * Writes the lanes of {@code data} whose {@code mask} bit is set: bit i enables bits
     * {@code i*w/m .. (i+1)*w/m - 1} of the word (w the word width, m the mask width, which must divide it).
     */
    public void write(UInt address, T data, Bits mask) {
        writeMasked(address, data, mask);
    }

    private void writeMasked(UInt address, T data, Bits mask) {
        SourceLocation where = Locations.capture();
        checkAddress(address);
        if (!data.type().equals(node.wordType())) {
            Elaboration.widthError("write of " + data.type() + " to memory " + node.name() + " of " + node.wordType());
            return;
        }
        if (mask != null && node.wordType().width() % mask.width() != 0) {
            Elaboration.widthError("write mask of " + mask.width() + " bits does not divide the "
                    + node.wordType().width() + "-bit word of " + node.name());
            return;
        }
        node.writePorts().add(where);
        Elaboration.current().checkOwner(node.area(), "memory '" + node.name() + "'", where);
        Elaboration.current().add(new Stmt.MemWrite(node, address.node(), data.node(), mask == null ? null : mask.node(), where));
    }

    /** The word at {@code address}, without a clock (distributed and register memories only). */
    @SuppressWarnings("unchecked")
    public T readAsync(UInt address) {
        checkAddress(address);
        node.readPorts().add(new MemoryNode.ReadPort(0, List.of(), Locations.capture()));
        return (T) Data.of(new Expr.MemRead(node, address.node()));
    }

    /** A read with latency 1, always enabled. */
    public T readSync(String name, UInt address) {
        return readSync(name, address, Hdl.TRUE, 1);
    }

    /**
     * A registered read: the word at {@code address} appears {@code latency} cycles later. The first register
     * ({@code name}, or {@code name_r0} when there are more) loads only when {@code enable} is true; the
     * output registers after it ({@code name_r1}, ..., the last named {@code name}) advance every cycle.
     *
     * @param latency 1 (read register only) or more (plus output registers)
     */
    @SuppressWarnings("unchecked")
    public T readSync(String name, UInt address, Bool enable, int latency) {
        SourceLocation where = Locations.capture();
        checkAddress(address);
        if (latency < 1) {
            Elaboration.widthError("readSync latency must be at least 1, got " + latency);
            latency = 1;
        }
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame frame = elaboration.frame();
        List<Signal> registers = new ArrayList<>();
        for (int stage = 0; stage < latency; stage++) {
            String stageName = stage == latency - 1 ? name : name + "_r" + stage;
            registers.add(elaboration.declare(frame, stageName, node.wordType(), SignalRole.REG, Signal.Origin.USER,
                    node.domain(), where));
        }
        Expr read = new Expr.MemRead(node, address.node());
        Stmt.Assign load = new Stmt.Assign(registers.getFirst(), 0, node.wordType().width(), read, where);
        if (enable.node() instanceof Expr.Literal literal && literal.value().signum() != 0) {
            elaboration.add(load);
        } else {
            Stmt.When gate = new Stmt.When(enable.node(), new dev.tellmej.hdl.ir.Block(), new dev.tellmej.hdl.ir.Block(), where);
            gate.whenTrue().add(load);
            elaboration.add(gate);
        }
        for (int stage = 1; stage < latency; stage++) {
            elaboration.add(new Stmt.Assign(registers.get(stage), 0, node.wordType().width(),
                    new Expr.Ref(registers.get(stage - 1)), where));
        }
        node.readPorts().add(new MemoryNode.ReadPort(latency, List.copyOf(registers), where));
        return (T) Data.of(new Expr.Ref(registers.getLast()));
    }

    private void checkAddress(UInt address) {
        if (address.width() != node.addressWidth()) {
            Elaboration.widthError("address of " + address.type() + " for memory " + node.name() + " of depth "
                    + node.depth() + ", which takes UInt(" + node.addressWidth() + ")");
        }
    }

    /** A template of the word type. */
    @SuppressWarnings("unchecked")
    public T wordTemplate() {
        return (T) wordTemplate.typeTemplate();
    }

    static HwType checkedWordType(Data template) {
        return template.type();
    }
}
