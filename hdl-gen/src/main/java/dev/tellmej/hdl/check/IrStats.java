package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.Expr;
import dev.tellmej.hdl.ir.ModuleNode;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Sizes of an elaborated hierarchy, counted over every module instance: distinct expression nodes,
 * statements, signals (ports, wires, registers), memories and instances.
 */
public record IrStats(long expressions, long statements, long signals, long memories, long instances) {
    /** All IR nodes. */
    public long nodes() {
        return expressions + statements + signals + memories + instances;
    }

    public static IrStats of(ModuleNode top) {
        long[] counts = new long[5];
        for (ModuleNode module : IrWalk.modules(top)) {
            Set<Expr> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            IrWalk.statements(module.body(), (statement, guards) -> {
                counts[1]++;
                for (Expr read : IrWalk.readsOf(statement)) {
                    IrWalk.nodes(read, seen, node -> counts[0]++);
                }
            });
            counts[2] += module.ports().size() + module.signals().size();
            counts[3] += module.memories().size();
            counts[4] += module.instances().size();
        }
        return new IrStats(counts[0], counts[1], counts[2], counts[3], counts[4]);
    }
}
