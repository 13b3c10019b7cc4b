package dev.tellmej.accel.attention;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.eda.FpgaDevice;
import dev.tellmej.eda.ResourceReport;
import dev.tellmej.eda.YosysSynth;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Yosys {@code synth_xilinx -family xcup} resource estimates of a build's attention blocks (the
 * {@link AttentionUnit} and the {@link KvCacheWriter}), together and beside the XCK26's capacity less what the
 * TLMM engine and the element-wise units need ({@code tellme report attention}).
 */
public final class AttentionReport {
    /** URAM288 the TLMM engine's weight buffer takes on kv260 (docs/tlmm.md). */
    public static final int TLMM_URAM = 32;
    /** DSP48E2 the fused element-wise units take on kv260 (docs/elementwise.md). */
    public static final int ELEMENTWISE_DSP = 94;

    /**
     * One synthesized block.
     *
     * @param block   the block's name in {@code tellme rtl --list}
     * @param top     the synthesized top module
     * @param counts  the resources Yosys mapped
     * @param minutes Yosys wall time, minutes
     */
    public record Block(String block, String top, ResourceReport.Counts counts, double minutes) {}

    /**
     * The report of one build.
     *
     * @param config       the build's name
     * @param lanes        the unit's N5 lanes L
     * @param width        stored values per beat W
     * @param maxHeadDim   the largest head dimension
     * @param context      positions per slot
     * @param slots        queries per command
     * @param chunkRows    K or V rows per chunk
     * @param blocks       each block
     * @param uram         URAM288 of all blocks together
     * @param bramTiles    RAMB36E2 + RAMB18E2 / 2 together
     * @param dsp          DSP48E2 together
     * @param luts         LUTs together (rough)
     * @param flipFlops    flip-flops together
     * @param uramLeft     XCK26 URAM288 less the TLMM engine's and the blocks'
     * @param dspLeft      XCK26 DSP48E2 less the element-wise units' and the blocks'
     */
    public record Result(String config, int lanes, int width, int maxHeadDim, int context, int slots, int chunkRows,
            List<Block> blocks, int uram, double bramTiles, int dsp, int luts, int flipFlops, int uramLeft,
            int dspLeft) {}

    private AttentionReport() {}

    /** Elaborates and synthesizes both blocks of {@code config} in {@code work}; {@code progress} hears each top. */
    public static Result measure(AcceleratorConfig config, Path work, Duration timeout, Consumer<String> progress) {
        List<Block> blocks = new ArrayList<>();
        blocks.add(synthesize("attention", () -> AttentionUnit.of(config), work.resolve("attention"), timeout,
                progress));
        blocks.add(synthesize("kv-cache-writer", () -> KvCacheWriter.of(config), work.resolve("kv-cache-writer"),
                timeout, progress));
        int uram = 0;
        double bram = 0;
        int dsp = 0;
        int luts = 0;
        int ffs = 0;
        for (Block b : blocks) {
            uram += b.counts().uram();
            bram += b.counts().bramTiles();
            dsp += b.counts().dsp();
            luts += b.counts().luts();
            ffs += b.counts().flipFlops();
        }
        FpgaDevice d = FpgaDevice.XCK26;
        AttentionShape s = AttentionShape.of(config);
        return new Result(config.name(), s.lanes(), s.width(), s.maxHeadDim(), s.context(), s.slots(), s.chunkRows(),
                blocks, uram, bram, dsp, luts, ffs, d.uram() - TLMM_URAM - uram, d.dsp() - ELEMENTWISE_DSP - dsp);
    }

    private static Block synthesize(String name, Supplier<? extends Module> block, Path dir, Duration timeout,
                                    Consumer<String> progress) {
        Design<? extends Module> design = Hdl.elaborate(block::get);
        List<Path> files = design.writeVerilog(dir);
        progress.accept(design.topName());
        long start = System.nanoTime();
        ResourceReport report = YosysSynth.run(dir, files.subList(0, files.size() - 1), design.topName(), timeout);
        return new Block(name, design.topName(), report.counts(), (System.nanoTime() - start) / 60e9);
    }

    /** The Markdown report: one row per block, the total, and what the XCK26 has. */
    public static String markdown(Result r) {
        FpgaDevice d = FpgaDevice.XCK26;
        StringBuilder out = new StringBuilder();
        out.append("# Attention resources: ").append(r.config()).append("\n\n");
        out.append(String.format(Locale.ROOT,
                "Attention unit: L = %d, W = %d, d <= %d, context %,d, %d slots, chunks of"
                + " %d rows. Yosys 0.23 `synth_xilinx -family xcup -flatten`; URAM, block RAM, DSP and FF counts are"
                + " reliable, LUT counts rough.%n%n", r.lanes(), r.width(), r.maxHeadDim(), r.context(), r.slots(),
                r.chunkRows()));
        out.append("| block | top | URAM288 | RAMB36 eq. | DSP48E2 | LUT | FF | Yosys min |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Block b : r.blocks()) {
            ResourceReport.Counts c = b.counts();
            out.append(String.format(Locale.ROOT, "| %s | `%s` | %d | %.1f | %d | %,d | %,d | %.1f |%n",
                    b.block(), b.top(), c.uram(), c.bramTiles(), c.dsp(), c.luts(), c.flipFlops(), b.minutes()));
        }
        out.append(String.format(Locale.ROOT, "| **together** | | %d | %.1f | %d | %,d | %,d | |%n", r.uram(),
                r.bramTiles(), r.dsp(), r.luts(), r.flipFlops()));
        out.append(String.format(Locale.ROOT, "| %s | | %d | %d | %,d | %,d | %,d | |%n%n", d.name(), d.uram(),
                d.bram36(), d.dsp(), d.luts(), d.flipFlops()));
        out.append(String.format(Locale.ROOT,
                "Left for the rest of the kernel: %d URAM288 after the TLMM engine's %d and"
                + " attention's; %,d DSP48E2 after the element-wise units' %d and attention's.%n", r.uramLeft(),
                TLMM_URAM, r.dspLeft(), ELEMENTWISE_DSP));
        return out.toString();
    }
}
