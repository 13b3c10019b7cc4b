package dev.tellmej.accel.elementwise;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.config.ElementwiseConfig;
import dev.tellmej.eda.ResourceReport;
import dev.tellmej.eda.YosysSynth;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.lib.fp.Bf16ToFp32;
import dev.tellmej.hdl.lib.fp.Fp16Square;
import dev.tellmej.hdl.lib.fp.Fp16ToFp32;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Compare;
import dev.tellmej.hdl.lib.fp.Fp32Max;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.Fp32ToBf16;
import dev.tellmej.hdl.lib.fp.Fp32ToFp16;
import dev.tellmej.hdl.lib.fp.Fp32ToInt8;
import dev.tellmej.hdl.lib.fp.FpExp;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.FpReciprocal;
import dev.tellmej.hdl.lib.fp.FpRelu2;
import dev.tellmej.hdl.lib.fp.FpRsqrt;
import dev.tellmej.hdl.lib.fp.FpSchedule;
import dev.tellmej.hdl.lib.fp.FpScale2;
import dev.tellmej.hdl.lib.fp.FpSilu;
import dev.tellmej.hdl.lib.fp.Int32ToFp32;
import dev.tellmej.hdl.lib.fp.InverseOfCount;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.numerics.StorageFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Yosys resource estimates of the floating-point units and of the fused element-wise units at their kv260
 * configuration ({@code tellme report elementwise}). A fused unit is also synthesized with one lane, which
 * gives the cost of each further lane, {@code (cost(L) - cost(1)) / (L - 1)}.
 */
public final class ElementwiseReport {
    private ElementwiseReport() {}

    /**
     * A unit to measure.
     *
     * @param name     the name {@code tellme rtl} knows it by
     * @param numerics the NUMERICS.md sections it implements
     * @param lanes    L of the measured configuration (1 for the library's units)
     * @param build    the configuration with the given number of lanes
     * @param latency  cycles, in words, read from the elaborated top (some units have passes rather than one
     *                 figure)
     */
    public record Unit(String name, String numerics, int lanes, IntFunction<Module> build,
            Function<Module, String> latency) {}

    /**
     * A measured unit.
     *
     * @param unit     the unit's name
     * @param numerics the NUMERICS.md sections it implements
     * @param lanes    L of the measured configuration (1 for the library's units)
     * @param module   the synthesized top module
     * @param latency  latency in cycles, as text (some units have passes rather than one figure)
     * @param total    the configuration's resources
     * @param oneLane  the one-lane configuration's resources (fused units), or null
     * @param perLane  what each lane beyond the first adds (the totals for the library's units)
     */
    public record Row(String unit, String numerics, int lanes, String module, String latency,
            ResourceReport.Counts total, ResourceReport.Counts oneLane, LaneCost perLane) {
        /** A row from the measured reports; the cost per lane is {@code (cost(L) - cost(1)) / (L - 1)}. */
        static Row of(Unit unit, String module, String latency, ResourceReport total, ResourceReport oneLane) {
            LaneCost perLane;
            if (oneLane == null) {
                perLane = new LaneCost(total.dsp(), total.luts(), total.flipFlops());
            } else {
                int l = unit.lanes() - 1;
                perLane = new LaneCost(Math.round((total.dsp() - oneLane.dsp()) / (float) l),
                        Math.round((total.luts() - oneLane.luts()) / (float) l),
                        Math.round((total.flipFlops() - oneLane.flipFlops()) / (float) l));
            }
            return new Row(unit.name(), unit.numerics(), unit.lanes(), module, latency, total.counts(),
                    oneLane == null ? null : oneLane.counts(), perLane);
        }
    }

    /** DSP48E2, LUT and FF of one lane. */
    public record LaneCost(int dsp, int luts, int flipFlops) {}

