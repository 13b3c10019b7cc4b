package dev.tellmej.sim;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loaded model library: the shim's entry points as downcall handles. Each library is loaded once per
 * JVM (into the global arena: a shared object cannot be unloaded safely while code may still run in
 * it) and shared by every {@link SimModel} of that design.
 *
 * <p>Calls that return at once ({@code tlm_step} of a few cycles, {@code tlm_eval}) go through
 * <em>critical</em> handles, which skip the Java-to-native thread-state transition; they must not run
 * long, since the JVM cannot reach a safepoint meanwhile. Long runs use the ordinary handles.
 */
@SuppressWarnings("restricted") // loading a native library is what this class is for
final class ModelLibrary {
    /** Must equal TLM_ABI_VERSION in tlm_runtime.h. */
    static final int ABI_VERSION = 6;

    private static final ConcurrentHashMap<Path, ModelLibrary> LOADED = new ConcurrentHashMap<>();

    final Path path;
    private final Binder binder;
    final MethodHandle create;
    final MethodHandle delete;
    final MethodHandle status;
    final MethodHandle port;
    final MethodHandle portCount;
    final MethodHandle portWidth;
    final MethodHandle portBytes;
    final MethodHandle eval;
    final MethodHandle stepCritical;
    final MethodHandle step;

