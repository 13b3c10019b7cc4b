package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.Instance;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.SourceLocation;
import dev.tellmej.hdl.ir.Stmt;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every signal of the whole hierarchy reads: for combinational signals and registers, the signals
 * (and memories) their assignments and the conditions around them read; across instance boundaries, a
 * child input reads the parent's wire and a parent's wire reads the child's output.
 */
final class Dependencies {
    /** Signals each signal reads, in first-seen order (no duplicates). */
    final Map<Signal, List<Signal>> reads = new IdentityHashMap<>();
    /** Memories each signal reads asynchronously. */
    final Map<Signal, List<MemoryNode>> memoryReads = new IdentityHashMap<>();
    /** The first statement assigning each signal (for messages). */
    final Map<Signal, SourceLocation> firstAssign = new IdentityHashMap<>();
    /** Each child port and instance-port wire, and the parent signal it connects to. */
    final Map<Signal, Signal> connectedTo = new IdentityHashMap<>();
    /** Signals each memory's writes read. */
    final Map<MemoryNode, List<Signal>> memoryWriteReads = new IdentityHashMap<>();
    final Map<MemoryNode, SourceLocation> firstWrite = new IdentityHashMap<>();
    /** Wires assigned exactly once, whole and unconditionally, from a plain signal (clock forwarding). */
    final Map<Signal, Signal> aliasOf = new IdentityHashMap<>();

    private final Map<Signal, Set<Signal>> seen = new IdentityHashMap<>();

    static Dependencies of(ModuleNode top) {
        Dependencies deps = new Dependencies();
        for (ModuleNode module : IrWalk.modules(top)) {
            deps.addModule(module);
        }
        return deps;
    }

    private void addModule(ModuleNode module) {
        for (Instance instance : module.instances()) {
            for (Instance.Connection connection : instance.connections()) {
                Signal port = connection.childPort();
                Signal outer = connection.parentSignal();
                if (port.role() == SignalRole.INPUT) {
                    connectedTo.put(port, outer);
                    addRead(port, outer);
                } else {
                    addRead(outer, port);
                    firstAssign.putIfAbsent(outer, instance.location());
                }
            }
        }
        if (module.isBlackBox()) {
            return;
        }
        Map<Signal, Integer> assignCount = new IdentityHashMap<>();
        IrWalk.statements(module.body(), (statement, guards) -> {
            switch (statement) {
                case Stmt.Assign assign -> {
                    Signal target = assign.target();
                    firstAssign.putIfAbsent(target, assign.location());
                    assignCount.merge(target, 1, Integer::sum);
                    if (guards.isEmpty() && assign.wholeSignal() && assign.value() instanceof Expr.Ref(Signal source)) {
                        aliasOf.put(target, source);
                    }
                    for (Expr guard : guards) {
                        readsOf(target, guard);
                    }
                    readsOf(target, assign.value());
                }
                case Stmt.MemWrite write -> {
                    firstWrite.putIfAbsent(write.memory(), write.location());
                    List<Signal> sink = memoryWriteReads.computeIfAbsent(write.memory(), m -> new ArrayList<>());
                    List<Expr> exprs = new ArrayList<>(guards);
                    exprs.addAll(IrWalk.readsOf(write));
                    for (Expr expr : exprs) {
                        IrWalk.signalsOf(expr, s -> {
                            if (!sink.contains(s)) {
                                sink.add(s);
                            }
                        });
                    }
                }
                default -> { }
            }
        });
        assignCount.forEach((signal, count) -> {
            if (count > 1) {
                aliasOf.remove(signal);
            }
        });
    }

    private void readsOf(Signal target, Expr expr) {
        IrWalk.nodes(expr, Collections.newSetFromMap(new IdentityHashMap<>()), node -> {
            if (node instanceof Expr.Ref(Signal source)) {
                addRead(target, source);
            } else if (node instanceof Expr.MemRead read) {
                List<MemoryNode> memories = memoryReads.computeIfAbsent(target, s -> new ArrayList<>());
                if (!memories.contains(read.memory())) {
                    memories.add(read.memory());
                }
            }
        });
    }

    private void addRead(Signal target, Signal source) {
        if (seen.computeIfAbsent(target, s -> Collections.newSetFromMap(new IdentityHashMap<>())).add(source)) {
            reads.computeIfAbsent(target, s -> new ArrayList<>()).add(source);
        }
    }

    List<Signal> readsOf(Signal signal) {
        return reads.getOrDefault(signal, List.of());
    }

    /** {@code Top.fifo.count (SyncFifo.java:40)}. */
    String describe(Signal signal) {
        String path = signal.owner().instancePath() == null ? signal.owner().baseName() : signal.owner().instancePath();
        SourceLocation where = firstAssign.getOrDefault(signal, signal.location());
        return path + "." + signal.name() + " (" + where + ")";
    }
}
