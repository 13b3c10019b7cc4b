package dev.tellmej.sim;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.tellmej.hdl.ActiveLevel;
import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.Signal;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One running instance of a Verilated design, driven cycle by cycle from Java.
 *
 * <pre>{@code
 * Design<Counter> design = Hdl.elaborate(() -> new Counter(8));
 * try (SimModel sim = SimModel.open(design)) {
 *     sim.reset();
 *     sim.poke(design.top().enable, 1);
 *     sim.step(10);
 *     assertEquals(10, sim.peek(design.top().count));
 * }
 * }</pre>
 *
 * <p><b>Timing.</b> Between calls the model rests just before a rising clock edge with its logic
 * settled. {@link #poke} changes an input now; {@link #peek} reads settled values (settling first when an
 * input changed since); {@link #step} takes rising edges, and the registers capture the inputs poked
 * before it. Cycles are counted from the model's creation ({@link #cycle()}).
 *
 * <p><b>Threads.</b> A model is driven by one thread at a time. Several models, of one design or of
 * several, may run in one JVM; each holds native memory until {@link #close()}.
 *
 * <p><b>Failures.</b> A {@code $stop}, {@code $fatal} or failed assertion in the design becomes a
 * {@link SimStopException}, a broken handshake under a checker a {@link ProtocolViolationException};
 * afterwards the model refuses to run. A {@code $finish} ends the run: {@link #finished()} turns true.
 */
@SuppressWarnings("restricted") // wraps the model's own storage in segments of the right size
public final class SimModel implements AutoCloseable {
    /** Cycles per native call made without a thread-state transition (such a call must stay short). */
    private static final long CRITICAL_STEP_LIMIT = 1024;
    /** Reset cycles of {@link #reset()}. */
    public static final int DEFAULT_RESET_CYCLES = 2;
    /** Half a clock period in picoseconds: waveforms show a 100 MHz clock. */
    private static final long HALF_PERIOD_PS = 5_000;

    private final Design<?> design;
    private final ModelLayout layout;
    private final ModelLibrary library;
    private final Arena arena;
    private final MemorySegment instance;
    private final MemorySegment status;
    private final Port[] ports;
    private final Map<Signal, Port> bySignal = new IdentityHashMap<>();
    private final Map<String, SimMemory> memories = new HashMap<>();
    private final List<CycleListener> listeners = new ArrayList<>();
    private final Path waves;
    private Consumer<String> output = System.out::print;
    private boolean dirty = true;
    /** The native state as last returned: 0 running, 1 failed, 2 finished ($finish). */
    private int state;
    private boolean closed;
    private SimFailureException failure;

    private SimModel(Design<?> design, VerilatorBuild.Result built, Path waves) {
        this.design = design;
        this.layout = built.layout();
        this.library = ModelLibrary.load(built.library());
        this.waves = waves;
        this.arena = Arena.ofShared();
        try {
            MemorySegment path = MemorySegment.NULL;
            if (waves != null) {
                Files.createDirectories(waves.toAbsolutePath().getParent());
                path = arena.allocateFrom(waves.toAbsolutePath().toString());
            }
            MemorySegment created = (MemorySegment) library.create.invokeExact(path, HALF_PERIOD_PS);
            if (created.equals(MemorySegment.NULL)) {
                throw new SimFailureException("the model of " + layout.topName() + " could not be created", 0);
            }
            this.instance = created;
            if (waves != null && (int) library.traceable().invokeExact() == 0) {
                library.delete.invokeExact(created);
                throw new IllegalArgumentException("the library of " + layout.topName() + " was built without"
                        + " --trace-fst and cannot write " + waves + "; build it with VerilatorBuild.trace(true)");
            }
            this.status = ((MemorySegment) library.status.invokeExact(instance)).reinterpret(24, arena, null);
            int count = (int) library.portCount.invokeExact();
            if (count != layout.ports().size()) {
                throw new IllegalStateException("the library has " + count + " ports, the design "
                        + layout.ports().size());
            }
            this.ports = new Port[count];
            for (ModelLayout.PortInfo info : layout.ports()) {
                int bytes = (int) library.portBytes.invokeExact(info.index());
                int width = (int) library.portWidth.invokeExact(info.index());
                if (bytes != info.storageBytes() || width != info.width()) {
                    throw new IllegalStateException("port " + info.name() + " is " + width + " bits in "
                            + bytes + " bytes in the library, " + info.width() + " in the design");
                }
                MemorySegment storage = ((MemorySegment) library.port.invokeExact(instance, info.index()))
                        .reinterpret(bytes, arena, null);
                Port port = new Port(this, info, storage);
                ports[info.index()] = port;
                bySignal.put(info.signal(), port);
            }
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException(t);
        }
        syncState();
    }

    /** Builds {@code design} (or takes it from the cache) and starts a model of it. */
    public static SimModel open(Design<?> design) {
        return open(design, SimOptions.DEFAULT);
    }

    /** Builds {@code design} with {@code options} (or takes it from the cache) and starts a model of it. */
    public static SimModel open(Design<?> design, SimOptions options) {
        VerilatorBuild.Result built = VerilatorBuild.of(design).trace(options.waves() != null)
                .cacheRoot(options.cacheRoot()).build();
        return new SimModel(design, built, options.waves());
    }

    /**
     * Starts a model of an already built library ({@link VerilatorBuild#build()}).
     *
     * @param waves an FST file to write, or null; needs a library built with {@code trace(true)}
     */
    public static SimModel load(Design<?> design, VerilatorBuild.Result built, Path waves) {
        return new SimModel(design, built, waves);
    }

    // ---- ports ----

    /**
     * The port the Java module declared as {@code handle} ({@code design.top().count}).
     *
     * @throws NotAPortException when {@code handle} is not a port of this design's top module
     */
    public Port port(Data handle) {
        checkOpen();
        Signal signal = handle.isTemplate() ? null : handle.signal();
        Port port = signal == null ? null : bySignal.get(signal);
        if (port == null) {
            throw new NotAPortException(notAPort(handle, signal));
        }
        return port;
    }

    private String notAPort(Data handle, Signal signal) {
        String suffix = "; the simulator drives and reads the ports of " + layout.topName()
                + " (memories through memory(...))";
        if (signal == null) {
            return handle + " is " + (handle.isTemplate() ? "a type template" : "an expression") + ", not a port"
                    + suffix;
        }
        if (signal.owner() != design.top().node()) {
            return signal.describe() + " is not in the top module " + layout.topName() + suffix;
        }
        return signal.describe() + " is not a port" + suffix;
    }

    /** The port named {@code name} (its Verilog name), for tools that work by name. */
    public Port port(String name) {
        checkOpen();
        ModelLayout.PortInfo info = layout.portNamed(name);
        if (info == null) {
            throw new NotAPortException(layout.topName() + " has no port named " + name);
        }
        return ports[info.index()];
    }

    /** Every port, in declaration order. */
    public List<Port> ports() {
        return List.of(ports);
    }

    /** Drives input {@code handle} with {@code value} (see {@link Port#set(long)}). */
    public void poke(Data handle, long value) {
        port(handle).set(value);
    }

    /** Drives a Bool input. */
    public void poke(Data handle, boolean value) {
        port(handle).set(value ? 1 : 0);
    }

    /** Drives input {@code handle} with the bit pattern {@code value}, any width. */
    public void poke(Data handle, BigInteger value) {
        port(handle).setBig(value);
    }

    /** The settled value of port {@code handle}, zero-extended (ports up to 64 bits). */
    public long peek(Data handle) {
        return port(handle).get();
    }

    /** The settled value of port {@code handle} as a non-negative number, any width. */
    public BigInteger peekBig(Data handle) {
        return port(handle).getBig();
    }

    // ---- time ----

    /** Rising clock edges taken since the model was created. */
    public long cycle() {
        checkOpen();
        return status.get(JAVA_LONG, 0);
    }

    /** One clock cycle. */
    public void step() {
        step(1);
    }

    /**
     * {@code cycles} clock cycles. Without cycle listeners the whole run is one native call, with
     * native agents (AXI memories, protocol checkers) taking part in every cycle.
     */
    public void step(long cycles) {
        if (closed || state != 0) {
            checkRunnable();
        }
        if (cycles < 0) {
            throw new IllegalArgumentException("cannot step " + cycles + " cycles");
        }
        if (listeners.isEmpty()) {
            run(cycles);
            return;
        }
        CycleListener[] current = listeners.toArray(new CycleListener[0]);
        for (long i = 0; i < cycles && !finished(); i++) {
            long edge = cycle();
            for (CycleListener listener : current) {
                listener.beforeEdge(this, edge);
            }
            run(1);
            for (CycleListener listener : current) {
                listener.afterEdge(this, edge);
            }
        }
    }

    private void run(long cycles) {
        int settle = dirty ? 1 : 0;
        int outcome;
        try {
            outcome = cycles <= CRITICAL_STEP_LIMIT
                    ? (int) library.stepCritical.invokeExact(instance, cycles, settle)
                    : (int) library.step.invokeExact(instance, cycles, settle);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        dirty = false;
        if (outcome != 0) {
            afterNative(outcome);
        }
    }

    /**
     * Steps until port {@code handle} (up to 64 bits) equals {@code value}, checking before every cycle,
     * for at most {@code maxCycles} cycles. Without cycle listeners the loop runs natively.
     *
     * @return the cycles taken (0 when it already held)
     * @throws SimTimeoutException when it did not hold within {@code maxCycles}
     */
    public long runUntil(Data handle, long value, long maxCycles) {
        Port port = port(handle);
        if (port.width() > 64) {
            throw new IllegalArgumentException("runUntil compares ports up to 64 bits; " + port.name() + " has "
                    + port.width());
        }
        long mask = port.width() >= 64 ? -1L : (1L << port.width()) - 1;
        if ((value & ~mask) != 0) {
            throw new IllegalArgumentException("value " + value + " does not fit the " + port.width() + "-bit port "
                    + port.name() + " (give its bit pattern)");
        }
        String condition = port.name() + " == " + value;
        if (!listeners.isEmpty()) {
            return runUntil(() -> port.get() == value, maxCycles, condition);
        }
        checkRunnable();
        long ran;
        try {
            ran = (long) library.runUntil().invokeExact(instance, port.info().index(), mask, value, 1, maxCycles);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        dirty = false;
        syncState();
        if (ran < 0) {
            if (state == 2) {
                checkRunnable();  // ended by $finish: says so
            }
            throw new SimTimeoutException(condition, maxCycles, cycle());
        }
        return ran;
    }

    /**
     * Steps until {@code condition} holds, checking before every cycle, for at most {@code maxCycles}
     * cycles. The condition runs in Java once per cycle.
     *
     * @return the cycles taken (0 when it already held)
     * @throws SimTimeoutException when it did not hold within {@code maxCycles}
     */
    public long runUntil(BooleanSupplier condition, long maxCycles) {
        return runUntil(condition, maxCycles, "the condition");
    }

    private long runUntil(BooleanSupplier condition, long maxCycles, String description) {
        for (long ran = 0; ; ran++) {
            if (condition.getAsBoolean()) {
                return ran;
            }
            if (ran >= maxCycles) {
                throw new SimTimeoutException(description, maxCycles, cycle());
            }
            step(1);
        }
    }

    /**
     * Holds the reset of the clock domain the simulator drives active for {@code cycles} cycles, then
     * releases it (active-low resets such as Vitis' {@code ap_rst_n} are driven low).
     */
    public void reset(int cycles) {
        if (layout.reset() < 0) {
            throw new IllegalStateException(layout.topName() + " has no reset input");
        }
        Port reset = ports[layout.reset()];
        boolean activeHigh = layout.resetLevel() == ActiveLevel.HIGH;
        reset.set(activeHigh);
        step(cycles);
        reset.set(!activeHigh);
    }

    /** {@link #reset(int)} for {@value #DEFAULT_RESET_CYCLES} cycles. */
    public void reset() {
        reset(DEFAULT_RESET_CYCLES);
    }

    /** Adds Java code to every cycle (see {@link CycleListener}). */
    public void onCycle(CycleListener listener) {
        checkOpen();
        listeners.add(listener);
    }

    /** Removes a listener added with {@link #onCycle}. */
    public void removeCycleListener(CycleListener listener) {
        listeners.remove(listener);
    }

    /** True once the design executed {@code $finish}; the model then takes no more cycles. */
    public boolean finished() {
        return !closed && state() == 2;
    }

    // ---- memories ----

    /** The memory at {@code path} below the top: {@code "buffer"}, {@code "fifo.ram"}. */
    public SimMemory memory(String path) {
        checkOpen();
        SimMemory cached = memories.get(path);
        if (cached != null) {
            return cached;
        }
        for (ModelLayout.MemoryInfo info : layout.memories()) {
            if (info.path().equals(path)) {
                SimMemory memory = bind(info);
                memories.put(path, memory);
                return memory;
            }
        }
        throw new IllegalArgumentException(layout.topName() + " has no memory " + path + "; it has "
                + layout.memories().stream().map(ModelLayout.MemoryInfo::path).toList());
    }

    /** The memory made by {@code mem} in the elaboration of this design. */
    public SimMemory memory(Mem<?> mem) {
        return memory(mem.node());
    }

    /** The memory {@code node} of this design. */
    public SimMemory memory(MemoryNode node) {
        for (ModelLayout.MemoryInfo info : layout.memories()) {
            if (info.node() == node) {
                return memory(info.path());
            }
        }
        throw new IllegalArgumentException("memory " + node.name() + " is not part of " + layout.topName());
    }

    private SimMemory bind(ModelLayout.MemoryInfo info) {
        MemorySegment out = arena.allocate(JAVA_LONG, 4);
        int found;
        try {
            found = (int) library.memLookup().invokeExact(instance, info.index(), out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (found != 0) {
            throw new IllegalStateException("memory " + info.path() + " (" + info.scope() + "." + info.variable()
                    + ") is not in the model's symbol table");
        }
        long data = out.getAtIndex(JAVA_LONG, 0);
        int wordBytes = (int) out.getAtIndex(JAVA_LONG, 1);
        long words = out.getAtIndex(JAVA_LONG, 2);
        long low = out.getAtIndex(JAVA_LONG, 3);
        if (words != info.depth() || low != 0 || wordBytes != NativeLayout.storageBytes(info.width())) {
            throw new IllegalStateException("memory " + info.path() + " is " + words + " words from " + low + " of "
                    + wordBytes + " bytes in the model; the design says " + info.depth() + " x " + info.width());
        }
        MemorySegment storage = MemorySegment.ofAddress(data).reinterpret(words * wordBytes, arena, null);
        return new SimMemory(this, info, storage, wordBytes);
    }

    // ---- native agents ----

    /**
     * An AXI4 slave memory model, running natively inside every cycle, backed by {@code backing}: Java
     * and the model share those bytes without copying (address {@code config.baseAddress()} is byte 0).
     * Attach master ports with {@link AxiMemory#attach}. {@code backing} must stay alive while the
     * model runs.
     */
    public AxiMemory axiMemory(MemorySegment backing, AxiMemoryConfig config) {
        checkOpen();
        int index;
        try {
            index = (int) library.axiMemory().invokeExact(instance, backing, backing.byteSize(), config.baseAddress(),
                    config.bytesPerCycle(), config.readLatency(), config.writeLatency(), config.latencyJitter(),
                    config.maxOutstanding(), config.seed());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return new AxiMemory(this, index, backing, config);
    }

    /** An AXI4 slave memory of {@code bytes} bytes owned by this model (freed when it closes). */
    public AxiMemory axiMemory(long bytes, AxiMemoryConfig config) {
        checkOpen();
        return axiMemory(arena.allocate(bytes, 4096), config);
    }

    void attachAxi(int memory, String name, int[] signals) {
        checkOpen();
        MemorySegment sigs = arena.allocateFrom(JAVA_INT, signals);
        try {
            int ignored = (int) library.axiAttach().invokeExact(instance, memory, arena.allocateFrom(name), sigs);
            assert ignored == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
        dirty = true;
    }

    void axiError(int memory, long address, long bytes, int response) {
        checkOpen();
        try {
            library.axiError().invokeExact(instance, memory, address, bytes, response);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long[] axiCounters(int memory) {
        checkOpen();
        MemorySegment out = arena.allocate(JAVA_LONG, 6);
        try {
            library.axiCounters().invokeExact(instance, memory, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return out.toArray(JAVA_LONG);
    }

    void addStreamCheck(String name, Port valid, Port ready, List<Port> payload) {
        checkOpen();
        int[] indices = payload.stream().mapToInt(p -> p.info().index()).toArray();
        MemorySegment list = arena.allocateFrom(JAVA_INT, indices.length == 0 ? new int[1] : indices);
        try {
            int ignored = (int) library.checkStream().invokeExact(instance, arena.allocateFrom(name),
                    valid.info().index(), ready.info().index(), list, indices.length);
            assert ignored >= 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- benchmarking ----

    /**
     * Runs {@code cycles} cycles in a C++ loop: each cycle writes the cycle number to {@code input},
     * takes the same native cycle as {@link #step}, and reads {@code output}. The reference a Java-driven
     * loop is measured against.
     *
     * @return a checksum of the values read
     */
    public long nativeLoop(Port input, Port output, long cycles) {
        checkRunnable();
        long sum;
        try {
            sum = (long) library.bench().invokeExact(instance, cycles, input.info().index(), output.info().index());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        dirty = false;
        syncState();
        return sum;
    }

    /** Makes {@code calls} calls of an empty native function; returns the nanoseconds per call. */
    public double downcallNanos(long calls, boolean critical) {
        try {
            long start = System.nanoTime();
            int sink = 0;
            for (long i = 0; i < calls; i++) {
                sink += critical ? (int) library.nopCritical().invokeExact() : (int) library.nop().invokeExact();
            }
            double nanos = (System.nanoTime() - start) / (double) calls;
            return sink == 0 ? nanos : Double.NaN;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- state ----

    /** The design. */
    public Design<?> design() {
        return design;
    }

    /** The top module's Verilog name. */
    public String topName() {
        return layout.topName();
    }

    /** Ports, clock, reset and memories as the simulator sees them. */
    public ModelLayout layout() {
        return layout;
    }

    /** The FST file this model writes, or null. */
    public Path waves() {
        return waves;
    }

    /** Writes what the waveform has buffered to its file, so a viewer sees the run so far. */
    public void flushWaves() {
        checkOpen();
        try {
            library.traceFlush().invokeExact(instance);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Frees the model; its waveform is complete on disk afterwards. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            library.delete.invokeExact(instance);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            arena.close();
        }
    }

    void markDirty() {
        dirty = true;
    }

    void settleIfDirty() {
        if (dirty) {
            checkRunnable();
            int outcome;
            try {
                outcome = (int) library.eval.invokeExact(instance);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            dirty = false;
            if (outcome != 0) {
                afterNative(outcome);
            }
        }
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the model of " + layout.topName() + " is closed");
        }
    }

    private void checkRunnable() {
        checkOpen();
        if (failure != null) {
            throw new IllegalStateException("the model of " + layout.topName() + " failed earlier: "
                    + failure.getMessage(), failure);
        }
        if (state() == 2) {
            throw new IllegalStateException("the model of " + layout.topName() + " executed $finish at "
                    + string(library.finishWhere()) + " in cycle " + cycle());
        }
    }

    private int state() {
        return status.get(JAVA_INT, 8);
    }

    /** After a native call that may have run the design: prints its output, notes $finish, throws failures. */
    private void syncState() {
        afterNative(state() | (status.get(JAVA_LONG, 16) != 0 ? 8 : 0));
    }

    private void afterNative(int outcome) {
        if ((outcome & 8) != 0) {
            drainOutput();
        }
        state = outcome & 7;
        if (state == 1) {
            failure = nativeFailure();
            throw failure;
        }
    }

    /** Hands what the design printed ($display, assertion messages) to the output sink. */
    private void drainOutput() {
        String text = string(library.outputPending());
        try {
            library.outputClear().invokeExact(instance);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        output.accept(text);
    }

    /**
     * Where the design's printed output ({@code $display}, assertion messages) goes; by default
     * {@code System.out}. It is passed on after each step, eval or run.
     */
    public void output(Consumer<String> sink) {
        this.output = sink;
    }

    private SimFailureException nativeFailure() {
        int kind;
        int line;
        try {
            kind = (int) library.failureKind().invokeExact(instance);
            line = (int) library.failureLine().invokeExact(instance);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        String message = string(library.failureMessage());
        String file = string(library.failureFile()).replaceFirst("^src/", "");
        String output = string(library.outputTail());
        long cycle = cycle();
        return switch (kind) {
            case 1 -> new SimStopException(SimStopException.Kind.STOP, file, line, message, cycle, lastLines(output));
            case 2 -> new SimStopException(SimStopException.Kind.FATAL, file, line, message, cycle, lastLines(output));
            case 3 -> new ProtocolViolationException(message, cycle);
            case 4 -> new AxiAccessException(message, cycle);
            default -> new SimFailureException("the native model of " + layout.topName() + " failed in cycle " + cycle
                    + ": " + message, cycle);
        };
    }

    private static String lastLines(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }

    private String string(java.lang.invoke.MethodHandle getter) {
        try {
            return ModelLibrary.string((MemorySegment) getter.invokeExact(instance));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    @Override
    public String toString() {
        return "SimModel[" + layout.topName() + (closed ? ", closed" : ", cycle " + cycle()) + "]";
    }
}
