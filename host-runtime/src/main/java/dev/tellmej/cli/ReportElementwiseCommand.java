package dev.tellmej.cli;

import dev.tellmej.accel.elementwise.ElementwiseReport;
import dev.tellmej.eda.EdaTool;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme report elementwise}: synthesizes every floating-point unit and every fused element-wise unit
 * (kv260 configuration, and with one lane for the per-lane split) with Yosys and writes a Markdown table of
 * DSP48E2, LUT, FF and block RAM.
 */
@Command(name = "elementwise", mixinStandardHelpOptions = true,
        description = {"Yosys estimates of the floating-point units and the fused element-wise units:",
                "per unit and per lane (DSP48E2, LUT, FF, RAMB36/18) and latency, as Markdown.",
                "  tellme report elementwise [--out FILE] [--units NAME,...] [--work DIR]"})
final class ReportElementwiseCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report here (default: standard output).")
    Path out;

    @Option(names = "--units", split = ",", paramLabel = "NAME", description = "Only these units (default: all).")
    List<String> only;

    @Option(names = "--work", paramLabel = "DIR", description = "Folder for the Verilog and Yosys logs (default: a"
            + " temporary folder).")
    Path work;

    @Option(names = "--timeout-minutes", defaultValue = "30", description = "Per Yosys run (default ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        List<ElementwiseReport.Unit> units = ElementwiseReport.units();
        if (only != null) {
            Set<String> known = Set.copyOf(units.stream().map(ElementwiseReport.Unit::name).toList());
            for (String name : only) {
                if (!known.contains(name)) {
                    stderr.println("error: unknown unit '" + name + "'; known: "
                            + String.join(", ", units.stream().map(ElementwiseReport.Unit::name).toList()));
                    return 2;
                }
            }
            units = units.stream().filter(u -> only.contains(u.name())).toList();
        }
        EdaTool.YOSYS.require();
        Path dir = work != null ? work : Files.createTempDirectory("tellme-report-");
        long start = System.nanoTime();
        List<ElementwiseReport.Row> rows = ElementwiseReport.measure(units, dir, Duration.ofMinutes(timeoutMinutes),
                name -> stderr.println("synthesizing " + name + " ..."));
        String markdown = ElementwiseReport.markdown(rows);
        if (out == null) {
            stdout.print(markdown);
            stdout.flush();
        } else {
            try {
                if (out.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(out.toAbsolutePath().getParent());
                }
                Files.writeString(out, markdown);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out, e);
            }
            stdout.println("wrote " + out);
        }
        stderr.printf("%d units synthesized in %.0f s (work folder %s)%n", rows.size(),
                (System.nanoTime() - start) / 1e9, dir);
        return 0;
    }
}
