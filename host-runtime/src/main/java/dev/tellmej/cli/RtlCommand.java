package dev.tellmej.cli;

import dev.tellmej.accel.AcceleratorDesigns;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.check.ElaborationException;
import dev.tellmej.hdl.check.HdlException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tellme rtl}: lists the designs the tool can emit, or elaborates one, runs every check, and writes
 * one Verilog file per module plus a file list into a folder it owns ({@link OutputFolder}).
 */
@Command(name = "rtl", subcommands = RtlImportCommand.class, description = {"Generate Verilog for a named design,"
        + " or read an existing Verilog module's ports (import).",
        "  tellme rtl --list",
        "  tellme rtl DESIGN [--config NAME] --out DIR",
        "  tellme rtl --accelerator --out rtl --force   (every accelerator block in every configuration)",
        "  tellme rtl import FILE.v [--module NAME] [--param NAME=VALUE ...] [--json]",
        "DIR must be new or empty, or hold an earlier 'tellme rtl' output (marker file " + OutputFolder.MARKER_PREFIX
                + "rtl), which --force replaces. Other files in DIR are never overwritten or deleted."})
final class RtlCommand implements Callable<Integer> {
    private final Supplier<List<DesignEntry>> catalog;

    RtlCommand() {
        this(DesignCatalog::entries);
    }

    /** A command over another catalog (tests). */
    RtlCommand(Supplier<List<DesignEntry>> catalog) {
        this.catalog = catalog;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--list", description = "List the designs and their configurations.")
    boolean list;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DESIGN", description = "The design to emit (see --list).")
    String design;

    @Option(names = "--config", paramLabel = "NAME", description = "The configuration (default: the design's first).")
    String configuration;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for DESIGN.f and the .v files.")
    Path out;

    @Option(names = "--accelerator", description = "Write every accelerator block in every configuration to"
            + " DIR/<design>-<config>/ (the repository's rtl/ folder).")
    boolean accelerator;

    @Option(names = "--force", description = "Replace the output of an earlier 'tellme rtl' in DIR (only the files"
            + " its marker lists).")
    boolean force;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        if (list) {
            for (DesignEntry entry : catalog.get()) {
                stdout.printf("%-18s %s%n", entry.name(), entry.description());
                if (entry.configurations().size() > 1) {
                    stdout.printf("%-18s configurations: %s (default %s)%n", "", String.join(", ",
                            entry.configurationNames()), entry.defaultConfiguration());
                }
            }
            return 0;
        }
        if (accelerator) {
            if (design != null) {
                throw usage("--accelerator writes every accelerator block; name no DESIGN with it");
            }
            requireOut();
            return writeAccelerator(stdout);
        }
        if (design == null) {
            throw usage("name a design (tellme rtl --list shows them), or pass --list or --accelerator");
        }
        List<DesignEntry> entries = catalog.get();
        Optional<DesignEntry> entry = entries.stream().filter(e -> e.name().equals(design)).findFirst();
        if (entry.isEmpty()) {
            List<String> names = entries.stream().map(DesignEntry::name).toList();
            throw usage("unknown design '" + design + "'" + ClosestName.of(design, names)
                    .map(n -> "; did you mean '" + n + "'?").orElse("") + " (tellme rtl --list shows them)");
        }
        String config = configuration == null ? entry.get().defaultConfiguration() : configuration;
        if (!entry.get().configurations().containsKey(config)) {
            throw usage("design '" + design + "' has no configuration '" + config + "'; it has "
                    + String.join(", ", entry.get().configurationNames()));
        }
        requireOut();
        Design<?> elaborated = elaborate(entry.get(), config);
        OutputFolder.Outcome outcome = OutputFolder.RTL.write(out, elaborated.verilogFiles(design), force);
        report(stdout, outcome);
        stdout.println(design + " (" + config + "): " + (outcome.written().size() - 1) + " module(s), top "
                + elaborated.topName());
        return 0;
    }

    private int writeAccelerator(PrintWriter stdout) {
        Map<String, String> files = new LinkedHashMap<>();
        Map<String, String> summaries = new LinkedHashMap<>();
        for (DesignEntry entry : AcceleratorDesigns.entries()) {
            for (String config : entry.configurationNames()) {
                Design<?> elaborated = elaborate(entry, config);
                String folder = entry.name() + "-" + config;
                Map<String, String> block = elaborated.verilogFiles(entry.name());
                block.forEach((name, text) -> files.put(folder + "/" + name, text));
                summaries.put(folder, entry.name() + " (" + config + "): " + (block.size() - 1) + " module(s), top "
                        + elaborated.topName());
            }
        }
        OutputFolder.Outcome outcome = OutputFolder.RTL.write(out, files, force);
        report(stdout, outcome);
        summaries.values().forEach(stdout::println);
        return 0;
    }

    /** Elaborates {@code entry} in {@code config}; design errors become a {@link CommandFailedException}. */
    static Design<?> elaborate(DesignEntry entry, String config) {
        try {
            return entry.elaborate(config);
        } catch (ElaborationException e) {
            throw new CommandFailedException(e.errors().size() + " design error(s) in " + entry.name() + " (" + config
                    + "):\n" + e.errors().stream().map(error -> "  " + error.getMessage())
                    .collect(Collectors.joining("\n")), "Each error starts with the Java line that caused it.");
        } catch (HdlException e) {
            throw new CommandFailedException(entry.name() + " (" + config + "): " + e.getMessage(),
                    "The error starts with the Java line that caused it.");
        }
    }

    private void requireOut() {
        if (out == null) {
            throw usage("--out DIR is required to write Verilog");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static void report(PrintWriter stdout, OutputFolder.Outcome outcome) {
        for (Path file : outcome.removed()) {
            stdout.println("removed " + file + " (no longer generated)");
        }
        for (Path file : outcome.written()) {
            stdout.println("wrote " + file);
        }
    }
}