    /** The library's units, then the fused units at the kv260 configuration. */
    public static List<Unit> units() {
        AcceleratorConfig kv260 = AcceleratorConfig.kv260();
        int l = kv260.elementwise().sumLanes();
        int w = kv260.elementwise().normWidth();
        int m = kv260.elementwise().matmulLanes();
        int n = kv260.limits().hidden();
        StorageFormat storage = kv260.elementwise().storage();
        List<Unit> units = new ArrayList<>(List.of(
                library("fp32-add", "N2", lanes -> new Fp32Add(), Fp32Add.LATENCY),
                library("fp32-mul", "N2", lanes -> new Fp32Mul(), Fp32Mul.LATENCY),
                library("fp32-mul-fp16", "N2", lanes -> new Fp32Mul(FpFormat.FP16), Fp32Mul.LATENCY),
                library("fp16-to-fp32", "N4.1", lanes -> new Fp16ToFp32(), Fp16ToFp32.LATENCY),
                library("fp32-to-fp16", "N4.1", lanes -> new Fp32ToFp16(), Fp32ToFp16.LATENCY),
                library("bf16-to-fp32", "N4.2", lanes -> new Bf16ToFp32(), Bf16ToFp32.LATENCY),
                library("fp32-to-bf16", "N4.2", lanes -> new Fp32ToBf16(), Fp32ToBf16.LATENCY),
                library("fp16-square", "N2, N4.1", lanes -> new Fp16Square(), Fp16Square.LATENCY),
                library("int32-to-fp32", "N3.1", lanes -> new Int32ToFp32(), Int32ToFp32.LATENCY),
                library("fp32-to-int8", "N3.2, N3.3", lanes -> new Fp32ToInt8(), Fp32ToInt8.LATENCY),
                library("fp32-compare", "N2.4", lanes -> new Fp32Compare(), Fp32Compare.LATENCY),
                library("fp32-max", "N2.4", lanes -> new Fp32Max(), Fp32Max.LATENCY),
                library("fp-scale2", "N9.1", lanes -> new FpScale2(10), FpScale2.LATENCY),
                library("fp-exp", "N9", lanes -> new FpExp(), FpExp.LATENCY),
                library("fp-reciprocal", "N10", lanes -> new FpReciprocal(), FpReciprocal.LATENCY),
                library("fp-reciprocal-shared", "N10", lanes -> new FpReciprocal(FpSchedule.SHARED),
                        FpReciprocal.SHARED_LATENCY),
                library("fp-rsqrt", "N11", lanes -> new FpRsqrt(), FpRsqrt.LATENCY),
                library("fp-rsqrt-shared", "N11", lanes -> new FpRsqrt(FpSchedule.SHARED), FpRsqrt.SHARED_LATENCY),
                library("fp-silu", "N12.1", lanes -> new FpSilu(), FpSilu.LATENCY),
                library("fp-relu2", "N12.2", lanes -> new FpRelu2(), FpRelu2.LATENCY),
                library("inverse-of-count", "N13.2", lanes -> new InverseOfCount(), InverseOfCount.LATENCY)));
        units.add(new Unit("rms-max", "N5, N13, N6.1", w, lanes -> new RmsNormMax(l, lanes, n, storage),
                top -> ((RmsNormMax) top).passes()));
        // The run-time variant the kernel's QUANTIZE uses, and for comparison the fixed unit of the same length.
        int longest = ElementwiseDesigns.longestQuantized(kv260);
        units.add(new Unit("rms-max-runtime", "N5, N13, N6.1", w,
                lanes -> RmsNormMax.runtime(l, lanes, longest, storage), top -> ((RmsNormMax) top).passes()));
        units.add(new Unit("rms-max-longest", "N5, N13, N6.1", w, lanes -> new RmsNormMax(l, lanes, longest, storage),
                top -> ((RmsNormMax) top).passes()));
        units.add(new Unit("quantizer", "N6, N3.3", w, lanes -> new Quantizer(lanes, storage),
                top -> ((Quantizer) top).latency + " (+" + ((Quantizer) top).scaleLatency + " once per vector)"));
        units.add(new Unit("dequantizer", "N8, N3.1", m, Dequantizer::new,
                top -> String.valueOf(((Dequantizer) top).latency)));
        units.add(new Unit("residual-add", "N17.2.6, N4", m, lanes -> new ResidualAdd(lanes, storage),
                top -> String.valueOf(((ResidualAdd) top).latency)));
        units.add(new Unit("rope", "N14, N4", m, lanes -> new Rope(RopeStyle.ADJACENT, lanes, kv260.limits().headDim(), kv260.elementwise().ropeTableRows(), storage),
                top -> ((Rope) top).latency + " after a head is in"));
        // The run-time variant the kernel's LINEAR epilogues use (any head dimension up to the build's, both
        // pair styles, the bypass), at the fixed unit's lanes, head dimension and table rows.
        units.add(new Unit("rope-runtime", "N14, N4", m, lanes -> Rope.runtime(lanes, kv260.limits().headDim(),
                kv260.elementwise().ropeTableRows(), storage),
                top -> ((RopeRunTime) top).latency + " after a head is in"));
        units.add(new Unit("gating", "N12.1, N17.3.3, N6.1", m,
                lanes -> new Gating(Activation.SILU, lanes, storage),
                top -> String.valueOf(((Gating) top).latency)));
        return units;
    }

