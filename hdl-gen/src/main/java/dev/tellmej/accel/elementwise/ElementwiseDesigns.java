package dev.tellmej.accel.elementwise;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.config.ElementwiseConfig;
import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.ElaborationOptions;
import dev.tellmej.hdl.Module;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The fused element-wise units as designs {@code tellme rtl} can emit, each in every named accelerator
 * configuration ({@link AcceleratorConfig}) and in a few variants that show other parameters.
 *
 * <p>A unit of a configuration takes its sizes from it: RMS-MAX keeps N5's L partial sums
 * ({@link ElementwiseConfig#sumLanes()}) on {@link ElementwiseConfig#normWidth()} physical lanes over the
 * largest hidden size, and the quantizer after it matches its beat; the units behind the ternary matmul
 * (dequantizer, RoPE, residual add, gating) take {@link ElementwiseConfig#matmulLanes()} lanes: on kv260 two,
 * since the matmul completes well under one output per cycle on average (16 rows every 19 cycles or more for
 * TeLLMe's TLMM shape: 1,536 inputs at 84 per cycle), so two lanes keep up with room to spare and 16 would only
 * cost area (see docs/elementwise.md). The variants: {@code w16} and {@code l16} show the units at 16 lanes,
 * {@code bf16} bfloat16 storage, {@code kv260-half} the other RoPE pair style, {@code relu2-bf16} ReLU².
 */
public final class ElementwiseDesigns {
    private ElementwiseDesigns() {}

    public static List<DesignEntry> entries() {
        AcceleratorConfig kv260 = AcceleratorConfig.kv260();
        int l = kv260.elementwise().sumLanes();
        int w = kv260.elementwise().normWidth();
        int n = kv260.limits().hidden();
        int d = kv260.limits().headDim();
        int rows = kv260.elementwise().ropeTableRows();
        return List.of(
                entry("rms-max", "RMSNorm (N13) fused with the next quantization's absmax (N6.1)",
                        perBuild(ElementwiseDesigns::rmsMax),
                        config("w16", () -> new RmsNormMax(l, 16, n, StorageFormat.FP16)),
                        config("bf16", () -> new RmsNormMax(l, w, n, StorageFormat.BF16))),
                entry("quantizer", "per-token absmax int8 quantization (N6)",
                        perBuild(c -> new Quantizer(c.elementwise().normWidth(), c.elementwise().storage())),
                        config("l16", () -> new Quantizer(16, StorageFormat.FP16)),
                        config("bf16", () -> new Quantizer(w, StorageFormat.BF16))),
                entry("dequantizer", "int32 accumulators to binary32: acc * ((mc * ws) * INV127) (N8)",
                        perBuild(c -> new Dequantizer(c.elementwise().matmulLanes())),
                        config("l16", () -> new Dequantizer(16))),
                entry("residual-add", "h = st(h + y) (N17.2.6)",
                        perBuild(c -> new ResidualAdd(c.elementwise().matmulLanes(), c.elementwise().storage())),
                        config("l16", () -> new ResidualAdd(16, StorageFormat.FP16)),
                        config("bf16", () -> new ResidualAdd(kv260.elementwise().matmulLanes(), StorageFormat.BF16))),
                entry("rope", "RoPE (N14) and storage rounding, cos/sin table in memory",
                        perBuild(c -> rope(c, RopeStyle.ADJACENT)),
                        config("kv260-half", () -> rope(kv260, RopeStyle.HALF_SPLIT)),
                        config("l16", () -> new Rope(RopeStyle.ADJACENT, 16, d, rows, StorageFormat.FP16))),
                entry("gating", "f = st(act(g) * u) with SiLU or ReLU² (N12, N17.3.3), and its absmax",
                        perBuild(c -> new Gating(Activation.SILU, c.elementwise().matmulLanes(), c.elementwise().storage())),
                        config("l16", () -> new Gating(Activation.SILU, 16, StorageFormat.FP16)),
                        config("relu2-bf16", () -> new Gating(Activation.RELU2, kv260.elementwise().matmulLanes(),
                                StorageFormat.BF16))));
    }

    /** RMS-MAX of a build: L partial sums on W lanes over the largest hidden size. */
    public static RmsNormMax rmsMax(AcceleratorConfig config) {
        ElementwiseConfig e = config.elementwise();
        return new RmsNormMax(e.sumLanes(), e.normWidth(), config.limits().hidden(), e.storage());
    }

    /**
     * RMS-MAX of a build with a run-time length, for the QUANTIZE instruction: L partial sums on W lanes, any
     * multiple of W up to {@link #longestQuantized}.
     */
    public static RmsNormMax rmsMaxRunTime(AcceleratorConfig config) {
        ElementwiseConfig e = config.elementwise();
        return RmsNormMax.runtime(e.sumLanes(), e.normWidth(), longestQuantized(config), e.storage());
    }

    /**
     * The longest vector a build quantizes: the widest input of a ternary linear (the hidden size, the FFN size
     * or heads x head dimension), rounded up to a multiple of RMS-MAX's width.
     */
    public static int longestQuantized(AcceleratorConfig config) {
        int width = config.elementwise().normWidth();
        return (config.limits().maxLinearInputs() + width - 1) / width * width;
    }

    /** RoPE of a build in {@code style}: the matmul's lanes, the largest head dimension, the on-chip table rows. */
    public static Rope rope(AcceleratorConfig config, RopeStyle style) {
        ElementwiseConfig e = config.elementwise();
        return new Rope(style, e.matmulLanes(), config.limits().headDim(), e.ropeTableRows(), e.storage());
    }

    /**
     * RoPE of a build with the head dimension and the pair style read at run time, for the kernel's LINEAR
     * epilogues: the matmul's lanes, up to the largest head dimension, the on-chip table rows.
     */
    public static RopeRunTime ropeRunTime(AcceleratorConfig config) {
        ElementwiseConfig e = config.elementwise();
        return Rope.runtime(e.matmulLanes(), config.limits().headDim(), e.ropeTableRows(), e.storage());
    }

    /** One configuration per named build, made by {@code unit}. */
    private static Config[] perBuild(Function<AcceleratorConfig, ? extends Module> unit) {
        return AcceleratorConfig.named().values().stream()
                .map(c -> config(c.name(), () -> unit.apply(c)))
                .toArray(Config[]::new);
    }

    /** The entry named {@code name}. */
    public static DesignEntry entry(String name) {
        return entries().stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no element-wise design " + name));
    }

    /** A named configuration: the top module's constructor call. */
    private record Config(String name, Supplier<? extends Module> top) {}

    private static Config config(String name, Supplier<? extends Module> top) {
        return new Config(name, top);
    }

    private static DesignEntry entry(String name, String description, Config[] builds, Config... variants) {
        Map<String, Supplier<? extends Module>> map = new LinkedHashMap<>();
        for (Config configuration : builds) {
            map.put(configuration.name(), configuration.top());
        }
        for (Config configuration : variants) {
            map.put(configuration.name(), configuration.top());
        }
        return new DesignEntry(name, description, map, ElaborationOptions.DEFAULT);
    }
}
