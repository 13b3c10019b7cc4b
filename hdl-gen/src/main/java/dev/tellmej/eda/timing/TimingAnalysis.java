package dev.tellmej.eda.timing;

import dev.tellmej.eda.timing.TimingReport.Clock;
import dev.tellmej.eda.timing.TimingReport.ModuleResult;
import dev.tellmej.eda.timing.TimingReport.TimingPath;
import dev.tellmej.eda.timing.TimingReport.UnregisteredOutput;
import dev.tellmej.eda.timing.TimingReport.Verdict;
import dev.tellmej.eda.timing.YosysNetlist.Cell;
import dev.tellmej.eda.timing.YosysNetlist.Module;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Logic depth of a Yosys {@code synth_xilinx} netlist kept hierarchical, as a timing proxy: no open-source static
 * timing analyser models UltraScale+, so this adds up typical delays ({@link DelayModel}) along every path from a
 * clocked output (flip-flop, RAM, DSP register, and the top's input ports) to a clocked input (and the top's
 * output ports), and reports per module the clock period its worst path needs, with its LUT levels, carry bits
 * and DSP or RAM stages without registers.
 *
 * <p>Paths cross module boundaries: each module is analysed once, children first, and summarised for its parents
 * (when each output bit settles, how long each input bit has to reach a register inside, and the delay from each
 * input port to each output bit), so a path from a register in one instance through another into a register of a
 * third is counted whole, in the lowest module that holds both its ends. Not modelled: placement and routing (a
 * net's delay depends only on its fanout), clock skew beyond a fixed margin, several clock domains (every
 * flip-flop is taken to share one clock), and what lies outside the top's ports (its inputs count as settled at
 * the clock edge, its outputs as due at the next).
 */
public final class TimingAnalysis {
    /** How many endpoints per module are looked at (at least) to find its worst distinct paths. */
    private static final int EXAMINE = 20_000;
    /** How many of the whole design's worst paths a report lists unless asked for another count. */
    public static final int DEFAULT_WORST_PATHS = 10;

    private TimingAnalysis() {}

    /**
     * Analyses the hierarchy under {@code top} against each clock of {@code clocksMHz}.
     *
     * @param sources names the Verilog and Java lines of signals and cells
     * @throws IllegalArgumentException when the netlist has no module {@code top}, or its hierarchy is recursive
     */
    public static TimingReport analyze(YosysNetlist netlist, String top, DelayModel model, List<Double> clocksMHz,
                                       SourceLocator sources) {
        return analyze(netlist, top, model, clocksMHz, sources, DEFAULT_WORST_PATHS);
    }

