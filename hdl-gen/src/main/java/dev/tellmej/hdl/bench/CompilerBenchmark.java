package dev.tellmej.hdl.bench;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.check.IrStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measures elaboration (with every check pass) plus Verilog emission of a {@link SyntheticDesign}:
 * warm-up runs first, then the median of timed runs. Used by {@code tellme bench hdl}.
 */
public final class CompilerBenchmark {
    /**
     * One measurement.
     *
     * @param nodes        IR nodes of the design
     * @param verilogBytes size of the emitted Verilog
     * @param medianMillis median wall time of elaboration + checks + emission, in milliseconds
     * @param runsMillis   every timed run, in order
     */
    public record Result(long nodes, long verilogBytes, double medianMillis, List<Double> runsMillis) {}

    private CompilerBenchmark() {}

    /** Runs {@code warmups} untimed and {@code runs} timed compilations of a design with {@code lanes} x {@code depth}. */
    public static Result run(int lanes, int depth, int warmups, int runs) {
        long nodes = 0;
        long bytes = 0;
        for (int i = 0; i < warmups; i++) {
            compile(lanes, depth);
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            Design<SyntheticDesign> design = compile(lanes, depth);
            times.add((System.nanoTime() - start) / 1e6);
            nodes = IrStats.of(design.top().node()).nodes();
            bytes = design.definitions().values().stream().mapToLong(String::length).sum();
        }
        List<Double> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        return new Result(nodes, bytes, median, times);
    }

    private static Design<SyntheticDesign> compile(int lanes, int depth) {
        return Hdl.elaborate(() -> new SyntheticDesign(lanes, depth));
    }
}
