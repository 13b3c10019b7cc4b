package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
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
import dev.tellmej.sim.accel.TlmmRunner;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme bench tlmm}: cycle counts of the TLMM engine in Verilator for the linear shapes of
 * bitnet_b1_58-large, against the bound max(DDR bytes / DDR bytes per cycle, MACs / 3TQ), with the DDR
 * model at the KV260's 76.8 bytes per cycle. Every product is also checked bit for bit against the model.
 */
@Command(name = "tlmm", mixinStandardHelpOptions = true,
        description = "TLMM engine cycles in Verilator against the DDR/compute bound (KV260 DDR: 76.8 B/cycle).")
final class BenchTlmmCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", defaultValue = "kv260", description = "engine configuration (default: ${DEFAULT-VALUE})")
    String configName;

    @Option(names = "--tokens", split = ",", defaultValue = "1,8",
            description = "activation vectors per product, comma-separated (default: ${DEFAULT-VALUE})")
    List<Integer> tokens;

    @Option(names = "--latency", defaultValue = "100", description = "DDR read latency in cycles (default: ${DEFAULT-VALUE})")
    int latency;

    @Option(names = "--bandwidth", defaultValue = "76.8", description = "DDR bytes per cycle (default: ${DEFAULT-VALUE})")
    double bandwidth;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the random matrices (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        AcceleratorConfig build = AcceleratorConfig.named().get(configName);
        if (build == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown configuration '" + configName
                    + "'; known: " + String.join(", ", AcceleratorConfig.named().keySet()));
        }
        TlmmConfig config = build.tlmmConfig();
        if (tokens.stream().anyMatch(t -> t < 1) || latency < 1 || bandwidth <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "tokens, latency and bandwidth must be positive");
        }
        out.printf(Locale.ROOT, "TLMM engine %s: T = %d, Q = %d, %d x %d-bit AXI ports, %d MACs/cycle, %.3f bits/weight"
                + " packing%n", config.name(), config.tables(), config.columns(), config.ports(), config.portDataBits(),
                config.macsPerCycle(), config.bitsPerWeight());
        out.printf(Locale.ROOT, "DDR model: %.1f bytes/cycle, read latency %d cycles%n", bandwidth, latency);
        out.flush();
        long t0 = System.nanoTime();
        Design<TlmmEngine> design = Hdl.elaborate(() -> new TlmmEngine(config));
        Random random = new Random(seed);
        try (SimModel sim = SimModel.open(design)) {
            out.printf(Locale.ROOT, "model ready in %.1f s (built once, then cached)%n%n", (System.nanoTime() - t0) / 1e9);
            out.printf("| shape (out x in) | tokens | cycles | DDR bytes | bits/weight read | DDR bound | compute bound |"
                    + " efficiency | exact |%n|---|---|---|---|---|---|---|---|---|%n");
            out.flush();
            AxiMemory ddr = sim.axiMemory(16 << 20, AxiMemoryConfig.DEFAULT.withLatency(latency, 4).withBandwidth(bandwidth));
            TlmmRunner runner = new TlmmRunner(sim, design.top(), ddr, new Random(seed + 1), 1.0, 1.0);
            sim.reset();
            int failures = 0;
            for (int[] shape : new int[][] {{1536, 1536}, {4096, 1536}, {1536, 4096}}) {
                TernaryMatrix matrix = TernaryMatrix.random(shape[0], shape[1], 1f, random);
                for (int m : tokens) {
                    byte[][] x = new byte[m][shape[1]];
                    for (byte[] token : x) {
                        random.nextBytes(token);
                    }
                    TlmmRunner.Run run = runner.run(matrix, x);
                    boolean exact = Arrays.deepEquals(TlmmReference.matMat(matrix, x), run.accumulators());
                    failures += exact ? 0 : 1;
                    double ddrBound = run.bytesRead() / bandwidth;
                    double computeBound = (double) shape[0] * shape[1] * m / config.macsPerCycle();
                    double bound = Math.max(ddrBound, computeBound);
                    out.printf(Locale.ROOT, "| %d x %d | %d | %,d | %,d | %.3f | %,.0f | %,.0f | %.1f %% | %s |%n",
                            shape[0], shape[1], m, run.cycles(), run.bytesRead(),
                            8.0 * run.bytesRead() / ((double) shape[0] * shape[1]), ddrBound, computeBound,
                            100 * bound / run.cycles(), exact ? "yes" : "NO");
                    out.flush();
                }
            }
            TlmmLayout layout = new TlmmLayout(config, 1536, 4096);
            out.printf(Locale.ROOT, "%nefficiency = max(DDR bound, compute bound) / cycles; a 1536 x 4096 matrix is %d tile(s)"
                    + " of %d row groups.%n", layout.tiles(), layout.tileGroups());
            return failures == 0 ? 0 : 1;
        }
    }
}
