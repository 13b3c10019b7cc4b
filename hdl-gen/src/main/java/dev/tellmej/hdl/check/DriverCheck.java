package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.Instance;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.SourceLocation;
import dev.tellmej.hdl.ir.Stmt;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every output, wire and child input is driven on all of its bits, and nothing has two drivers: a module's
 * own input ports and the wires a child's outputs drive may not be assigned. Memories are written or
 * initialized.
 */
public final class DriverCheck implements Pass {
    @Override
    public String name() {
        return "driver check";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        for (ModuleNode module : IrWalk.modules(top)) {
            if (!module.isBlackBox()) {
                check(module, errors);
            }
        }
    }

    private static void check(ModuleNode module, List<HdlException> errors) {
        Set<Signal> drivenByInstance = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Signal, Instance> childInputWires = new IdentityHashMap<>();
        for (Instance instance : module.instances()) {
            for (Instance.Connection connection : instance.connections()) {
                if (connection.childPort().role() == SignalRole.OUTPUT) {
                    drivenByInstance.add(connection.parentSignal());
                } else if (connection.parentSignal().origin() == Signal.Origin.INSTANCE_PORT) {
                    childInputWires.put(connection.parentSignal(), instance);
                }
            }
        }
        Map<Signal, BitSet> assigned = new IdentityHashMap<>();
        Set<Signal> reported = Collections.newSetFromMap(new IdentityHashMap<>());
        IrWalk.statements(module.body(), (statement, guards) -> {
            if (!(statement instanceof Stmt.Assign assign) || assign.target().owner() != module) {
                return;
            }
            Signal target = assign.target();
            if (target.role() == SignalRole.INPUT && reported.add(target)) {
                errors.add(new MultipleDriversException(assign.location(), "input port '" + target.name() + "' of "
                        + module.baseName() + " is driven by the parent; it cannot also be assigned inside"));
            } else if (drivenByInstance.contains(target) && reported.add(target)) {
                errors.add(new MultipleDriversException(assign.location(), "'" + target.name()
                        + "' is driven by a child instance's output; it cannot also be assigned"));
            }
            if (assign.hi() < target.width()) {
                assigned.computeIfAbsent(target, s -> new BitSet()).set(assign.lo(), assign.hi() + 1);
            }
        });
        for (Signal port : module.ports()) {
            if (port.role() == SignalRole.OUTPUT) {
                requireDriven(port, assigned.get(port), "output port", port.location(), errors);
            }
        }
        for (Signal signal : module.signals()) {
            if (drivenByInstance.contains(signal)) {
                continue;
            }
            BitSet bits = assigned.get(signal);
            if (signal.role() == SignalRole.REG && bits == null) {
                continue; // RegisterCheck reports registers that are never assigned
            }
            Instance child = childInputWires.get(signal);
            String what = child != null
                    ? "input of instance '" + child.name() + "' (" + child.child().baseName() + ") wire"
                    : signal.role().name().toLowerCase(java.util.Locale.ROOT);
            SourceLocation where = child != null ? child.location() : signal.location();
            requireDriven(signal, bits, what, where, errors);
        }
        for (MemoryNode memory : module.memories()) {
            if (memory.writePorts().isEmpty() && memory.initialContents() == null) {
                errors.add(new UndrivenSignalException(memory.location(), "memory '" + memory.name() + "' of "
                        + module.baseName() + " is never written and has no initial contents"));
            }
        }
    }

    private static void requireDriven(Signal signal, BitSet assigned, String what, SourceLocation where,
            List<HdlException> errors) {
        BitSet missing = BitRanges.range(0, signal.width() - 1);
        if (assigned != null) {
            missing.andNot(assigned);
        }
        if (missing.isEmpty()) {
            return;
        }
        String bits = missing.cardinality() == signal.width() ? "" : "bits " + BitRanges.describe(missing) + " of ";
        errors.add(new UndrivenSignalException(where, bits + what + " '" + signal.name() + "' of "
                + signal.owner().baseName() + " " + (bits.isEmpty() ? "is" : "are") + " never assigned"));
    }
}