    private ModelLibrary(Path path) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        SymbolLookup lookup = SymbolLookup.libraryLookup(path, Arena.global());
        Binder b = new Binder(linker, lookup);
        this.binder = b;
        MethodHandle abi = b.bind("tlm_abi_version", FunctionDescriptor.of(JAVA_INT), false);
        int version;
        try {
            version = (int) abi.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (version != ABI_VERSION) {
            throw new IllegalStateException(path + " speaks shim ABI " + version + ", this JVM " + ABI_VERSION
                    + "; remove the stale cache entry");
        }
        create = b.bind("tlm_new", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG), false);
        delete = b.bind("tlm_delete", FunctionDescriptor.ofVoid(ADDRESS), false);
        status = b.bind("tlm_status", FunctionDescriptor.of(ADDRESS, ADDRESS), true);
        port = b.bind("tlm_port", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT), true);
        portCount = b.bind("tlm_port_count", FunctionDescriptor.of(JAVA_INT), true);
        portWidth = b.bind("tlm_port_width", FunctionDescriptor.of(JAVA_INT, JAVA_INT), true);
        portBytes = b.bind("tlm_port_bytes", FunctionDescriptor.of(JAVA_INT, JAVA_INT), true);
        eval = b.bind("tlm_eval", FunctionDescriptor.of(JAVA_INT, ADDRESS), true);
        stepCritical = b.bind("tlm_step", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), true);
        step = b.bind("tlm_step", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), false);
    }

    /** Entry points bound on first use: each downcall handle costs time to make, and most models never need these. */
    private enum Lazy {
        NOP("tlm_nop", FunctionDescriptor.of(JAVA_INT), false),
        NOP_CRITICAL("tlm_nop", FunctionDescriptor.of(JAVA_INT), true),
        TRACEABLE("tlm_traceable", FunctionDescriptor.of(JAVA_INT), true),
        RUN_UNTIL("tlm_run_until", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG,
                JAVA_INT, JAVA_LONG), false),
        BENCH("tlm_bench", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT), false),
        FAILURE_KIND("tlm_failure_kind", FunctionDescriptor.of(JAVA_INT, ADDRESS), false),
        FAILURE_LINE("tlm_failure_line", FunctionDescriptor.of(JAVA_INT, ADDRESS), false),
        FAILURE_FILE("tlm_failure_file", FunctionDescriptor.of(ADDRESS, ADDRESS), false),
        FAILURE_MESSAGE("tlm_failure_message", FunctionDescriptor.of(ADDRESS, ADDRESS), false),
        OUTPUT_TAIL("tlm_output_tail", FunctionDescriptor.of(ADDRESS, ADDRESS), false),
        FINISH_WHERE("tlm_finish_where", FunctionDescriptor.of(ADDRESS, ADDRESS), false),
        OUTPUT_PENDING("tlm_output_pending", FunctionDescriptor.of(ADDRESS, ADDRESS), false),
        OUTPUT_CLEAR("tlm_output_clear", FunctionDescriptor.ofVoid(ADDRESS), false),
        TRACE_FLUSH("tlm_trace_flush", FunctionDescriptor.ofVoid(ADDRESS), false),
        MEM_COUNT("tlm_mem_count", FunctionDescriptor.of(JAVA_INT), false),
        MEM_LOOKUP("tlm_mem_lookup", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), false),
        CHECK_STREAM("tlm_check_stream", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_INT), false),
        AXI_MEMORY("tlm_axi_memory", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_DOUBLE, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), false),
        AXI_ATTACH("tlm_axi_attach", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS),
                false),
        AXI_COUNTERS("tlm_axi_counters", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS), false),
        AXI_ERROR("tlm_axi_error", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT),
                false);

        final String symbol;
        final FunctionDescriptor descriptor;
        final boolean critical;

        Lazy(String symbol, FunctionDescriptor descriptor, boolean critical) {
            this.symbol = symbol;
            this.descriptor = descriptor;
            this.critical = critical;
        }
    }

    private final MethodHandle[] lazyHandles = new MethodHandle[Lazy.values().length];

    private MethodHandle lazy(Lazy function) {
        MethodHandle handle = lazyHandles[function.ordinal()];
        if (handle == null) {
            handle = binder.bind(function.symbol, function.descriptor, function.critical);
            lazyHandles[function.ordinal()] = handle;
        }
        return handle;
    }

    MethodHandle nop() {
        return lazy(Lazy.NOP);
    }

    MethodHandle nopCritical() {
        return lazy(Lazy.NOP_CRITICAL);
    }

    MethodHandle traceable() {
        return lazy(Lazy.TRACEABLE);
    }

    MethodHandle runUntil() {
        return lazy(Lazy.RUN_UNTIL);
    }

    MethodHandle bench() {
        return lazy(Lazy.BENCH);
    }

    MethodHandle failureKind() {
        return lazy(Lazy.FAILURE_KIND);
    }

    MethodHandle failureLine() {
        return lazy(Lazy.FAILURE_LINE);
    }

    MethodHandle failureFile() {
        return lazy(Lazy.FAILURE_FILE);
    }

    MethodHandle failureMessage() {
        return lazy(Lazy.FAILURE_MESSAGE);
    }

    MethodHandle outputTail() {
        return lazy(Lazy.OUTPUT_TAIL);
    }

    MethodHandle finishWhere() {
        return lazy(Lazy.FINISH_WHERE);
    }

    MethodHandle outputPending() {
        return lazy(Lazy.OUTPUT_PENDING);
    }

    MethodHandle outputClear() {
        return lazy(Lazy.OUTPUT_CLEAR);
    }

    MethodHandle traceFlush() {
        return lazy(Lazy.TRACE_FLUSH);
    }

    MethodHandle memCount() {
        return lazy(Lazy.MEM_COUNT);
    }

    MethodHandle memLookup() {
        return lazy(Lazy.MEM_LOOKUP);
    }

    MethodHandle checkStream() {
        return lazy(Lazy.CHECK_STREAM);
    }

    MethodHandle axiMemory() {
        return lazy(Lazy.AXI_MEMORY);
    }

    MethodHandle axiAttach() {
        return lazy(Lazy.AXI_ATTACH);
    }

    MethodHandle axiCounters() {
        return lazy(Lazy.AXI_COUNTERS);
    }

    MethodHandle axiError() {
        return lazy(Lazy.AXI_ERROR);
    }

    /** The library at {@code path}, loaded on first use. */
    static ModelLibrary load(Path path) {
        return LOADED.computeIfAbsent(path.toAbsolutePath().normalize(), ModelLibrary::new);
    }

    /** Reads a C string returned by the shim (owned by the shim; valid until the next call). */
    static String string(MemorySegment pointer) {
        return pointer.equals(MemorySegment.NULL) ? "" : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    private record Binder(Linker linker, SymbolLookup lookup) {
        MethodHandle bind(String name, FunctionDescriptor descriptor, boolean critical) {
            MemorySegment symbol = lookup.find(name).orElseThrow(
                    () -> new IllegalStateException("the model library lacks " + name + "; rebuild it"));
            return critical
                    ? linker.downcallHandle(symbol, descriptor, Linker.Option.critical(false))
                    : linker.downcallHandle(symbol, descriptor);
        }
    }
}
