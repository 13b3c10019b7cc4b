package dev.tellmej.hdl.check;

import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * No signal may depend on itself without a register on the way, within a module or across instance
 * boundaries. Each loop is reported once, with every signal on it in order.
 */
public final class CombinationalLoopCheck implements Pass {
    @Override
    public String name() {
        return "combinational loop check";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        Dependencies deps = Dependencies.of(top);
        for (List<Signal> component : stronglyConnected(deps)) {
            List<Signal> loop = cycleWithin(component, deps);
            List<String> steps = new ArrayList<>(loop.size());
            for (Signal signal : loop) {
                steps.add(deps.describe(signal));
            }
            Signal first = loop.getFirst();
            errors.add(new CombinationalLoopException(deps.firstAssign.getOrDefault(first, first.location()), steps));
        }
    }

    /** Edges run from a signal to the signals it reads; registers read nothing combinationally. */
    private static List<Signal> combinationalReads(Signal signal, Dependencies deps) {
        if (signal.role() == SignalRole.REG) {
            return List.of();
        }
        List<Signal> out = new ArrayList<>();
        for (Signal source : deps.readsOf(signal)) {
            if (source.role() != SignalRole.REG) {
                out.add(source);
            }
        }
        return out;
    }

    /** Tarjan's algorithm, iterative; returns components that contain a cycle, in discovery order. */
    private static List<List<Signal>> stronglyConnected(Dependencies deps) {
        Map<Signal, Integer> index = new IdentityHashMap<>();
        Map<Signal, Integer> low = new IdentityHashMap<>();
        Set<Signal> onStack = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Signal> stack = new ArrayDeque<>();
        List<List<Signal>> result = new ArrayList<>();
        int[] counter = {0};
        for (Signal root : deps.reads.keySet().stream().sorted(java.util.Comparator.comparing(Signal::toString)).toList()) {
            if (index.containsKey(root)) {
                continue;
            }
            Deque<Object[]> work = new ArrayDeque<>();
            work.push(new Object[] {root, combinationalReads(root, deps), 0});
            index.put(root, counter[0]);
            low.put(root, counter[0]++);
            stack.push(root);
            onStack.add(root);
            while (!work.isEmpty()) {
                Object[] frame = work.peek();
                Signal node = (Signal) frame[0];
                @SuppressWarnings("unchecked")
                List<Signal> next = (List<Signal>) frame[1];
                int i = (Integer) frame[2];
                if (i < next.size()) {
                    frame[2] = i + 1;
                    Signal successor = next.get(i);
                    if (!index.containsKey(successor)) {
                        index.put(successor, counter[0]);
                        low.put(successor, counter[0]++);
                        stack.push(successor);
                        onStack.add(successor);
                        work.push(new Object[] {successor, combinationalReads(successor, deps), 0});
                    } else if (onStack.contains(successor)) {
                        low.put(node, Math.min(low.get(node), index.get(successor)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    Signal parent = (Signal) work.peek()[0];
                    low.put(parent, Math.min(low.get(parent), low.get(node)));
                }
                if (low.get(node).equals(index.get(node))) {
                    List<Signal> component = new ArrayList<>();
                    Signal member;
                    do {
                        member = stack.pop();
                        onStack.remove(member);
                        component.add(member);
                    } while (member != node);
                    if (component.size() > 1 || combinationalReads(node, deps).contains(node)) {
                        result.add(component);
                    }
                }
            }
        }
        return result;
    }

    /** One cycle through the component, in data-flow order, starting at its first-declared signal. */
    private static List<Signal> cycleWithin(List<Signal> component, Dependencies deps) {
        Set<Signal> members = Collections.newSetFromMap(new IdentityHashMap<>());
        members.addAll(component);
        Signal start = component.stream().min(java.util.Comparator.comparing(Signal::toString)).orElseThrow();
        // Breadth-first search along "reads" edges from start back to start.
        Map<Signal, Signal> parent = new IdentityHashMap<>();
        Deque<Signal> queue = new ArrayDeque<>();
        queue.add(start);
        Signal last = null;
        search:
        while (!queue.isEmpty()) {
            Signal node = queue.poll();
            for (Signal source : combinationalReads(node, deps)) {
                if (!members.contains(source)) {
                    continue;
                }
                if (source == start) {
                    last = node;
                    break search;
                }
                if (!parent.containsKey(source)) {
                    parent.put(source, node);
                    queue.add(source);
                }
            }
        }
        List<Signal> readsChain = new ArrayList<>();
        for (Signal node = last; node != null && node != start; node = parent.get(node)) {
            readsChain.add(node);
        }
        // readsChain runs from the signal that reads start back to start, which is data-flow order;
        // start goes first so the report begins (and is located) at the first-named signal.
        readsChain.addFirst(start);
        return readsChain;
    }
}
