package dev.tellmej.accel.tlmm;

import dev.tellmej.accel.PublishedFigures;
import dev.tellmej.eda.FpgaDevice;
import dev.tellmej.eda.ResourceReport;
import dev.tellmej.eda.YosysSynth;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Yosys {@code synth_xilinx -family xcup} resource estimate of a TLMM engine configuration, with its
 * URAM288, block RAM, DSP48E2, LUT and FF counts beside the XCK26's capacity and TeLLMe's published figures
 * ({@code tellme report tlmm}).
 */
public final class TlmmReport {
    /**
     * A measured configuration.
     *
     * @param config           the engine configuration
     * @param top              the synthesized top module
     * @param counts           the resources Yosys mapped
     * @param cells            every cell type and its count, as Yosys {@code stat} printed them
     * @param synthesisMinutes Yosys wall time, minutes
     */
    public record Result(TlmmConfig config, String top, ResourceReport.Counts counts, Map<String, Integer> cells,
            double synthesisMinutes) {}

    private TlmmReport() {}

    /**
     * Elaborates {@code config}, writes its Verilog into {@code work} and synthesizes it (flattened);
     * {@code progress} hears the top module's name as synthesis starts.
     */
    public static Result measure(TlmmConfig config, Path work, Duration timeout, Consumer<String> progress) {
        Design<TlmmEngine> design = Hdl.elaborate(() -> new TlmmEngine(config));
        List<Path> files = design.writeVerilog(work);
        progress.accept(design.topName());
        long start = System.nanoTime();
        ResourceReport report = YosysSynth.run(work, files.subList(0, files.size() - 1), design.topName(), timeout);
        double minutes = (System.nanoTime() - start) / 60e9;
        return new Result(config, design.topName(), report.counts(), report.cells(), minutes);
    }

    /** The Markdown report: the configuration, then one table of resources against the XCK26 and TeLLMe. */
    public static String markdown(Result result) {
        TlmmConfig config = result.config();
        ResourceReport.Counts c = result.counts();
        FpgaDevice d = FpgaDevice.XCK26;
        StringBuilder s = new StringBuilder();
        s.append("# TLMM engine resources: ").append(config.name()).append("\n\n");
        s.append(String.format(Locale.ROOT, "`%s`: T = %d, Q = %d (%d ternary MACs per cycle), %d AXI4 read ports of %d bits,"
                + " weight buffer %d banks x %d words, %d tokens per chunk. Yosys 0.23 `synth_xilinx -family xcup -flatten`"
                + " (%.1f min); URAM, block RAM, DSP and FF counts are reliable, LUT counts rough (Vivado maps LUTs better).%n%n",
                result.top(), config.tables(), config.columns(), config.macsPerCycle(), config.ports(),
                config.portDataBits(), config.banks(), config.bufferDepth(), config.maxTokens(), result.synthesisMinutes()));
        s.append("| resource | TLMM engine | ").append(d.name()).append(" | share | TeLLMe, whole design |\n")
                .append("|---|---|---|---|---|\n");
        PublishedFigures t = PublishedFigures.TELLME;
        s.append(row("URAM288", c.uram(), d.uram(), PublishedFigures.plain(t.uram())));
        s.append(row("RAMB36E2 + RAMB18E2 / 2", c.bramTiles(), d.bram36(), PublishedFigures.plain(t.bramTiles())));
        s.append(row("DSP48E2", c.dsp(), d.dsp(), PublishedFigures.plain(t.dsp())));
        s.append(row("LUT (logic + memory)", c.luts(), d.luts(), PublishedFigures.thousands(t.luts())));
        s.append(row("  of which LUT as memory", c.lutMemory(), d.luts(), ""));
        s.append(row("FF", c.flipFlops(), d.flipFlops(), PublishedFigures.thousands(t.flipFlops())));
        s.append("\nCells: ").append(result.cells()).append('\n');
        return s.toString();
    }

    private static String row(String name, double used, int capacity, String tellme) {
        return String.format(Locale.ROOT, "| %s | %s | %,d | %.1f %% | %s |%n", name,
                used == Math.rint(used) ? String.format(Locale.ROOT, "%,d", (long) used) : String.format(Locale.ROOT, "%.1f", used),
                capacity, 100 * used / capacity, tellme);
    }
}
