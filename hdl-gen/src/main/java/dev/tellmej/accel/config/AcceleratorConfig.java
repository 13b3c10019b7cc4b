package dev.tellmej.accel.config;

import dev.tellmej.accel.tlmm.TlmmConfig;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.StorageFormat;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One description of an accelerator build: everything the generator, the drivers, the benchmarks and the
 * software model need to agree on is a field here or derived from one. Named builds are {@link #kv260()} (the
 * Kria KV260 board) and {@link #simSmall()} (the smallest compute array, for fast simulation).
 *
 * @param name        the build's name ({@code kv260}); Verilog module names and {@code rtl/} folders use it
 * @param description one line for listings
 * @param clock       the fabric clock it is reported at
 * @param memory      AXI ports and DDR
 * @param tlmm        the ternary matmul engine's own parameters
 * @param elementwise the fused element-wise datapath's parameters
 * @param attention   the attention units' parameters
 * @param limits      the largest model it runs
 */
public record AcceleratorConfig(String name, String description, ClockPlan clock, MemorySystem memory,
        TlmmArray tlmm, ElementwiseConfig elementwise, AttentionConfig attention, ModelLimits limits) {

    public AcceleratorConfig {
        List<String> problems = new ArrayList<>();
        if (!name.matches("[a-z][a-z0-9-]*")) {
            problems.add("name '" + name + "' must be lower case letters, digits and '-'");
        }
        int sumLanes = elementwise.sumLanes();
        if (sumLanes < 1 || Integer.bitCount(sumLanes) != 1) {
            problems.add("N5's L (sum lanes) must be a power of two, got " + sumLanes);
        }
        int width = elementwise.normWidth();
        if (width < 1 || Integer.bitCount(width) != 1 || width > sumLanes) {
            problems.add("RMS-MAX width W must be a power of two dividing L = " + sumLanes + ", got " + width);
        }
        if (elementwise.matmulLanes() < 1 || Integer.bitCount(elementwise.matmulLanes()) != 1) {
            problems.add("matmul lanes must be a power of two, got " + elementwise.matmulLanes());
        }
        if (limits.hidden() % width != 0) {
            problems.add("the hidden size " + limits.hidden() + " must be a multiple of the RMS-MAX width " + width);
        }
        if (limits.headDim() % (2 * elementwise.matmulLanes()) != 0) {
            problems.add("the head dimension " + limits.headDim() + " must be a multiple of twice the matmul lanes "
                    + elementwise.matmulLanes() + " (RoPE pairs)");
        }
        int beatValues = memory.portBits() / 16;
        int passPorts = attention.dotLanes() / Math.max(1, beatValues);
        if (attention.dotLanes() < 1 || attention.dotLanes() % beatValues != 0 || Integer.bitCount(passPorts) != 1
                || attention.dotLanes() > sumLanes) {
            problems.add("attention dot lanes must be a power-of-two multiple of the " + beatValues + " stored values"
                    + " of a port's beat (a pass reads that many ports at once), at most L = " + sumLanes + ", got "
                    + attention.dotLanes());
        } else if (2 * (passPorts - 1) > memory.weightPorts()) {
            problems.add("attention dot lanes " + attention.dotLanes() + " take " + passPorts + " ports a pass; the"
                    + " further ones use weight ports (two for each), but the build has " + memory.weightPorts());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("accelerator configuration " + name + ": " + String.join("; ", problems));
        }
        tlmmConfig(name, memory, tlmm, limits);   // the TLMM's own checks, with its message
    }

    /**
     * The Kria KV260 build: TeLLMe's TLMM (T = 28, Q = 16) fed by four 128-bit weight ports (the PS ports'
     * width; 64 B per cycle, the DDR's 19.2 GB/s peak at 300 MHz), sized for bitnet_b1_58-large (hidden 1,536,
     * FFN 4,096, 16 heads of 96) with a context of 4,096. A tile holds at most 32 row groups (512 rows), so a
     * prefill chunk's products end in a short tile: the epilogue of the tiles before it (the dequantizer, the
     * gating unit's one lane) runs while the next tile's products do (docs/history/kernel.md, "After short tiles").
     */
    public static AcceleratorConfig kv260() {
        return new AcceleratorConfig("kv260", "Kria KV260 (XCK26): TeLLMe's TLMM on four 128-bit HP ports,"
                + " sized for bitnet_b1_58-large",
                new ClockPlan(300, 250),
                new MemorySystem(4, 2, 128, 19.2),
                new TlmmArray(28, 16, 28, 4096, 8, 32, 32, 4, 512),
                new ElementwiseConfig(16, 4, 2, 2, StorageFormat.FP16),
                new AttentionConfig(16, true),
                new ModelLimits(1536, 4096, 16, 16, 96, 32, 32768, 4096));
    }

    /**
     * The simulation build: the smallest TLMM (T = 5, Q = 4, two 64-bit ports) and small maxima that hold the
     * embedded stories260K models with room to spare, so whole models simulate quickly in Verilator.
     */
    public static AcceleratorConfig simSmall() {
        return new AcceleratorConfig("sim-small", "fast simulation: T = 5, Q = 4, two 64-bit weight ports,"
                + " small maxima that hold the embedded stories260K models",
                new ClockPlan(100, 100),
                new MemorySystem(2, 1, 64, 1.6),
                new TlmmArray(5, 4, 5, 16384, 4, 128, 16, 4, 128),
                new ElementwiseConfig(16, 4, 2, 64, StorageFormat.FP16),
                new AttentionConfig(4, false),
                new ModelLimits(256, 1024, 8, 8, 32, 8, 1024, 512));
    }

    /** The named builds, in order. */
    public static Map<String, AcceleratorConfig> named() {
        Map<String, AcceleratorConfig> map = new LinkedHashMap<>();
        for (AcceleratorConfig config : List.of(kv260(), simSmall())) {
            map.put(config.name(), config);
        }
        return map;
    }

    /** The build named {@code name}; the message lists the names there are. */
    public static AcceleratorConfig named(String name) {
        AcceleratorConfig config = named().get(name);
        if (config == null) {
            throw new IllegalArgumentException("no accelerator configuration '" + name + "'; there are "
                    + String.join(", ", named().keySet()));
        }
        return config;
    }

    /** The TLMM engine of this build: its array, the weight ports, and buffers for the widest linear. */
    public TlmmConfig tlmmConfig() {
        return tlmmConfig(name, memory, tlmm, limits);
    }

    private static TlmmConfig tlmmConfig(String name, MemorySystem memory, TlmmArray tlmm, ModelLimits limits) {
        int blockInputs = 3 * tlmm.tables();
        int maxBlocks = (limits.maxLinearInputs() + blockInputs - 1) / blockInputs;
        return new TlmmConfig(name, tlmm.tables(), tlmm.columns(), memory.weightPorts(), memory.portBits(),
                tlmm.activationBytes(), tlmm.bufferDepth(), tlmm.chunkTokens(), maxBlocks, tlmm.maxRowGroups(),
                tlmm.burstBeats(), tlmm.outstandingBursts(), tlmm.resultBeats());
    }

    /** The software model's exact configuration this build computes bit for bit (NUMERICS.md N19). */
    public ExactConfig exact() {
        return new ExactConfig(elementwise.sumLanes(), elementwise.storage(), tlmm.tables());
    }

    /**
     * Checks that {@code model} fits this build.
     *
     * @throws ModelDoesNotFitException naming every maximum it exceeds
     */
    public void checkFits(String modelName, ModelConfig model) {
        List<String> exceeded = limits.exceededBy(model);
        if (!exceeded.isEmpty()) {
            throw new ModelDoesNotFitException(modelName, name, exceeded);
        }
    }

    /** Bytes of the fp16/bf16 KV cache per cached position (K and V of every layer and KV head). */
    public long kvCacheBytesPerPosition() {
        return 2L * limits.layers() * limits.kvHeads() * limits.headDim() * 2;
    }

    /**
     * Every parameter of the build, given and derived, in a stable order: what {@code tellme config show}
     * prints (and its {@code --json} field names).
     */
    public List<Parameter> parameters() {
        TlmmConfig t = tlmmConfig();
        List<Parameter> out = new ArrayList<>();
        out.add(new Parameter("clock", "target_mhz", clock.targetMhz(), "fabric clock the build aims at (MHz)"));
        out.add(new Parameter("clock", "fallback_mhz", clock.fallbackMhz(), "clock it is also reported at (MHz)"));
        out.add(new Parameter("axi", "weight_ports", memory.weightPorts(), "AXI4 read ports streaming weights"));
        out.add(new Parameter("axi", "data_ports", memory.dataPorts(), "AXI4 ports for KV cache, program, LM head, I/O"));
        out.add(new Parameter("axi", "port_bits", memory.portBits(), "data width of every port (bits)"));
        out.add(new Parameter("axi", "weight_bytes_per_cycle", memory.weightBytesPerCycle(),
                "bytes per cycle the weight ports carry together"));
        out.add(new Parameter("axi", "ddr_peak_gbps", memory.ddrPeakGBps(), "DDR peak bandwidth (GB/s)"));
        out.add(new Parameter("axi", "weight_gbps_at_target", round(memory.weightGBpsAt(clock.targetMhz())),
                "weight stream bandwidth at the target clock (GB/s)"));
        out.add(new Parameter("axi", "weight_gbps_at_fallback", round(memory.weightGBpsAt(clock.fallbackMhz())),
                "weight stream bandwidth at the fallback clock (GB/s)"));
        out.add(new Parameter("tlmm", "tables", t.tables(), "T: groups of 3 activations per block"));
        out.add(new Parameter("tlmm", "columns", t.columns(), "Q: rows computed per cycle"));
        out.add(new Parameter("tlmm", "macs_per_cycle", t.macsPerCycle(), "ternary multiply-adds per cycle (3TQ)"));
        out.add(new Parameter("tlmm", "activation_bytes", t.activationBytes(), "int8 activations per beat"));
        out.add(new Parameter("tlmm", "buffer_depth", t.bufferDepth(), "72-bit words per weight-buffer bank"));
        out.add(new Parameter("tlmm", "buffer_banks", t.banks(), "weight-buffer banks of buffer_depth 72-bit words (a URAM288 each at 4,096)"));
        out.add(new Parameter("tlmm", "chunk_tokens", t.maxTokens(), "tokens per pass over the weights (Mc)"));
        out.add(new Parameter("tlmm", "max_blocks", t.maxBlocks(), "blocks of 3T inputs of the widest linear"));
        out.add(new Parameter("tlmm", "max_row_groups", t.maxGroups(), "row groups of one tile"));
        out.add(new Parameter("tlmm", "burst_beats", t.burstBeats(), "beats per AXI read burst"));
        out.add(new Parameter("tlmm", "outstanding_bursts", t.outstandingBursts(), "read bursts in flight per port"));
        out.add(new Parameter("tlmm", "result_beats", t.resultBeats(), "beats of Q sums the result queue holds"));
        out.add(new Parameter("tlmm", "bits_per_weight", round(t.bitsPerWeight()), "DDR bits per ternary weight"));
        out.add(new Parameter("elementwise", "sum_lanes", elementwise.sumLanes(), "N5's L: order-fixed partial sums"));
        out.add(new Parameter("elementwise", "norm_width", elementwise.normWidth(),
                "values per beat of RMS-MAX and the quantizer"));
        out.add(new Parameter("elementwise", "matmul_lanes", elementwise.matmulLanes(),
                "lanes of the units behind the matmul"));
        out.add(new Parameter("elementwise", "rope_table_rows", elementwise.ropeTableRows(),
                "rows of cos/sin held on chip"));
        out.add(new Parameter("elementwise", "storage", elementwise.storage().name().toLowerCase(Locale.ROOT),
                "format of stored values and the KV cache"));
        out.add(new Parameter("attention", "dot_lanes", attention.dotLanes(),
                "multiply-adds per cycle of each pass (a port's beats a cycle times the ports of a pass)"));
        out.add(new Parameter("attention", "trees", attention.serialTrees() ? "serial" : "parallel",
                "how the score and value passes add their partials: few adders (serial) or full trees (parallel)"));
        out.add(new Parameter("limits", "hidden", limits.hidden(), "largest hidden size"));
        out.add(new Parameter("limits", "ffn", limits.ffn(), "largest FFN size"));
        out.add(new Parameter("limits", "heads", limits.heads(), "most query heads"));
        out.add(new Parameter("limits", "kv_heads", limits.kvHeads(), "most KV heads"));
        out.add(new Parameter("limits", "head_dim", limits.headDim(), "largest head dimension"));
        out.add(new Parameter("limits", "layers", limits.layers(), "most layers"));
        out.add(new Parameter("limits", "vocab", limits.vocab(), "largest vocabulary"));
        out.add(new Parameter("limits", "context", limits.context(), "longest context (KV-cache positions)"));
        out.add(new Parameter("limits", "kv_cache_bytes_per_position", kvCacheBytesPerPosition(),
                "KV-cache bytes per position at the maxima"));
        ExactConfig exact = exact();
        out.add(new Parameter("exact", "lanes", exact.lanes(), "the software model's L (N19)"));
        out.add(new Parameter("exact", "storage", exact.storage().name().toLowerCase(Locale.ROOT),
                "the software model's storage format (N19)"));
        out.add(new Parameter("exact", "tables", exact.tables(), "the software model's T (N19)"));
        return out;
    }

    /**
     * SHA-256 of every parameter ({@code group.key=value}, one per line, in {@link #parameters()} order): two
     * builds with the same hash compute the same thing, so a memory image records it and a device refuses an
     * image made for another build.
     */
    public byte[] hash() {
        StringBuilder text = new StringBuilder();
        for (Parameter p : parameters()) {
            text.append(p.group()).append('.').append(p.key()).append('=').append(p.value()).append('\n');
        }
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }

    /**
     * One parameter of a build.
     *
     * @param group   what it belongs to ({@code tlmm}, {@code limits}, ...)
     * @param key     its name, unique within the group (the JSON field name)
     * @param value   a Number or a String
     * @param meaning what it is, with its unit
     */
    public record Parameter(String group, String key, Object value, String meaning) {}
}
