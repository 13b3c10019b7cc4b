package dev.tellmej.eda.timing;

import static dev.tellmej.eda.timing.ModuleGraph.*;

import dev.tellmej.eda.timing.TimingReport.PathPoint;
import dev.tellmej.eda.timing.TimingReport.PathStep;
import dev.tellmej.eda.timing.TimingReport.TimingPath;
import dev.tellmej.eda.timing.TimingReport.Verdict;
import dev.tellmej.eda.timing.YosysNetlist.Cell;
import dev.tellmej.eda.timing.YosysNetlist.NetName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Follows a module's worst paths back to their starts and on to their ends, through the instances they cross,
 * and names what they pass in source terms.
 */
final class PathTracer {
    private final SourceLocator sources;
    private final DelayModel model;
    private final List<Double> clocksMHz;
    private final Map<ModuleGraph, Map<Integer, ModuleGraph.Pass>> passes = new HashMap<>();

    PathTracer(SourceLocator sources, DelayModel model, List<Double> clocksMHz) {
        this.sources = sources;
        this.model = model;
        this.clocksMHz = clocksMHz;
    }

    /** What a path passes: counted while it is traced. */
    private static final class Counts {
        int luts;
        int muxes;
        int carryBits;
        final Set<String> hard = new TreeSet<>();
    }

    /**
     * The worst paths of {@code g} that end inside it, at most {@code limit}, none sharing its start or its end
     * signal family ({@link #key}) with a worse one; at most {@code examine} endpoints are looked at.
     */
    List<TimingPath> worst(ModuleGraph g, int limit, int examine) {
        List<Integer> endpoints = new ArrayList<>();
        for (int i = 0; i < g.epNode.size(); i++) {
            if (g.arr[g.epNode.get(i)] > NONE) {
                endpoints.add(i);
            }
        }
        endpoints.sort((x, y) -> {
            int c = Double.compare(total(g, y), total(g, x));
            return c != 0 ? c : Integer.compare(x, y);
        });
        List<TimingPath> paths = new ArrayList<>();
        Set<String> starts = new java.util.HashSet<>();
        Set<String> ends = new java.util.HashSet<>();
        int looked = 0;
        for (int ep : endpoints) {
            if (paths.size() == limit || looked++ == examine) {
                break;
            }
            int node = g.epNode.get(ep);
            PathPoint start = backward(g, node, g.arr, g.pred, "", 0, null, null, false);
            PathPoint end = end(g, ep, g.arr[node], "", null, null);
            if (!starts.contains(key(start)) && !ends.contains(key(end))) {
                starts.add(key(start));
                ends.add(key(end));
                paths.add(path(g, ep));
            }
        }
        return paths;
    }

    private static double total(ModuleGraph g, int ep) {
        return g.arr[g.epNode.get(ep)] + g.epExtra.get(ep);
    }

    /**
     * A start or end as a family of signals: its instance and name without the pin and without digits, so that the
     * bits of a register, and the same register in the other lanes of a unit, count as one.
     */
    static String key(PathPoint p) {
        return (p.instance() + "/" + p.signal().replaceAll(" \\(.*\\)$", "")).replaceAll("\\d+", "#");
    }

    /** The full path into endpoint {@code ep} of {@code g}. */
    TimingPath path(ModuleGraph g, int ep) {
        Counts counts = new Counts();
        List<PathStep> steps = new ArrayList<>();
        int node = g.epNode.get(ep);
        PathPoint start = backward(g, node, g.arr, g.pred, "", 0, steps, counts, false);
        Collections.reverse(steps);
        PathPoint end = end(g, ep, g.arr[node], "", steps, counts);
        double period = total(g, ep) + model.clockMargin();
        Set<String> java = new LinkedHashSet<>();
        addJava(java, start.source());
        steps.forEach(s -> addJava(java, s.source()));
        addJava(java, end.source());
        return new TimingPath(g.module.name(), period, 1000 / period, counts.luts, counts.muxes, counts.carryBits,
                List.copyOf(counts.hard), start, end, steps, List.copyOf(java), verdicts(period));
    }

    List<Verdict> verdicts(double periodNs) {
        return clocksMHz.stream().map(mhz -> periodNs <= DelayModel.periodNs(mhz) + 1e-9 ? Verdict.PASS : Verdict.OVER)
                .toList();
    }

    private static void addJava(Set<String> java, String source) {
        if (source.matches(".*\\.java:\\d+")) {
            java.add(source);
        }
    }

    private ModuleGraph.Pass pass(ModuleGraph child, int port) {
        return passes.computeIfAbsent(child, k -> new HashMap<>()).computeIfAbsent(port, child::combinationalPass);
    }

