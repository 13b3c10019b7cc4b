package dev.tellmej.eda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs Yosys {@code synth_xilinx -family xcup} (UltraScale+, the KV260's XCK26) on Verilog files, flattened
 * and without I/O or clock buffers (the design is a kernel inside a platform), and reads the cell counts.
 */
public final class YosysSynth {
    private static final Pattern CELL_LINE = Pattern.compile("^\\s+([A-Za-z_][A-Za-z0-9_$]*)\\s+(\\d+)\\s*$");

    private YosysSynth() {}

    /**
     * Synthesizes {@code files} with top module {@code top}, working in {@code dir} (the log goes to
     * {@code dir/yosys-<top>.log}).
     *
     * @throws ToolFailedException when Yosys fails, with the end of its log
     */
    public static ResourceReport run(Path dir, List<Path> files, String top, Duration timeout) {
        return parse(top, synthesize(dir, files, top, timeout, true));
    }

    /**
     * Like {@link #run}, but keeps the hierarchy: each module is synthesized once, however often it is
     * instantiated, and the counts are the totals of the hierarchy ({@code stat -top}). Much faster for designs
     * of many identical lanes; nothing is optimized across module boundaries, so LUT counts come out somewhat
     * higher than flattened.
     */
    public static ResourceReport runHierarchical(Path dir, List<Path> files, String top, Duration timeout) {
        return parse(top, synthesize(dir, files, top, timeout, false));
    }

    /**
     * Like {@link #runHierarchical}, but returns every module's cell table, from which the totals of each
     * instance can be read ({@link SynthHierarchy}).
     */
    public static SynthHierarchy runHierarchy(Path dir, List<Path> files, String top, Duration timeout) {
        return SynthHierarchy.parse(top, synthesize(dir, files, top, timeout, false));
    }

    /**
     * Like {@link #runHierarchy}, and writes the mapped netlist, hierarchy kept, as Yosys JSON ({@code json -o}) to
     * {@code dir/yosys-<top>.json}, for {@link dev.tellmej.eda.timing.TimingAnalysis}.
     *
     * @return the netlist file and the cell tables
     */
    public static Netlist runNetlist(Path dir, List<Path> files, String top, Duration timeout) {
        Path json = dir.resolve("yosys-" + top + ".json");
        SynthHierarchy hierarchy = SynthHierarchy.parse(top, synthesize(dir, files, top, timeout, false, json));
        return new Netlist(json, hierarchy);
    }

    /**
     * A synthesized design's mapped netlist.
     *
     * @param json      the netlist as Yosys JSON (every module once, the hierarchy kept, no library cells)
     * @param hierarchy every module's cell table
     */
    public record Netlist(Path json, SynthHierarchy hierarchy) {}

    /** Runs the synthesis and returns what {@code stat} printed. */
    private static String synthesize(Path dir, List<Path> files, String top, Duration timeout, boolean flatten) {
        return synthesize(dir, files, top, timeout, flatten, null);
    }

    /** Runs the synthesis, writing the netlist to {@code json} unless that is null; returns what {@code stat} printed. */
    private static String synthesize(Path dir, List<Path> files, String top, Duration timeout, boolean flatten,
                                     Path json) {
        List<String> reads = new ArrayList<>();
        for (Path file : files) {
            reads.add("read_verilog -defer " + file.toAbsolutePath());
        }
        Path stat = dir.resolve("yosys-" + top + ".stat");
        Path log = dir.resolve("yosys-" + top + ".log");
        // The script goes into a file beside the log: a failure's message then names a short command line, and
        // the run can be repeated by hand (yosys -s FILE).
        Path script = dir.resolve("yosys-" + top + ".ys");
        String commands = String.join("\n", reads) + "\nsynth_xilinx -family xcup -top " + top
                + (flatten ? " -flatten" : "") + " -noiopad -noclkbuf\ntee -q -o " + stat.toAbsolutePath()
                + (flatten ? " stat" : " stat -top " + top) + "\n"
                // 'json' writes the selected modules: the design's, without Yosys's cell library (write_json would
                // add thousands of blackbox modules).
                + (json == null ? "" : "json -o " + json.toAbsolutePath() + "\n");
        try {
            Files.writeString(script, commands);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Yosys script " + script, e);
        }
        ExternalCommand.of(EdaTool.YOSYS.require().toString(), "-q", "-l", log.toAbsolutePath().toString(), "-s",
                script.toAbsolutePath().toString())
                .directory(dir).timeout(timeout).run().requireSuccess("synthesize " + top + " with Yosys (log: " + log
                        + ")");
        try {
            return Files.readString(stat);
        } catch (IOException e) {
            throw new UncheckedIOException("Yosys wrote no statistics to " + stat, e);
        }
    }

    /**
     * Reads the cell table of a {@code stat} report: the last one, which is the flattened top or, with
     * {@code -top}, the totals of the design hierarchy.
     */
    static ResourceReport parse(String top, String statOutput) {
        Map<String, Integer> cells = new LinkedHashMap<>();
        boolean inCells = false;
        for (String line : statOutput.lines().toList()) {
            if (line.contains("Number of cells:")) {
                inCells = true;
                cells.clear();
                continue;
            }
            if (inCells) {
                Matcher matcher = CELL_LINE.matcher(line);
                if (matcher.matches()) {
                    cells.merge(matcher.group(1), Integer.parseInt(matcher.group(2)), Integer::sum);
                } else if (!line.isBlank()) {
                    inCells = false;
                }
            }
        }
        return new ResourceReport(top, cells);
    }
}
