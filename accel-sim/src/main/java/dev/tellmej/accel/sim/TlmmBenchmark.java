package dev.tellmej.accel.sim;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.config.ModelLimits;
import dev.tellmej.accel.tlmm.TlmmConfig;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.model.ternary.TernaryMatrix;
import dev.tellmej.model.ternary.TlmmReference;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Cycle counts of the TLMM engine in Verilator for the linear shapes of a build's largest model
 * ({@link #shapes}), against the bound {@code max(DDR bytes / DDR bytes per cycle, MACs / 3TQ)}; every product
 * is also checked bit for bit against {@link TlmmReference}. Used by {@code tellme bench tlmm}.
 */
public final class TlmmBenchmark {
    /** A matrix shape: rows (outputs) by columns (inputs). */
    public record Shape(int rows, int cols) {}

    /**
     * The linear shapes of the largest model a build runs: an attention projection (hidden x hidden), the FFN's
     * up projection (FFN x hidden) and its down projection (hidden x FFN). For kv260 these are bitnet_b1_58-large's.
     */
    public static List<Shape> shapes(ModelLimits limits) {
        return List.of(new Shape(limits.hidden(), limits.hidden()), new Shape(limits.ffn(), limits.hidden()),
                new Shape(limits.hidden(), limits.ffn()));
    }

    private TlmmBenchmark() {}

    /**
     * What to measure.
     *
     * @param config        the engine configuration
     * @param shapes        the matrices to multiply
     * @param tokens        activation vectors per product; each shape is measured once per entry
     * @param latency       DDR read latency, in cycles
     * @param bytesPerCycle DDR bandwidth of the memory model, bytes per cycle (all ports together)
     * @param clockMhz      the clock the times are reported at (MHz)
     * @param seed          seed of the random matrices and activations (the drivers use {@code seed + 1})
     */
    public record Options(TlmmConfig config, List<Shape> shapes, List<Integer> tokens, int latency,
            double bytesPerCycle, double clockMhz, long seed) {
        public Options {
            shapes = List.copyOf(shapes);
            tokens = List.copyOf(tokens);
            if (shapes.isEmpty() || tokens.isEmpty() || tokens.stream().anyMatch(t -> t < 1) || latency < 1
                    || !(bytesPerCycle > 0) || !(clockMhz > 0)) {
                throw new IllegalArgumentException("shapes, tokens, latency, bandwidth and clock must be positive");
            }
            for (Shape shape : shapes) {
                if (shape.cols() > config.maxInputs()) {
                    throw new IllegalArgumentException("a " + shape.rows() + " x " + shape.cols() + " matrix has more"
                            + " inputs than the " + config.name() + " engine holds (" + config.maxInputs() + ")");
                }
            }
        }

        /** The options for {@code build}'s own shapes, DDR bandwidth at {@code clockMhz} and a read latency. */
        public static Options of(AcceleratorConfig build, List<Integer> tokens, int latency, double clockMhz,
                long seed) {
            return new Options(build.tlmmConfig(), TlmmBenchmark.shapes(build.limits()), tokens, latency,
                    build.memory().weightBytesPerCycleAt(clockMhz), clockMhz, seed);
        }
    }

    /**
     * One product.
     *
     * @param rows               matrix rows (outputs)
     * @param cols               matrix columns (inputs)
     * @param tokens             activation vectors
     * @param cycles             cycles from the command to the last result
     * @param ddrBytes           bytes the engine read from DDR
     * @param bitsPerWeight      DDR bits read per weight: {@code 8 * ddrBytes / (rows * cols)}
     * @param ddrBoundCycles     {@code ddrBytes / bytesPerCycle}
     * @param computeBoundCycles {@code rows * cols * tokens / macsPerCycle}
     * @param efficiency         {@code max(ddrBoundCycles, computeBoundCycles) / cycles}, a fraction (1 = at the bound)
     * @param micros             {@code cycles} at the clock, microseconds
     * @param exact              the accumulators equal {@link TlmmReference#matMat}'s
     */
    public record Product(int rows, int cols, int tokens, long cycles, long ddrBytes, double bitsPerWeight,
            double ddrBoundCycles, double computeBoundCycles, double efficiency, double micros, boolean exact) {}

    /**
     * The figures.
     *
     * @param config             the engine configuration
     * @param macsPerCycle       ternary MACs per cycle, 3TQ
     * @param bytesPerCycle      DDR bandwidth of the memory model
     * @param clockMhz           the clock the times are reported at (MHz)
     * @param ddrGBps            the memory model's bandwidth at that clock (GB/s)
     * @param latency            DDR read latency, cycles
     * @param seed               the seed
     * @param modelReadySeconds  elaboration plus Verilator build (or cache lookup) and load, in seconds
     * @param products           every product, in order: shapes outer, tokens inner
     * @param largestTiles       tiles of the last shape's matrix (each fills half the weight buffer)
     * @param tileGroups         row groups of Q rows in a full tile
     */
    public record Result(TlmmConfig config, int macsPerCycle, double bytesPerCycle, double clockMhz, double ddrGBps,
            int latency, long seed, double modelReadySeconds, List<Product> products, int largestTiles,
            int tileGroups) {
        public Result {
            products = List.copyOf(products);
        }

        /** Products whose accumulators differ from the model's. */
        public long inexact() {
            return products.stream().filter(p -> !p.exact()).count();
        }
    }

    /** Hears the benchmark's progress: the model is open, a product is measured. */
    public interface Listener {
        default void modelReady(double seconds) {}

        default void measured(Product product) {}
    }

    /** Builds (or loads from the cache) the engine, then measures every shape at every token count. */
    public static Result run(Options options, Listener listener) {
        TlmmConfig config = options.config();
        long t0 = System.nanoTime();
        Design<TlmmEngine> design = Hdl.elaborate(() -> new TlmmEngine(config));
        Random random = new Random(options.seed());
        List<Product> products = new ArrayList<>();
        try (SimModel sim = SimModel.open(design)) {
            double ready = (System.nanoTime() - t0) / 1e9;
            listener.modelReady(ready);
            AxiMemory ddr = sim.axiMemory(16 << 20, AxiMemoryConfig.DEFAULT.withLatency(options.latency(), 4)
                    .withBandwidth(options.bytesPerCycle()));
            TlmmRunner runner = new TlmmRunner(sim, design.top(), ddr, new Random(options.seed() + 1), 1.0, 1.0);
            sim.reset();
            for (Shape shape : options.shapes()) {
                TernaryMatrix matrix = TernaryMatrix.random(shape.rows(), shape.cols(), 1f, random);
                for (int m : options.tokens()) {
                    byte[][] x = new byte[m][shape.cols()];
                    for (byte[] token : x) {
                        random.nextBytes(token);
                    }
                    TlmmRunner.Run run = runner.run(matrix, x);
                    boolean exact = Arrays.deepEquals(TlmmReference.matMat(matrix, x), run.accumulators());
                    double weights = (double) shape.rows() * shape.cols();
                    double ddrBound = run.bytesRead() / options.bytesPerCycle();
                    double computeBound = weights * m / config.macsPerCycle();
                    Product product = new Product(shape.rows(), shape.cols(), m, run.cycles(), run.bytesRead(),
                            8.0 * run.bytesRead() / weights, ddrBound, computeBound,
                            Math.max(ddrBound, computeBound) / run.cycles(), run.cycles() / options.clockMhz(), exact);
                    products.add(product);
                    listener.measured(product);
                }
            }
            Shape largest = options.shapes().getLast();
            TlmmLayout layout = new TlmmLayout(config, largest.rows(), largest.cols());
            return new Result(config, config.macsPerCycle(), options.bytesPerCycle(), options.clockMhz(),
                    options.bytesPerCycle() * options.clockMhz() / 1000.0, options.latency(), options.seed(), ready,
                    products, layout.tiles(), layout.tileGroups());
        }
    }
}
