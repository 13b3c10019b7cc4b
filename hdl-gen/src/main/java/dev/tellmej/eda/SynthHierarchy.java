package dev.tellmej.eda;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cell tables of a hierarchical Yosys synthesis ({@code stat -top}), one per module: primitives and
 * instances of the design's other modules, each with its count. A module's totals expand its instances, so
 * the totals of each instance of the top, the top's own cells and the whole design can be read from one run.
 *
 * @param top     the top module
 * @param modules module name -> (cell type or module name -> count), in the order {@code stat} printed them
 */
public record SynthHierarchy(String top, Map<String, Map<String, Integer>> modules) {
    private static final Pattern SECTION = Pattern.compile("^=== (.+) ===$");
    private static final Pattern CELL_LINE = Pattern.compile("^\\s+(\\S+)\\s+(\\d+)\\s*$");

    public SynthHierarchy {
        Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
        modules.forEach((name, cells) -> copy.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(cells))));
        modules = Collections.unmodifiableMap(copy);
        if (!modules.containsKey(top)) {
            throw new IllegalArgumentException("Yosys printed no statistics for the top module " + top);
        }
    }

    /**
     * Reads every module's cell table from the output of {@code stat -top TOP} (the "design hierarchy" section,
     * which holds the totals, is not a module and is skipped).
     */
    public static SynthHierarchy parse(String top, String statOutput) {
        Map<String, Map<String, Integer>> modules = new LinkedHashMap<>();
        Map<String, Integer> cells = null;
        boolean inCells = false;
        for (String line : statOutput.lines().toList()) {
            Matcher section = SECTION.matcher(line.strip());
            if (section.matches()) {
                String name = section.group(1);
                cells = name.equals("design hierarchy") ? null : new LinkedHashMap<>();
                if (cells != null) {
                    modules.put(name.startsWith("\\") ? name.substring(1) : name, cells);
                }
                inCells = false;
                continue;
            }
            if (cells == null) {
                continue;
            }
            if (line.contains("Number of cells:")) {
                inCells = true;
                continue;
            }
            if (inCells) {
                Matcher cell = CELL_LINE.matcher(line);
                if (cell.matches()) {
                    String type = cell.group(1);
                    cells.merge(type.startsWith("\\") ? type.substring(1) : type, Integer.parseInt(cell.group(2)),
                            Integer::sum);
                } else if (!line.isBlank()) {
                    inCells = false;
                }
            }
        }
        return new SynthHierarchy(top, modules);
    }

    /** The primitives of {@code module} itself, without its instances of other modules. */
    public ResourceReport own(String module) {
        Map<String, Integer> cells = new LinkedHashMap<>();
        cellsOf(module).forEach((type, count) -> {
            if (!modules.containsKey(type)) {
                cells.put(type, count);
            }
        });
        return new ResourceReport(module, cells);
    }

    /** Every primitive of one instance of {@code module}, its instances' expanded. */
    public ResourceReport total(String module) {
        return new ResourceReport(module, expand(module, 0));
    }

    /** The whole design: the top's totals. */
    public ResourceReport total() {
        return total(top);
    }

    private Map<String, Integer> expand(String module, int depth) {
        if (depth > modules.size()) {
            throw new IllegalStateException("the module hierarchy under " + top + " has a cycle at " + module);
        }
        Map<String, Integer> cells = new LinkedHashMap<>();
        cellsOf(module).forEach((type, count) -> {
            if (modules.containsKey(type)) {
                expand(type, depth + 1).forEach((t, c) -> cells.merge(t, count * c, Integer::sum));
            } else {
                cells.merge(type, count, Integer::sum);
            }
        });
        return cells;
    }

    private Map<String, Integer> cellsOf(String module) {
        Map<String, Integer> cells = modules.get(module);
        if (cells == null) {
            throw new IllegalArgumentException("Yosys printed no statistics for module " + module + "; it has "
                    + String.join(", ", modules.keySet()));
        }
        return cells;
    }
}
