package dev.tellmej.sim.bench;

import dev.tellmej.eda.ResourceReport;
import dev.tellmej.eda.YosysSynth;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.check.IrWalk;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Signal;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.sim.Port;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimOptions;
import dev.tellmej.sim.VerilatorBuild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Measures the simulation bridge on {@link BenchDesign}: cycles per second with Java driving every clock
 * (poke the input, step one cycle, peek the output) against the same model looping in C++ (the shim's
 * {@code tlm_bench}, which takes the same native cycle), side by side, several runs each; the cost of
 * an empty downcall; the time to open a cached model; and the time of a cold build. The two loops run
 * on two fresh models first to check they compute the same checksum.
 */
public final class SimBenchmark {
    private SimBenchmark() {}

    /**
     * What to measure.
     *
     * @param lanes     BenchDesign lanes (16: about 3,000 flip-flops)
     * @param cycles    cycles per timed run
     * @param runs      timed runs of each loop (the median is reported)
     * @param coldBuild also build the design into a fresh temporary cache without ccache
     * @param yosys     count flip-flops with Yosys {@code synth_xilinx} (else only the RTL register bits)
     */
    public record Options(int lanes, long cycles, int runs, boolean coldBuild, boolean yosys) {
        public static final Options DEFAULT = new Options(16, 1_000_000, 5, true, true);
    }

    /**
     * The figures.
     *
     * @param design            the design's Verilog name
     * @param registerBits      flip-flops of the RTL: the widths of every register of the hierarchy
     * @param yosysFlipFlops    flip-flops after Yosys {@code synth_xilinx}, or -1 when not run
     * @param javaCyclesPerSec  median of the Java-driven runs
     * @param nativeCyclesPerSec median of the C++ loop runs
     * @param javaRuns          every Java-driven run, cycles per second
     * @param nativeRuns        every C++ loop run, cycles per second
     * @param downcallNanos     an empty call through a critical downcall handle
     * @param plainDowncallNanos an empty call through an ordinary downcall handle
     * @param cachedLoad        opening the model from the cache: lookup, library load, model creation
     * @param coldBuild         a build into an empty cache without ccache, or null when not run
     */
    public record Report(String design, long registerBits, int yosysFlipFlops, double javaCyclesPerSec,
            double nativeCyclesPerSec, double[] javaRuns, double[] nativeRuns, double downcallNanos,
            double plainDowncallNanos, Duration cachedLoad, Duration coldBuild) {
        /** Java-driven speed as a fraction of the C++ loop's. */
        public double ratio() {
            return javaCyclesPerSec / nativeCyclesPerSec;
        }
    }

    /** Runs the benchmark, reporting progress to {@code progress}. */
    public static Report run(Options options, Consumer<String> progress) {
        Design<BenchDesign> design = Hdl.elaborate(() -> new BenchDesign(options.lanes()));
        long registerBits = registerBits(design);
        progress.accept("design " + design.topName() + ": " + registerBits + " register bits");

        int flipFlops = -1;
        if (options.yosys()) {
            progress.accept("counting flip-flops with Yosys synth_xilinx ...");
            flipFlops = yosysFlipFlops(design);
        }

        Duration cold = null;
        if (options.coldBuild()) {
            progress.accept("cold build into an empty cache, without ccache ...");
            cold = coldBuild(design);
        }

        progress.accept("building (or finding) the model in the cache ...");
        VerilatorBuild.of(design).build();
        long start = System.nanoTime();
        SimModel first = SimModel.open(design, SimOptions.DEFAULT);
        Duration load = Duration.ofNanos(System.nanoTime() - start);
        try (first; SimModel second = SimModel.open(design, SimOptions.DEFAULT)) {
            checkSameWork(first, second, design.top(), Math.min(options.cycles(), 100_000));
            Port in = first.port(design.top().in);
            Port out = first.port(design.top().out);
            progress.accept("warming up ...");
            for (int i = 0; i < 3; i++) {
                javaLoop(first, in, out, Math.min(options.cycles(), 200_000));
                first.nativeLoop(in, out, Math.min(options.cycles(), 200_000));
            }
            double[] javaRuns = new double[options.runs()];
            double[] nativeRuns = new double[options.runs()];
            for (int run = 0; run < options.runs(); run++) {
                long t0 = System.nanoTime();
                javaLoop(first, in, out, options.cycles());
                long t1 = System.nanoTime();
                first.nativeLoop(in, out, options.cycles());
                long t2 = System.nanoTime();
                javaRuns[run] = options.cycles() * 1e9 / (t1 - t0);
                nativeRuns[run] = options.cycles() * 1e9 / (t2 - t1);
                progress.accept(String.format("run %d: Java %.0f cycles/s, C++ %.0f cycles/s", run + 1,
                        javaRuns[run], nativeRuns[run]));
            }
            double critical = median(repeat(5, () -> first.downcallNanos(5_000_000, true)));
            double plain = median(repeat(5, () -> first.downcallNanos(5_000_000, false)));
            return new Report(design.topName(), registerBits, flipFlops, median(javaRuns), median(nativeRuns),
                    javaRuns, nativeRuns, critical, plain, load, cold);
        }
    }

    /** The loop being measured: what a test bench does every cycle. */
    static long javaLoop(SimModel sim, Port in, Port out, long cycles) {
        long sum = 0;
        for (long i = 0; i < cycles; i++) {
            in.set(i & 0xffff_ffffL);
            sim.step();
            sum += out.get();
        }
        return sum;
    }

    /** Both loops on fresh models compute the same values: they do the same work per cycle. */
    private static void checkSameWork(SimModel a, SimModel b, BenchDesign top, long cycles) {
        a.reset();
        b.reset();
        long java = javaLoop(a, a.port(top.in), a.port(top.out), cycles);
        long cpp = b.nativeLoop(b.port(top.in), b.port(top.out), cycles);
        if (java != cpp) {
            throw new IllegalStateException("the Java loop and the C++ loop disagree: checksums " + java + " and " + cpp);
        }
    }

    /** Flip-flops of the RTL: the bits of every register in every module instance. */
    public static long registerBits(Design<?> design) {
        long bits = 0;
        for (ModuleNode module : IrWalk.modules(design.top().node())) {
            for (Signal signal : module.signals()) {
                if (signal.role() == SignalRole.REG) {
                    bits += signal.width();
                }
            }
        }
        return bits;
    }

    private static int yosysFlipFlops(Design<?> design) {
        try {
            Path dir = Files.createTempDirectory("tellme-bench-yosys");
            List<Path> files = new ArrayList<>(design.writeVerilog(dir));
            files.removeLast();
            ResourceReport report = YosysSynth.run(dir, files, design.topName(), Duration.ofMinutes(20));
            return report.flipFlops();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Duration coldBuild(Design<?> design) {
        try {
            Path cache = Files.createTempDirectory("tellme-bench-cache");
            VerilatorBuild.Result result = VerilatorBuild.of(design).cacheRoot(cache).ccache(false).build();
            try (var paths = Files.walk(cache)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
            return result.elapsed();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Measurement {
        double measure();
    }

    private static double[] repeat(int times, Measurement measurement) {
        double[] values = new double[times];
        for (int i = 0; i < times; i++) {
            values[i] = measurement.measure();
        }
        return values;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
