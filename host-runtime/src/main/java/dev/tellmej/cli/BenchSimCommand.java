package dev.tellmej.cli;

import dev.tellmej.sim.bench.SimBenchmark;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme bench sim}: the Verilator bridge on a design of about 3,000 flip-flops: Java driving
 * every clock against the same model looping in C++, downcall cost, cached load and cold build.
 */
@Command(name = "sim", description = "Cycles per second with Java driving every clock of a Verilated design"
        + " (about 3,000 flip-flops) against a C++ loop on the same model; downcall cost; cached load and cold"
        + " build times.")
final class BenchSimCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Range(min = 1, max = 256)
    @Option(names = "--lanes", defaultValue = "16", description = "Lanes of the benchmark design, about 190"
            + " flip-flops each (default ${DEFAULT-VALUE}).")
    int lanes;

    @Range(min = 1, max = 1e12)
    @Option(names = "--cycles", defaultValue = "1000000", description = "Cycles per timed run (default ${DEFAULT-VALUE}).")
    long cycles;

    @Range(min = 1, max = 1000)
    @Option(names = "--runs", defaultValue = "5", description = "Timed runs of each loop (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--no-cold-build", negatable = false, description = "Skip the cold build.")
    boolean noColdBuild;

    @Option(names = "--no-yosys", negatable = false, description = "Skip counting flip-flops with Yosys.")
    boolean noYosys;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(SimBenchmark.Report.class);
    }

    @Override
    public Integer call() {
        PrintWriter progress = json.progress();
        SimBenchmark.Report r = SimBenchmark.run(
                new SimBenchmark.Options(lanes, cycles, runs, !noColdBuild, !noYosys),
                line -> {
                    progress.println("  " + line);
                    progress.flush();
                });
        if (json.enabled()) {
            json.print(r);
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println();
        out.printf(Locale.ROOT, "design:               %s, %d register bits in the RTL%s%n", r.design(),
                r.registerBits(), r.yosysFlipFlops() >= 0 ? ", " + r.yosysFlipFlops() + " flip-flops after Yosys"
                        + " synth_xilinx" : "");
        out.printf(Locale.ROOT, "Java drives the clock: %,.0f cycles/s (median of %d runs of %,d cycles: %s)%n",
                r.javaCyclesPerSec(), runs, cycles, list(r.javaRuns()));
        out.printf(Locale.ROOT, "C++ loop, same model:  %,.0f cycles/s (%s)%n", r.nativeCyclesPerSec(),
                list(r.nativeRuns()));
        out.printf(Locale.ROOT, "Java / C++:            %.1f %%%n", 100 * r.ratio());
        out.printf(Locale.ROOT, "downcall:              %.1f ns (critical handle), %.1f ns (ordinary handle)%n",
                r.downcallNanos(), r.plainDowncallNanos());
        out.printf(Locale.ROOT, "cached model load:     %.3f s (cache lookup, library load, model creation)%n",
                r.cachedLoad().toNanos() / 1e9);
        if (r.coldBuild() != null) {
            out.printf(Locale.ROOT, "cold build:            %.1f s (empty cache, no ccache)%n",
                    r.coldBuild().toNanos() / 1e9);
        }
        return 0;
    }

    private static String list(double[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.0f", v)).collect(Collectors.joining(", "));
    }
}