    /**
     * As {@link #analyze(YosysNetlist, String, DelayModel, List, SourceLocator)}, listing the design's
     * {@code worstPaths} worst paths (no two sharing a start or an end register) instead of ten.
     *
     * @throws IllegalArgumentException when {@code worstPaths} is below 1, the netlist has no module {@code top},
     *                                  or its hierarchy is recursive
     */
    public static TimingReport analyze(YosysNetlist netlist, String top, DelayModel model, List<Double> clocksMHz,
                                       SourceLocator sources, int worstPaths) {
        if (worstPaths < 1) {
            throw new IllegalArgumentException("the report lists at least one worst path, not " + worstPaths);
        }
        Map<String, Module> modules = netlist.modules();
        if (!modules.containsKey(top)) {
            throw new IllegalArgumentException("the netlist has no module " + top + "; it has "
                    + String.join(", ", modules.keySet()));
        }
        List<Double> clocks = clocksMHz.stream().sorted(Comparator.reverseOrder()).toList();
        List<String> postOrder = new ArrayList<>();
        order(top, modules, new java.util.LinkedHashSet<>(), new HashSet<>(), postOrder);
        Map<String, Long> instances = instanceCounts(top, modules, postOrder);

        Map<String, ModuleGraph> graphs = new LinkedHashMap<>();
        for (String name : postOrder) {
            ModuleGraph graph = new ModuleGraph(modules.get(name), name.equals(top), model, graphs);
            graph.analyse();
            graphs.put(name, graph);
        }

        PathTracer tracer = new PathTracer(sources, model, clocks);
        List<ModuleResult> results = new ArrayList<>();
        List<TimingPath> all = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int absorbed = 0;
        List<Unregistered> unregistered = new ArrayList<>();
        for (ModuleGraph graph : graphs.values()) {
            String name = graph.module.name();
            graph.warnings.forEach(w -> warnings.add(name + ": " + w));
            warnings.addAll(loopWarnings(graph, tracer));
            absorbed += graph.absorbedDsps;
            unregistered.addAll(unregistered(graph, model, tracer));
            List<TimingPath> worst = tracer.worst(graph, worstPaths, Math.max(EXAMINE, 2 * worstPaths));
            all.addAll(worst);
            if (!worst.isEmpty()) {
                TimingPath w = worst.getFirst();
                results.add(new ModuleResult(name, Math.toIntExact(Math.min(Integer.MAX_VALUE, instances.get(name))),
                        graph.module.cells().size(), w.periodNs(), w.fmaxMHz(), w.lutLevels(), w.carryBits(),
                        w.hardCells(), w.start(), w.end(), w.verdicts()));
            }
        }
        results.sort(Comparator.comparingDouble(ModuleResult::periodNs).reversed()
                .thenComparing(ModuleResult::module));
        all.sort(Comparator.comparingDouble(TimingPath::periodNs).reversed().thenComparing(TimingPath::module)
                .thenComparing(p -> p.start().instance() + "/" + p.start().signal())
                .thenComparing(p -> p.end().instance() + "/" + p.end().signal()));
        List<TimingPath> listed = new ArrayList<>();
        Set<String> starts = new HashSet<>();
        Set<String> ends = new HashSet<>();
        for (TimingPath path : all) {
            String start = path.module() + ":" + PathTracer.key(path.start());
            String end = path.module() + ":" + PathTracer.key(path.end());
            if (listed.size() < worstPaths && !starts.contains(start) && !ends.contains(end)) {
                starts.add(start);
                ends.add(end);
                listed.add(path);
            }
        }

        List<Clock> clockResults = new ArrayList<>();
        for (int i = 0; i < clocks.size(); i++) {
            int k = i;
            int over = (int) results.stream().filter(r -> r.verdicts().get(k) == Verdict.OVER).count();
            clockResults.add(new Clock(clocks.get(i), DelayModel.periodNs(clocks.get(i)),
                    over == 0 ? Verdict.PASS : Verdict.OVER, over));
        }
        return new TimingReport(top, model, clockResults, results, listed, group(unregistered), absorbed, warnings);
    }

    /** The loops cut in {@code g}, described; alike ones once, with their count. */
    private static List<String> loopWarnings(ModuleGraph g, PathTracer tracer) {
        String name = g.module.name();
        Map<String, Integer> loops = new LinkedHashMap<>();
        for (ModuleGraph.Loop loop : g.loops) {
            loops.merge("a combinational loop through " + String.join(", ", loop.cells().stream()
                    .map(c -> g.module.cells().get(c).type() + " " + tracer.describe(g, c)).toList())
                    + " was cut at " + g.module.cells().get(loop.cutAt()).type() + " "
                    + tracer.describe(g, loop.cutAt()), 1, Integer::sum);
        }
        List<String> warnings = new ArrayList<>();
        loops.forEach((loop, count) -> warnings.add(name + ": " + loop + (count > 1 ? " (" + count + " such loops)"
                : "") + " (Yosys's mapping: ABC can share a LUT across a comparison's carry chain, which it sees only"
                + " as a box)"));
        if (g.loopCount > g.loops.size()) {
            warnings.add(name + ": " + g.loopCount + " combinational loops cut in all, the first " + g.loops.size()
                    + " named above");
        }
        return warnings;
    }

    /** Modules under {@code name}, children before parents. */
    private static void order(String name, Map<String, Module> modules, Set<String> open, Set<String> done,
                              List<String> out) {
        if (done.contains(name)) {
            return;
        }
        if (!open.add(name)) {
            throw new IllegalArgumentException("module " + name + " instantiates itself, through "
                    + String.join(", ", open));
        }
        for (Cell cell : modules.get(name).cells()) {
            if (modules.containsKey(cell.type())) {
                order(cell.type(), modules, open, done, out);
            }
        }
        open.remove(name);
        done.add(name);
        out.add(name);
    }