    /**
     * Walks from {@code node} back to the path's start, adding the cells passed to {@code reversed} (last first)
     * when it is not null; returns the start, or null in {@code throughPort} mode, which stops at the input port
     * a pass from one port started at.
     */
    private PathPoint backward(ModuleGraph g, int node, double[] arrival, int[] pred, String prefix, double offset,
                               List<PathStep> reversed, Counts counts, boolean throughPort) {
        int n = node;
        while (true) {
            int e = pred[n];
            if (e < 0) {
                return throughPort ? null : start(g, n, prefix, reversed, counts);
            }
            byte kind = g.eKind.get(e);
            if (kind == E_INSTANCE_ARC) {
                if (reversed != null) {
                    int c = g.eCell.get(e);
                    ModuleGraph child = g.children[c];
                    ModuleGraph.Pass pass = pass(child, g.eAux.get(e));
                    backward(child, g.eAux2.get(e), pass.arrival(), pass.pred(), prefix + instance(g, c),
                            offset + arrival[g.eFrom.get(e)], reversed, counts, true);
                }
            } else if (kind != E_TRANSPARENT && kind != E_INSTANCE_IN && kind != E_DSP) {
                step(g, e, n, prefix, offset + arrival[n], reversed, counts);
            }
            n = g.eFrom.get(e);
        }
    }

    /** Walks from {@code node}, reached at {@code time}, on along the longest way to an endpoint. */
    private PathPoint forward(ModuleGraph g, int node, double time, String prefix, List<PathStep> steps,
                              Counts counts) {
        int n = node;
        double t = time;
        while (true) {
            int s = g.succ[n];
            if (s <= -2) {
                return end(g, -(s + 2), t, prefix, steps, counts);
            }
            if (s == -1) {
                return new PathPoint(prefix, "", "", "");
            }
            byte kind = g.eKind.get(s);
            int to = g.eTo.get(s);
            if (kind == E_INSTANCE_ARC) {
                if (steps != null) {
                    int c = g.eCell.get(s);
                    ModuleGraph child = g.children[c];
                    ModuleGraph.Pass pass = pass(child, g.eAux.get(s));
                    List<PathStep> inside = new ArrayList<>();
                    backward(child, g.eAux2.get(s), pass.arrival(), pass.pred(), prefix + instance(g, c), t, inside,
                            counts, true);
                    Collections.reverse(inside);
                    steps.addAll(inside);
                }
            } else if (kind != E_TRANSPARENT && kind != E_INSTANCE_IN && kind != E_DSP) {
                step(g, s, to, prefix, t + g.eDelay.get(s), steps, counts);
            }
            t += g.eDelay.get(s);
            n = to;
        }
    }

    private static String instance(ModuleGraph g, int c) {
        return g.module.cells().get(c).name() + "/";
    }

