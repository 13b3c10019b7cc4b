package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.KernelReport;
import dev.tellmej.accel.kernel.TellmeKernel;
import dev.tellmej.accel.report.AcceleratorReport;
import dev.tellmej.accel.sim.AcceleratorBenchmark;
import dev.tellmej.eda.EdaTool;
import dev.tellmej.hdl.Design;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme report accelerator}: Yosys {@code synth_xilinx -family xcup} of a build's whole kernel
 * ({@link KernelReport}), written as Markdown beside the XCK26's capacity, issue 13's budget (PASS or OVER per
 * line) and TeLLMe's published figures; or, with {@code --out DIR}, the accelerator's whole report
 * ({@link AcceleratorReport}): a Markdown page with PNG plots of the saved {@code bench accelerator} projection and
 * this synthesis.
 *
 * <p>Every synthesis is saved in the cache folder ({@link SavedSynthesis}); {@code --reuse} takes the saved one
 * instead of running Yosys when it was made from the same build, Verilog and Yosys.
 */
@Command(name = "accelerator",
        description = {"Synthesize the whole kernel 'tellme' with Yosys (synth_xilinx -family xcup) and write a"
                + " resource report: URAM288, RAMB36, DSP48E2, LUT (rough) and FF against the XCK26, issue 13's"
                + " budget (PASS or OVER per line) and TeLLMe's figures.",
                "Flattened by default, as the other reports (hours on kv260); --hierarchical keeps the hierarchy"
                        + " (about half an hour on kv260 on 2 cores) and adds the split per top-level unit.",
                "With --out DIR (a path not ending in .md): the accelerator's report, a Markdown page and PNG plots"
                        + " of the saved 'tellme bench accelerator' result (decode against context with the DDR"
                        + " roofline, prefill and TTFT, bytes per token) and of this synthesis (resources against"
                        + " the XCK26 and TeLLMe).",
                "Each synthesis is saved in the cache folder; --reuse takes the saved one when it was made from the"
                        + " same build, Verilog and Yosys.",
                "  tellme report accelerator --config kv260 --hierarchical --reuse --out DIR"})
