package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.Block;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.Stmt;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A combinational signal (wire or output) must be assigned on every path through the conditions that
 * assign it; otherwise it would keep its old value, which is a latch. Give it a default before the
 * {@code when}, or assign it in every branch.
 */
public final class LatchCheck implements Pass {
    @Override
    public String name() {
        return "latch check";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        for (ModuleNode module : IrWalk.modules(top)) {
            check(module, errors);
        }
    }

    private static void check(ModuleNode module, List<HdlException> errors) {
        Map<Signal, BitSet> ever = new IdentityHashMap<>();
        Map<Signal, Stmt.Assign> firstConditional = new LinkedHashMap<>();
        IrWalk.statements(module.body(), (statement, guards) -> {
            if (statement instanceof Stmt.Assign assign && combinational(assign.target()) && assign.hi() < assign.target().width()) {
                ever.computeIfAbsent(assign.target(), s -> new BitSet()).set(assign.lo(), assign.hi() + 1);
                if (!guards.isEmpty()) {
                    firstConditional.putIfAbsent(assign.target(), assign);
                }
            }
        });
        if (firstConditional.isEmpty()) {
            return;
        }
        Map<Signal, BitSet> definite = definitelyAssigned(module.body());
        for (Map.Entry<Signal, Stmt.Assign> entry : firstConditional.entrySet()) {
            Signal signal = entry.getKey();
            BitSet missing = (BitSet) ever.get(signal).clone();
            BitSet sure = definite.get(signal);
            if (sure != null) {
                missing.andNot(sure);
            }
            if (!missing.isEmpty()) {
                String bits = missing.cardinality() == signal.width() ? "" : " (bits " + BitRanges.describe(missing) + ")";
                errors.add(new LatchException(entry.getValue().location(), signal.role().name().toLowerCase(java.util.Locale.ROOT)
                        + " '" + signal.name() + "'" + bits + " of " + module.baseName()
                        + " is not assigned on every path, so it would hold its value (a latch);"
                        + " give it a default before the condition or assign it in every branch"));
            }
        }
    }

    private static boolean combinational(Signal signal) {
        return signal.role() == SignalRole.WIRE || signal.role() == SignalRole.OUTPUT;
    }

    /** The bits of each combinational signal assigned on every path through {@code block}. */
    private static Map<Signal, BitSet> definitelyAssigned(Block block) {
        Map<Signal, BitSet> result = new IdentityHashMap<>();
        for (Stmt statement : block.statements()) {
            switch (statement) {
                case Stmt.Assign assign -> {
                    if (combinational(assign.target()) && assign.hi() < assign.target().width()) {
                        result.computeIfAbsent(assign.target(), s -> new BitSet()).set(assign.lo(), assign.hi() + 1);
                    }
                }
                case Stmt.When when -> mergeAll(result, List.of(
                        definitelyAssigned(when.whenTrue()), definitelyAssigned(when.whenFalse())));
                case Stmt.Switch sw -> {
                    List<Map<Signal, BitSet>> arms = new java.util.ArrayList<>();
                    for (Stmt.Case arm : sw.cases()) {
                        arms.add(definitelyAssigned(arm.body()));
                    }
                    if (!sw.exhaustive()) {
                        arms.add(definitelyAssigned(sw.otherwise()));
                    }
                    mergeAll(result, arms);
                }
                case Stmt.MemWrite write -> { }
            }
        }
        return result;
    }

    /** Adds to {@code into} the bits every one of {@code branches} assigns. */
    private static void mergeAll(Map<Signal, BitSet> into, List<Map<Signal, BitSet>> branches) {
        if (branches.isEmpty()) {
            return;
        }
        for (Map.Entry<Signal, BitSet> entry : branches.getFirst().entrySet()) {
            BitSet common = (BitSet) entry.getValue().clone();
            for (int i = 1; i < branches.size() && !common.isEmpty(); i++) {
                BitSet other = branches.get(i).get(entry.getKey());
                if (other == null) {
                    common.clear();
                } else {
                    common.and(other);
                }
            }
            if (!common.isEmpty()) {
                into.computeIfAbsent(entry.getKey(), s -> new BitSet()).or(common);
            }
        }
    }
}