    private static String strip(String prefix) {
        return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    private void step(ModuleGraph g, int e, int output, String prefix, double arrival, List<PathStep> steps,
                      Counts counts) {
        if (steps == null) {
            return;
        }
        int c = g.eCell.get(e);
        Cell cell = g.module.cells().get(c);
        switch (g.eKind.get(e)) {
            case E_LUT -> counts.luts++;
            case E_MUXF -> counts.muxes++;
            case E_CARRY -> counts.carryBits += g.eAux.get(e);
            case E_LUTRAM -> {
                counts.luts++;
                counts.hard.add("distributed RAM " + cell.type() + " " + describe(g, c) + " read");
            }
            case E_SRL -> {
                counts.luts++;
                counts.hard.add("shift register " + cell.type() + " " + describe(g, c) + " read");
            }
            case E_DSP_OUT -> counts.hard.add("DSP48E2 " + describe(g, c) + " without " + g.dsps.get(c).missing());
            default -> { }
        }
        String signal = output < g.bits ? g.signal(output, false) : "";
        steps.add(new PathStep(strip(prefix), cell.type(), signal, source(g, output, c), arrival));
    }

    private PathPoint start(ModuleGraph g, int n, String prefix, List<PathStep> reversed, Counts counts) {
        byte kind = g.startKind[n];
        int c = g.startCell[n];
        if (kind == S_INSTANCE) {
            ModuleGraph child = g.children[c];
            return backward(child, g.startAux[n], child.arr, child.pred, prefix + instance(g, c), 0, reversed,
                    counts, false);
        }
        if (kind == S_PORT) {
            return new PathPoint(strip(prefix), "port", g.signal(n, true), source(g, n, -1));
        }
        Cell cell = g.module.cells().get(c);
        if (counts != null) {
            switch (kind) {
                case S_BRAM, S_URAM -> {
                    if (g.startAux[n] == 0) {
                        counts.hard.add(cell.type() + " " + describe(g, c) + " read without "
                                + ModuleGraph.outputRegister(cell, pinOf(cell, n)));
                    }
                }
                case S_LUTRAM -> counts.hard.add("distributed RAM " + cell.type() + " " + describe(g, c));
                case S_SRL -> counts.hard.add("shift register " + cell.type() + " " + describe(g, c));
                case S_DSP_INTERNAL -> {
                    if (!g.dsps.get(c).missing().isEmpty()) {
                        counts.hard.add("DSP48E2 " + describe(g, c) + " without " + g.dsps.get(c).missing());
                    }
                }
                default -> { }
            }
        }
        if (kind == S_DSP_INTERNAL) {
            return new PathPoint(strip(prefix), cell.type(), describe(g, c) + " (inner register)",
                    sources.describe(cell.src()));
        }
        String signal = n < g.bits ? g.signal(n, false) : "";
        return new PathPoint(strip(prefix), cell.type(), signal.isEmpty() ? describe(g, c) : signal, source(g, n, c));
    }

    private PathPoint end(ModuleGraph g, int ep, double time, String prefix, List<PathStep> steps, Counts counts) {
        byte kind = g.epKind.get(ep);
        int c = g.epCell.get(ep);
        if (kind == P_INSTANCE) {
            return forward(g.children[c], g.epAux.get(ep), time, prefix + instance(g, c), steps, counts);
        }
        if (kind == P_PORT) {
            int bit = g.epAux.get(ep);
            return new PathPoint(strip(prefix), "port", g.signal(bit, true), source(g, bit, -1));
        }
        Cell cell = g.module.cells().get(c);
        String pin = g.epPin.get(ep);
        if (kind == P_FF) {
            int q = g.epAux.get(ep);
            String signal = q >= 2 ? g.signal(q, false) : "";
            return new PathPoint(strip(prefix), cell.type(), (signal.isEmpty() ? describe(g, c) : signal)
                    + (pin.equals("D") ? "" : " (" + pin + ")"), q >= 2 ? source(g, q, c) : sources.describe(cell.src()));
        }
        if (kind == P_DSP_INTERNAL) {
            if (counts != null && !g.dsps.get(c).missing().isEmpty()) {
                counts.hard.add("DSP48E2 " + describe(g, c) + " without " + g.dsps.get(c).missing());
            }
            return new PathPoint(strip(prefix), cell.type(), describe(g, c) + " (inner register)",
                    sources.describe(cell.src()));
        }
        String source = cellSource(cell);
        int output = source.isEmpty() ? namedOutput(g, c) : -1;
        return new PathPoint(strip(prefix), cell.type(), describe(g, c) + "." + pin + "[" + g.epIndex.get(ep) + "]",
                output >= 0 ? source(g, output, c) : source);
    }

    /** The first output bit of cell {@code c} that has a source name, or -1. */
    private static int namedOutput(ModuleGraph g, int c) {
        Cell cell = g.module.cells().get(c);
        for (Map.Entry<String, int[]> pin : cell.connections().entrySet()) {
            if (cell.directions().get(pin.getKey()) != YosysNetlist.Direction.OUTPUT) {
                continue;
            }
            for (int b : pin.getValue()) {
                if (b >= 2 && b < g.bits && !g.signal(b, false).isEmpty()) {
                    return b;
                }
            }
        }
        return -1;
    }

    private static String pinOf(Cell cell, int bit) {
        for (Map.Entry<String, int[]> pin : cell.connections().entrySet()) {
            for (int b : pin.getValue()) {
                if (b == bit) {
                    return pin.getKey();
                }
            }
        }
        return "";
    }

    /**
     * A cell by its name where the source gave it one ({@code chunk_buffer.0.0}), else by the signal it drives
     * (a shift register by the register it replaced), else by where it comes from.
     */
    String describe(ModuleGraph g, int c) {
        Cell cell = g.module.cells().get(c);
        if (!cell.name().startsWith("$")) {
            return cell.name();
        }
        int output = namedOutput(g, c);
        if (output >= 0) {
            return g.signal(output, false).replaceAll("\\[\\d+\\]$", "");
        }
        String source = cellSource(cell);
        if (source.isEmpty()) {
            int any = firstOutput(g, c);
            source = any >= 0 ? source(g, any, c) : "";
        }
        return source.isEmpty() ? "(unnamed)" : "at " + source;
    }

    private static int firstOutput(ModuleGraph g, int c) {
        Cell cell = g.module.cells().get(c);
        for (Map.Entry<String, int[]> pin : cell.connections().entrySet()) {
            if (cell.directions().get(pin.getKey()) == YosysNetlist.Direction.OUTPUT) {
                for (int b : pin.getValue()) {
                    if (b >= 2 && b < g.bits) {
                        return b;
                    }
                }
            }
        }
        return -1;
    }

    private String cellSource(Cell cell) {
        String source = sources.describe(cell.src());
        return source.isEmpty() ? sources.describeName(cell.name()) : source;
    }

    /** Where {@code bit} (driven by cell {@code c}, or -1) comes from: its net's declaration, else the cell's. */
    private String source(ModuleGraph g, int bit, int c) {
        NetName net = bit >= 2 && bit < g.bits ? g.netName(bit) : null;
        String source = "";
        if (net != null) {
            source = sources.describe(net.src());
            if (source.isEmpty() && net.hidden()) {
                source = sources.describeName(net.name());
            }
        }
        if (source.isEmpty() && c >= 0) {
            source = cellSource(g.module.cells().get(c));
        }
        return source;
    }
}
