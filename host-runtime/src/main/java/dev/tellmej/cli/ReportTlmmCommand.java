package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.tlmm.TlmmConfig;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.eda.ResourceReport;
import dev.tellmej.eda.YosysSynth;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme report tlmm}: Yosys {@code synth_xilinx -family xcup} of a TLMM engine configuration, with its
 * URAM288, RAMB36/18, DSP48E2, LUT and FF counts beside the XCK26's capacity and TeLLMe's published figures.
 */
@Command(name = "tlmm", mixinStandardHelpOptions = true,
        description = "Synthesize the TLMM engine with Yosys (synth_xilinx -family xcup) and write a resource report.")
final class ReportTlmmCommand implements Callable<Integer> {
    /** The XCK26 (Kria K26 SOM) device: DS987. */
    static final int XCK26_LUT = 117_120;
    static final int XCK26_FF = 234_240;
    static final int XCK26_DSP = 1_248;
    static final int XCK26_BRAM36 = 144;
    static final int XCK26_URAM = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", defaultValue = "kv260", description = "engine configuration (default: ${DEFAULT-VALUE})")
    String configName;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "target/reports/tlmm-kv260.md",
            description = "report file, Markdown (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws IOException {
        AcceleratorConfig build = AcceleratorConfig.named().get(configName);
        if (build == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown configuration '" + configName
                    + "'; known: " + String.join(", ", AcceleratorConfig.named().keySet()));
        }
        TlmmConfig config = build.tlmmConfig();
        PrintWriter console = spec.commandLine().getOut();
        Design<TlmmEngine> design = Hdl.elaborate(() -> new TlmmEngine(config));
        Path work = Files.createTempDirectory("tellme-report-tlmm");
        List<Path> files = design.writeVerilog(work);
        console.printf("synthesizing %s with Yosys synth_xilinx -family xcup (this takes minutes)...%n", design.topName());
        console.flush();
        long start = System.nanoTime();
        ResourceReport report = YosysSynth.run(work, files.subList(0, files.size() - 1), design.topName(),
                Duration.ofHours(2));
        double minutes = (System.nanoTime() - start) / 60e9;
        String text = render(config, design.topName(), report, minutes);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, text);
        console.print(text);
        console.println("wrote " + out);
        return 0;
    }

    static String render(TlmmConfig config, String top, ResourceReport r, double minutes) {
        StringBuilder s = new StringBuilder();
        s.append("# TLMM engine resources: ").append(config.name()).append("\n\n");
        s.append(String.format(Locale.ROOT, "`%s`: T = %d, Q = %d (%d ternary MACs per cycle), %d AXI4 read ports of %d bits,"
                + " weight buffer %d banks x %d words, %d tokens per chunk. Yosys 0.23 `synth_xilinx -family xcup -flatten`"
                + " (%.1f min); URAM, block RAM, DSP and FF counts are reliable, LUT counts rough (Vivado maps LUTs better).%n%n",
                top, config.tables(), config.columns(), config.macsPerCycle(), config.ports(), config.portDataBits(),
                config.banks(), config.bufferDepth(), config.maxTokens(), minutes));
        s.append("| resource | TLMM engine | XCK26 | share | TeLLMe, whole design |\n|---|---|---|---|---|\n");
        s.append(row("URAM288", r.uram(), XCK26_URAM, "60"));
        s.append(row("RAMB36E2 + RAMB18E2 / 2", r.bramTiles(), XCK26_BRAM36, "98.5"));
        s.append(row("DSP48E2", r.dsp(), XCK26_DSP, "610"));
        s.append(row("LUT (logic + memory)", r.luts(), XCK26_LUT, "98K"));
        s.append(row("  of which LUT as memory", r.lutMemory(), XCK26_LUT, ""));
        s.append(row("FF", r.flipFlops(), XCK26_FF, "137K"));
        s.append("\nCells: ").append(r.cells()).append('\n');
        return s.toString();
    }

    private static String row(String name, double used, int capacity, String tellme) {
        return String.format(Locale.ROOT, "| %s | %s | %,d | %.1f %% | %s |%n", name,
                used == Math.rint(used) ? String.format(Locale.ROOT, "%,d", (long) used) : String.format(Locale.ROOT, "%.1f", used),
                capacity, 100 * used / capacity, tellme);
    }
}
