package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.ClockDomainNode;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.ir.SourceLocation;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A register (or memory write) may only sample registers and memories of its own clock domain, unless it
 * is a synchronizer's first stage. Domains are compared by their root clock: the top-level (or generated)
 * clock signal reached by following clock ports up through the hierarchy, so a child's {@code clk} and
 * its parent's are the same domain. Top-level inputs belong to no domain.
 */
public final class ClockDomainCheck implements Pass {
    @Override
    public String name() {
        return "clock-domain check";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        Dependencies deps = Dependencies.of(top);
        Analysis analysis = new Analysis(deps);
        for (ModuleNode module : IrWalk.modules(top)) {
            for (Signal signal : module.signals()) {
                if (signal.role() == SignalRole.REG && !signal.crossingAllowed()) {
                    Signal root = analysis.rootClock(signal.domain());
                    Map<Signal, Object> sources = analysis.sourceDomains(signal, true);
                    report(deps, root, sources, "register '" + signal.name() + "'",
                            deps.firstAssign.getOrDefault(signal, signal.location()), signal.owner(), errors);
                }
            }
            for (MemoryNode memory : module.memories()) {
                Signal root = analysis.rootClock(memory.domain());
                Map<Signal, Object> sources = new LinkedHashMap<>();
                for (Signal read : deps.memoryWriteReads.getOrDefault(memory, List.of())) {
                    analysis.mergeSources(sources, read);
                }
                report(deps, root, sources, "memory '" + memory.name() + "' (write port)",
                        deps.firstWrite.getOrDefault(memory, memory.location()), memory.owner(), errors);
            }
        }
    }

    private static void report(Dependencies deps, Signal root, Map<Signal, Object> sources, String what,
            SourceLocation where, ModuleNode module, List<HdlException> errors) {
        for (Map.Entry<Signal, Object> entry : sources.entrySet()) {
            if (entry.getKey() != root) {
                String witness = switch (entry.getValue()) {
                    case Signal s -> "register " + deps.describe(s);
                    case MemoryNode m -> "memory '" + m.name() + "' of " + m.owner().baseName();
                    default -> String.valueOf(entry.getValue());
                };
                errors.add(new ClockDomainCrossingException(where, what + " of " + module.baseName()
                        + " in the domain of clock '" + root.name() + "' samples " + witness
                        + " of the domain of clock '" + entry.getKey().name() + "' without a synchronizer"
                        + " (use dev.tellmej.hdl.lib.Synchronizer, or a FIFO with two clocks)"));
                return;
            }
        }
    }

    /** Root clocks and, per signal, the domains that reach it combinationally. */
    private static final class Analysis {
        private final Dependencies deps;
        private final Map<Signal, Map<Signal, Object>> memo = new IdentityHashMap<>();
        private final Set<Signal> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());

        Analysis(Dependencies deps) {
            this.deps = deps;
        }

        /** The clock signal at the root of a domain's clock, following ports and plain wires upward. */
        Signal rootClock(ClockDomainNode domain) {
            Signal clock = domain.clock();
            for (int guard = 0; guard < 10_000; guard++) {
                Signal next = deps.connectedTo.get(clock);
                if (next == null) {
                    next = deps.aliasOf.get(clock);
                }
                if (next == null) {
                    return clock;
                }
                clock = next;
            }
            return clock;
        }

        /**
         * Root clock -> a witness (register or memory) for every domain whose state reaches {@code signal}.
         * For a register itself ({@code throughRegister}), the domains its next value reads.
         */
        Map<Signal, Object> sourceDomains(Signal signal, boolean throughRegister) {
            if (signal.role() == SignalRole.REG && !throughRegister) {
                Map<Signal, Object> own = new LinkedHashMap<>();
                own.put(rootClock(signal.domain()), signal);
                return own;
            }
            Map<Signal, Object> cached = memo.get(signal);
            if (cached != null && !throughRegister) {
                return cached;
            }
            Map<Signal, Object> result = new LinkedHashMap<>();
            if (!inProgress.add(signal)) {
                return result; // a combinational loop; reported by its own check
            }
            for (Signal source : deps.readsOf(signal)) {
                mergeSources(result, source);
            }
            for (MemoryNode memory : deps.memoryReads.getOrDefault(signal, List.of())) {
                result.putIfAbsent(rootClock(memory.domain()), memory);
            }
            inProgress.remove(signal);
            if (!throughRegister) {
                memo.put(signal, result);
            }
            return result;
        }

        void mergeSources(Map<Signal, Object> into, Signal source) {
            sourceDomains(source, false).forEach(into::putIfAbsent);
        }
    }
}