final class ReportAcceleratorCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--config", defaultValue = "kv260", description = "build (default: ${DEFAULT-VALUE})")
    String configName;

    @Option(names = "--out", paramLabel = "PATH", description = "FILE.md: the resource report alone, Markdown"
            + " (default: target/reports/accelerator-CONFIG[-UNIT].md); DIR (any other path): the accelerator's"
            + " report, accelerator-CONFIG.md and its PNG plots, in a new or empty folder (or one it wrote before,"
            + " with --force).")
    Path out;

    @Option(names = "--force", description = "Replace the report in a folder this command wrote before (it deletes"
            + " only the files its marker lists, never a file of yours).")
    boolean force;

    @Option(names = "--reuse", description = "Use the synthesis saved in the cache folder instead of running Yosys,"
            + " when it was made from the same build, unit, mode, Verilog and Yosys (otherwise synthesize, and say"
            + " why).")
    boolean reuse;

    @Option(names = "--bench", paramLabel = "FILE", description = "With --out DIR: the 'tellme bench accelerator"
            + " --json' result to report (default: the one that command saved in the cache folder,"
            + " bench-accelerator-CONFIG.json).")
    Path benchFile;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "where synthesis results are saved and the"
            + " bench result is found (default: ~/.cache/tellme-j)")
    Path cacheDir;

    @Option(names = "--work", paramLabel = "DIR", description = "Folder for the Verilog and the Yosys log and"
            + " statistics (default: a temporary folder).")
    Path work;

    @Option(names = "--unit", paramLabel = "NAME", description = "Synthesize only this instance of the kernel's top"
            + " module (tlmm, attention, lm_head, ...), as the kernel instantiates it; the message of an unknown name"
            + " lists them.")
    String unit;

    @Option(names = "--hierarchical", description = "Keep the hierarchy: each module synthesized once, nothing"
            + " optimized across module boundaries (LUT and FF counts somewhat higher); faster, and the report splits"
            + " the resources per top-level unit.")
    boolean hierarchical;

    @Range(min = 1, max = 24 * 60)
    @Option(names = "--timeout-minutes", defaultValue = "480", description = "Yosys time limit (default"
            + " ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(KernelReport.Result.class, AcceleratorReport.Result.class);
    }

    /** True when {@code path} names the single Markdown file of the resource report (the old {@code --out FILE}). */
    static boolean isMarkdownFile(Path path) {
        return path.getFileName() != null
                && path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".md");
    }

    @Override
    public Integer call() throws IOException {
        AcceleratorConfig config = ConfigCommand.build(spec.commandLine(), configName);
        boolean folder = out != null && !isMarkdownFile(out);
        if (folder && unit != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " is a folder, for the"
                    + " report of the whole kernel; --unit writes the resources of one unit to a Markdown file"
                    + " (--out FILE.md)");
        }
        if (!folder && (benchFile != null || force)) {
            throw new CommandLine.ParameterException(spec.commandLine(), (benchFile != null ? "--bench" : "--force")
                    + " belongs to the report in a folder (--out DIR, a path not ending in .md)");
        }
        Path cache = cacheDir != null ? cacheDir : ModelFiles.cacheDir();
        KernelReport.Synthesis synthesis = hierarchical ? KernelReport.Synthesis.HIERARCHICAL
                : KernelReport.Synthesis.FLATTENED;

        // Everything that can refuse the folder report does so before a synthesis of minutes.
        AcceleratorBenchmark.Result bench = null;
        AcceleratorReport.Source benchSource = null;
        if (folder) {
            Path file = benchFile != null ? benchFile : SavedProjection.file(cache, config.name());
            bench = readBench(file, config);
            benchSource = new AcceleratorReport.Source("tellme bench accelerator --config " + config.name(),
                    shown(file), SavedProjection.when(Files.getLastModifiedTime(file).toInstant())
                            + " (the file's date)", bench.simulation().measured());
            OutputFolder.REPORT_ACCELERATOR.checkWritable(out, AcceleratorReport.fileNames(config.name()),
                    force);
        }

        EdaTool.YOSYS.require();
        Design<TellmeKernel> kernel = KernelReport.elaborate(config);
        List<String> units = KernelReport.units(kernel);
        if (unit != null && !units.contains(unit)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the kernel has no unit '" + unit + "'"
                    + ClosestName.of(unit, units).map(n -> "; did you mean '" + n + "'?").orElse("")
                    + " (its units: " + String.join(", ", units) + ")");
        }
        PrintWriter progress = json.progress();
        SavedSynthesis.Key key = SavedSynthesis.key(config, kernel, unit, synthesis, EdaTool.YOSYS.version().banner());
        Path savedFile = SavedSynthesis.file(cache, config.name(), unit, synthesis);
        SavedSynthesis.Saved saved = null;
        if (reuse) {
            switch (SavedSynthesis.find(savedFile, key)) {
                case SavedSynthesis.Lookup.Found found -> {
                    saved = found.saved();
                    progress.printf("reusing the synthesis saved at %s (%s): the same build, Verilog and Yosys%n",
                            savedFile, saved.saved_at());
                }
                case SavedSynthesis.Lookup.Unusable unusable ->
                        progress.printf("not reusing: %s; synthesizing%n", unusable.reason());
            }
            progress.flush();
        }
        if (saved == null) {
            saved = synthesize(config, kernel, synthesis, key, savedFile, progress);
        }
        KernelReport.Result result = saved.result();

        if (!folder) {
            Path file = out != null ? out : Path.of("target", "reports", "accelerator-" + config.name()
                    + (unit == null ? "" : "-" + unit) + ".md");
            ReportOutput.deliver(file, KernelReport.markdown(result), result, json, spec.commandLine().getOut());
            return 0;
        }
        String command = "tellme report accelerator --config " + config.name()
                + (synthesis == KernelReport.Synthesis.HIERARCHICAL ? " --hierarchical" : "");
        AcceleratorReport.Source synthesisSource = new AcceleratorReport.Source(command, shown(savedFile),
                saved.saved_at(), String.format(Locale.ROOT, "%s; Verilog SHA-256 %s (source-line numbers left out),"
                        + " configuration SHA-256 %s", key.yosys(), SavedSynthesis.shortHash(key.verilog_sha256()),
                        SavedSynthesis.shortHash(key.config_sha256())));
        AcceleratorReport.Report report = AcceleratorReport.build(bench, benchSource, result, synthesisSource);
        OutputFolder.Outcome outcome = OutputFolder.REPORT_ACCELERATOR.writeBytes(out, report.files(), force);
        if (json.enabled()) {
            json.print(report.result());
        } else {
            PrintWriter console = spec.commandLine().getOut();
            console.printf("wrote the %s report to %s:%n", config.name(), out);
            outcome.written().forEach(f -> console.println("  " + f.getFileName()));
            outcome.removed().forEach(f -> console.println("  removed " + f.getFileName() + " (an earlier run's)"));
            console.flush();
        }
        return 0;
    }

    /** Runs Yosys and saves the result with its key. */
    private SavedSynthesis.Saved synthesize(AcceleratorConfig config, Design<TellmeKernel> kernel,
                                            KernelReport.Synthesis synthesis, SavedSynthesis.Key key, Path savedFile,
                                            PrintWriter progress) throws IOException {
        Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("tellme-report-accelerator");
        KernelReport.Result result = KernelReport.measure(kernel, unit, synthesis, dir,
                Duration.ofMinutes(timeoutMinutes), top -> {
                    progress.printf("synthesizing %s (%s, %s) with Yosys synth_xilinx -family xcup; this takes"
                            + " minutes%s; log: %s%n", top, config.name(), synthesis.name().toLowerCase(Locale.ROOT),
                            hierarchical || unit != null ? "" : " (hours for kv260's whole kernel)",
                            dir.resolve("yosys-" + top + ".log"));
                    progress.flush();
                });
        SavedSynthesis.Saved saved = new SavedSynthesis.Saved(key, SavedProjection.when(Instant.now()), result);
        SavedSynthesis.save(savedFile, saved);
        progress.printf("saved the synthesis to %s (--reuse takes it while the Verilog is the same)%n", savedFile);
        progress.flush();
        return saved;
    }

    /** {@code file} as the page shows it: under the home folder as {@code ~/...}, so the page names no user. */
    static String shown(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path home = Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
        return absolute.startsWith(home) && !absolute.equals(home) ? "~/" + home.relativize(absolute) : file.toString();
    }

    /** The bench result in {@code file}, of the build {@code config}; or what to run to make one. */
    private static AcceleratorBenchmark.Result readBench(Path file, AcceleratorConfig config) {
        String run = "Run 'tellme bench accelerator --config " + config.name() + "' first (about half an hour for"
                + " kv260 on 2 cores; it saves its result there), or give --bench FILE with a 'bench accelerator --json'"
                + " result.";
        if (!Files.isRegularFile(file)) {
            throw new CommandFailedException("no 'tellme bench accelerator' result at " + file, run);
        }
        AcceleratorBenchmark.Result bench;
        try {
            bench = SavedProjection.result(file);
        } catch (IOException e) {
            throw new CommandFailedException(e.getMessage(), run);
        }
        if (bench.prefill().isEmpty()) {
            throw new CommandFailedException(file + ": the projection has no prefill line", run);
        }
        if (!bench.config().equals(config.name())) {
            throw new CommandFailedException(file + " is a projection of the " + bench.config() + " build, not of "
                    + config.name(), run);
        }
        return bench;
    }
}
