package dev.tellmej.accel.elementwise;

import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.ElaborationOptions;
import dev.tellmej.hdl.Module;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The fused element-wise units as designs {@code tellme rtl} can emit.
 *
 * <p>{@code kv260} is the board build for TeLLMe's model (hidden size 1,536, heads of 96, binary16 storage).
 * Its lane counts follow the rates the units must sustain: RMS-MAX keeps {@link #KV260_LANES} = 16 partial
 * sums, the L of NUMERICS N19 that fixes the order of its sum, on {@link #KV260_NORM_WIDTH} = 4 physical lanes
 * (two values per cycle into the sums, four per cycle out), and the quantizer after it matches its beat; the units behind
 * the ternary matmul (dequantizer, RoPE, residual add, gating) take {@link #KV260_MATMUL_LANES} = 2, since the
 * matmul completes well under one output per cycle on average (16 rows every 19 cycles or more for TeLLMe's
 * TLMM shape: 1,536 inputs at 84 per cycle), so two lanes keep up with room to spare and 16 would only cost area (see
 * docs/elementwise.md). {@code l16} shows those units at 16 lanes; {@code sim-small} fits the embedded
 * stories260K student (hidden size 64, heads of 8); other configurations show the parameters (bfloat16
 * storage, the other RoPE pair style, ReLU²).
 */
public final class ElementwiseDesigns {
    /** N19's L in the board build: RMS-MAX's partial sums. */
    public static final int KV260_LANES = 16;
    /** Values per beat of RMS-MAX and the quantizer in the board build. */
    public static final int KV260_NORM_WIDTH = 4;
    /** Lanes of the units behind the matmul in the board build. */
    public static final int KV260_MATMUL_LANES = 2;

    private ElementwiseDesigns() {}

    public static List<DesignEntry> entries() {
        int l = KV260_LANES;
        int w = KV260_NORM_WIDTH;
        int m = KV260_MATMUL_LANES;
        return List.of(
                entry("rms-max", "RMSNorm (N13) fused with the next quantization's absmax (N6.1)",
                        config("kv260", () -> new RmsNormMax(l, w, 1536, StorageFormat.FP16)),
                        config("w16", () -> new RmsNormMax(l, 16, 1536, StorageFormat.FP16)),
                        config("sim-small", () -> new RmsNormMax(l, w, 64, StorageFormat.FP16)),
                        config("bf16", () -> new RmsNormMax(l, w, 1536, StorageFormat.BF16))),
                entry("quantizer", "per-token absmax int8 quantization (N6)",
                        config("kv260", () -> new Quantizer(w, StorageFormat.FP16)),
                        config("l16", () -> new Quantizer(16, StorageFormat.FP16)),
                        config("bf16", () -> new Quantizer(w, StorageFormat.BF16))),
                entry("dequantizer", "int32 accumulators to binary32: acc * ((mc * ws) * INV127) (N8)",
                        config("kv260", () -> new Dequantizer(m)),
                        config("l16", () -> new Dequantizer(16))),
                entry("residual-add", "h = st(h + y) (N17.2.6)",
                        config("kv260", () -> new ResidualAdd(m, StorageFormat.FP16)),
                        config("l16", () -> new ResidualAdd(16, StorageFormat.FP16)),
                        config("bf16", () -> new ResidualAdd(m, StorageFormat.BF16))),
                entry("rope", "RoPE (N14) and storage rounding, cos/sin table in memory",
                        config("kv260", () -> new Rope(RopeStyle.ADJACENT, m, 96, 2, StorageFormat.FP16)),
                        config("kv260-half", () -> new Rope(RopeStyle.HALF_SPLIT, m, 96, 2, StorageFormat.FP16)),
                        config("l16", () -> new Rope(RopeStyle.ADJACENT, 16, 96, 2, StorageFormat.FP16)),
                        config("sim-small", () -> new Rope(RopeStyle.ADJACENT, 4, 8, 64, StorageFormat.FP16))),
                entry("gating", "f = st(act(g) * u) with SiLU or ReLU² (N12, N17.3.3), and its absmax",
                        config("kv260", () -> new Gating(Activation.SILU, m, StorageFormat.FP16)),
                        config("l16", () -> new Gating(Activation.SILU, 16, StorageFormat.FP16)),
                        config("relu2-bf16", () -> new Gating(Activation.RELU2, m, StorageFormat.BF16))));
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

    private static DesignEntry entry(String name, String description, Config... configurations) {
        Map<String, Supplier<? extends Module>> map = new LinkedHashMap<>();
        for (Config configuration : configurations) {
            map.put(configuration.name(), configuration.top());
        }
        return new DesignEntry(name, description, map, ElaborationOptions.DEFAULT);
    }
}
