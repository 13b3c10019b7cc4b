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
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme report elementwise}: synthesizes every floating-point unit and every fused element-wise unit
 * (kv260 configuration, and with one lane for the per-lane split) with Yosys ({@link ElementwiseReport}) and
 * writes a Markdown table of DSP48E2, LUT, FF and block RAM.
 */
@Command(name = "elementwise",
        description = {"Yosys estimates of the floating-point units and the fused element-wise units:",
                "per unit and per lane (DSP48E2, LUT, FF, RAMB36/18) and latency, as Markdown.",
                "  tellme report elementwise [--out FILE] [--units NAME,...] [--work DIR]"})
final class ReportElementwiseCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report here (default: standard output).")
    Path out;

    @Option(names = "--units", split = ",", paramLabel = "NAME", description = "Only these units (default: all).")
    List<String> only;

    @Option(names = "--work", paramLabel = "DIR", description = "Folder for the Verilog and Yosys logs (default: a"
            + " temporary folder).")
    Path work;

    @Range(min = 1, max = 24 * 60)
    @Option(names = "--timeout-minutes", defaultValue = "30", description = "Per Yosys run (default ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(ElementwiseReport.Row.class);
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        List<ElementwiseReport.Unit> units = ElementwiseReport.units();
        List<String> known = units.stream().map(ElementwiseReport.Unit::name).toList();
        if (only != null) {
            for (String name : only) {
                if (!known.contains(name)) {
                    String closest = ClosestName.of(name, known).map(n -> "; did you mean '" + n + "'?").orElse("");
                    throw new CommandLine.ParameterException(spec.commandLine(), "unknown unit '" + name + "'"
                            + closest + " (known: " + String.join(", ", known) + ")");
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
        if (out != null) {
            try {
                if (out.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(out.toAbsolutePath().getParent());
                }
                Files.writeString(out, markdown);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out, e);
            }
        }
        if (json.enabled()) {
            json.print(rows);
        } else if (out == null) {
            stdout.print(markdown);
            stdout.flush();
        } else {
            stdout.println("wrote " + out);
        }
        stderr.printf("%d units synthesized in %.0f s (work folder %s)%n", rows.size(),
                (System.nanoTime() - start) / 1e9, dir);
        return 0;
    }
}