    private static Map<String, Long> instanceCounts(String top, Map<String, Module> modules, List<String> postOrder) {
        Map<String, Long> counts = new HashMap<>();
        postOrder.forEach(n -> counts.put(n, 0L));
        counts.put(top, 1L);
        for (int i = postOrder.size() - 1; i >= 0; i--) {
            String name = postOrder.get(i);
            long n = counts.get(name);
            for (Cell cell : modules.get(name).cells()) {
                if (modules.containsKey(cell.type())) {
                    counts.merge(cell.type(), n, Long::sum);
                }
            }
        }
        return counts;
    }

    /** One DSP or RAM cell whose output register is off. */
    private record Unregistered(String module, String cellType, String missing, boolean feedsLogic, String cell,
            double worstPeriodNs) {}

    private static List<Unregistered> unregistered(ModuleGraph g, DelayModel model, PathTracer tracer) {
        List<Unregistered> found = new ArrayList<>();
        List<Cell> cells = g.module.cells();
        for (int c = 0; c < cells.size(); c++) {
            Cell cell = cells.get(c);
            CellKind kind = g.kinds[c];
            Map<String, List<Integer>> byRegister = new LinkedHashMap<>();
            if (kind == CellKind.DSP) {
                DspPipeline dsp = g.dsps.get(c);
                if (dsp.preg) {
                    continue;
                }
                for (Map.Entry<String, int[]> pin : cell.connections().entrySet()) {
                    String name = pin.getKey();
                    if (cell.directions().get(name) == YosysNetlist.Direction.OUTPUT && !name.equals("ACOUT")
                            && !name.equals("BCOUT")) {
                        for (int b : pin.getValue()) {
                            byRegister.computeIfAbsent(dsp.missing(), k -> new ArrayList<>()).add(b);
                        }
                    }
                }
            } else if (kind == CellKind.BRAM || kind == CellKind.URAM) {
                for (Map.Entry<String, int[]> pin : cell.connections().entrySet()) {
                    String name = pin.getKey();
                    if (cell.directions().get(name) == YosysNetlist.Direction.OUTPUT
                            && !ModuleGraph.outputRegistered(cell, name)) {
                        for (int b : pin.getValue()) {
                            byRegister.computeIfAbsent(ModuleGraph.outputRegister(cell, name), k -> new ArrayList<>())
                                    .add(b);
                        }
                    }
                }
            }
            for (Map.Entry<String, List<Integer>> register : byRegister.entrySet()) {
                boolean used = false;
                boolean[] logic = {false};
                double worst = ModuleGraph.NONE;
                for (int b : register.getValue()) {
                    if (g.fanout(b) == 0) {
                        continue;
                    }
                    used = true;
                    g.loads(b, (sink, pin) -> logic[0] |= sink < 0 || g.kinds[sink] != CellKind.FLIP_FLOP
                            || !pin.equals("D"));
                    if (g.arr[b] > ModuleGraph.NONE && g.req[b] > ModuleGraph.NONE) {
                        worst = Math.max(worst, g.arr[b] + g.req[b]);
                    }
                }
                if (used) {
                    found.add(new Unregistered(g.module.name(), cell.type(), register.getKey(), logic[0],
                            tracer.describe(g, c),
                            worst > ModuleGraph.NONE ? worst + model.clockMargin() : Double.NaN));
                }
            }
        }
        return found;
    }

    private static List<UnregisteredOutput> group(List<Unregistered> cells) {
        Map<String, List<Unregistered>> groups = new LinkedHashMap<>();
        for (Unregistered u : cells) {
            groups.computeIfAbsent(u.module() + "|" + u.cellType() + "|" + u.missing() + "|" + u.feedsLogic(),
                    k -> new ArrayList<>()).add(u);
        }
        List<UnregisteredOutput> out = new ArrayList<>();
        for (List<Unregistered> group : groups.values()) {
            Unregistered first = group.getFirst();
            double worst = group.stream().mapToDouble(Unregistered::worstPeriodNs).filter(d -> !Double.isNaN(d))
                    .max().orElse(Double.NaN);
            out.add(new UnregisteredOutput(first.module(), first.cellType(), first.missing(), group.size(),
                    first.feedsLogic(), first.cell(), worst));
        }
        out.sort(Comparator.comparingDouble((UnregisteredOutput u) -> Double.isNaN(u.worstPeriodNs())
                ? Double.NEGATIVE_INFINITY : u.worstPeriodNs()).reversed()
                .thenComparing(UnregisteredOutput::module).thenComparing(UnregisteredOutput::cellType)
                .thenComparing(UnregisteredOutput::missing));
        return out;
    }
}