    private static Unit library(String name, String numerics, IntFunction<Module> build, int latency) {
        return new Unit(name, numerics, 1, build, top -> String.valueOf(latency));
    }

    /**
     * Elaborates and synthesizes each unit (hierarchically, {@link YosysSynth#runHierarchical}) in a folder of
     * {@code work} named after it; {@code progress} hears each unit's name as it starts.
     */
    public static List<Row> measure(List<Unit> units, Path work, Duration timeout, Consumer<String> progress) {
        List<Row> rows = new ArrayList<>();
        for (Unit unit : units) {
            progress.accept(unit.name());
            Design<Module> design = Hdl.elaborate(() -> unit.build().apply(unit.lanes()));
            ResourceReport total = synthesize(design, work.resolve(unit.name()), timeout);
            ResourceReport one = null;
            if (unit.lanes() > 1) {
                Design<Module> single = Hdl.elaborate(() -> unit.build().apply(1));
                one = synthesize(single, work.resolve(unit.name() + "-l1"), timeout);
            }
            rows.add(Row.of(unit, design.topName(), unit.latency().apply(design.top()), total, one));
        }
        return rows;
    }

    private static ResourceReport synthesize(Design<?> design, Path dir, Duration timeout) {
        List<Path> files = new ArrayList<>(design.writeVerilog(dir));
        files.removeLast();   // the file list
        return YosysSynth.runHierarchical(dir, files, design.topName(), timeout);
    }

    /** The kv260 sizes the fused units are built for, in words. */
    private static String describe(AcceleratorConfig config) {
        ElementwiseConfig e = config.elementwise();
        return String.format(Locale.ROOT, "%s storage, n = %,d, heads of %d; RMS-MAX keeps N5's L = %d partial sums"
                + " on %d physical lanes, the quantizer has as many, the units behind the matmul %d",
                e.storage() == StorageFormat.FP16 ? "binary16" : "bfloat16", config.limits().hidden(),
                config.limits().headDim(), e.sumLanes(), e.normWidth(), e.matmulLanes());
    }

    /** The Markdown report: one table of totals, one of the split per lane. */
    public static String markdown(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append("# Element-wise datapath: Yosys estimates\n\n");
        out.append("Written by `scripts/tellme report elementwise`: Yosys `synth_xilinx -family xcup`, hierarchical")
                .append(" (each module synthesized once; nothing optimized across module boundaries), no timing.")
                .append(" DSP48E2, flip-flop and block RAM counts are reliable; LUT counts are rough (Yosys maps LUTs")
                .append(" less well than Vivado). Fused units at their kv260 configuration (")
                .append(describe(AcceleratorConfig.kv260()))
                .append("). The L column counts physical lanes.\n\n");
        out.append("| unit | NUMERICS | module | L | latency (cycles) | DSP48E2 | LUT | FF | RAMB36 | RAMB18 |\n");
        out.append("|---|---|---|---:|---|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            ResourceReport.Counts r = row.total();
            out.append(String.format(Locale.ROOT, "| %s | %s | `%s` | %d | %s | %d | %,d | %,d | %d | %d |%n",
                    row.unit(), row.numerics(), row.module(), row.lanes(), row.latency(),
                    r.dsp(), r.luts(), r.flipFlops(), r.ramb36(), r.ramb18()));
        }
        out.append("\nPer lane: each fused unit also synthesized with one lane; a configuration of L lanes costs about")
                .append(" cost(1) + (L - 1) x (each further lane), where `each further lane = (cost(L) - cost(1)) / (L - 1)`")
                .append(" (cost(1) holds the control, the buffers and the once-per-vector arithmetic):\n\n");
        out.append("| unit | L = 1: DSP48E2 | LUT | FF | each further lane: DSP48E2 | LUT | FF |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            if (row.oneLane() == null) {
                continue;
            }
            LaneCost lane = row.perLane();
            ResourceReport.Counts one = row.oneLane();
            out.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,d | %d | %,d | %,d |%n", row.unit(),
                    one.dsp(), one.luts(), one.flipFlops(), lane.dsp(), lane.luts(), lane.flipFlops()));
        }
        return out.toString();
    }
}
