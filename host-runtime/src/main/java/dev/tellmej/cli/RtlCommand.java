package dev.tellmej.cli;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.check.ElaborationException;
import dev.tellmej.hdl.check.HdlException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tellme rtl}: lists the designs the tool can emit, or elaborates one, runs every check, and writes
 * one Verilog file per module plus a file list.
 */
@Command(name = "rtl", description = {"Generate Verilog for a named design.",
        "  tellme rtl --list",
        "  tellme rtl DESIGN [--config NAME] --out DIR",
        "  tellme rtl --accelerator --out rtl     (every accelerator block in every configuration)"})
final class RtlCommand implements Callable<Integer> {
    private final java.util.function.Supplier<List<DesignEntry>> catalog;

    RtlCommand() {
        this(DesignCatalog::entries);
    }

    /** A command over another catalog (tests). */
    RtlCommand(java.util.function.Supplier<List<DesignEntry>> catalog) {
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

    @Option(names = "--out", paramLabel = "DIR", description = "Directory for DESIGN.f and the .v files.")
    Path out;

    @Option(names = "--accelerator", description = "Write every accelerator block in every configuration to"
            + " DIR/<design>-<config>/ (the repository's rtl/ folder).")
    boolean accelerator;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
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
            if (out == null) {
                stderr.println("error: --accelerator needs --out DIR");
                return 2;
            }
            return writeAccelerator(stdout, stderr);
        }
        if (design == null) {
            stderr.println("error: name a design (tellme rtl --list shows them) or pass --list");
            return 2;
        }
        Optional<DesignEntry> entry = catalog.get().stream().filter(e -> e.name().equals(design)).findFirst();
        if (entry.isEmpty()) {
            stderr.println("error: unknown design '" + design + "'; known designs: "
                    + String.join(", ", catalog.get().stream().map(DesignEntry::name).toList()));
            return 2;
        }
        String config = configuration == null ? entry.get().defaultConfiguration() : configuration;
        if (!entry.get().configurations().containsKey(config)) {
            stderr.println("error: design '" + design + "' has no configuration '" + config + "'; it has "
                    + String.join(", ", entry.get().configurationNames()));
            return 2;
        }
        if (out == null) {
            stderr.println("error: --out DIR is required to write Verilog");
            return 2;
        }
        Design<?> elaborated;
        try {
            elaborated = entry.get().elaborate(config);
        } catch (ElaborationException e) {
            stderr.println("error: " + e.errors().size() + " design error(s) in " + design + " (" + config + "):");
            for (HdlException error : e.errors()) {
                stderr.println("  " + error.getMessage());
            }
            return 1;
        } catch (HdlException e) {
            stderr.println("error: " + e.getMessage());
            return 1;
        }
        List<Path> files = elaborated.writeVerilog(out, design);
        report(stdout, files, design, config, elaborated);
        return 0;
    }

    private int writeAccelerator(PrintWriter stdout, PrintWriter stderr) {
        for (DesignEntry entry : dev.tellmej.accel.AcceleratorDesigns.entries()) {
            for (String config : entry.configurationNames()) {
                Design<?> elaborated;
                try {
                    elaborated = entry.elaborate(config);
                } catch (ElaborationException e) {
                    stderr.println("error: design errors in " + entry.name() + " (" + config + "):");
                    e.errors().forEach(error -> stderr.println("  " + error.getMessage()));
                    return 1;
                }
                Path dir = out.resolve(entry.name() + "-" + config);
                clear(dir);
                report(stdout, elaborated.writeVerilog(dir, entry.name()), entry.name(), config, elaborated);
            }
        }
        return 0;
    }

    /** Removes the Verilog and file lists a previous run left, so renamed modules do not linger. */
    private static void clear(Path dir) {
        try {
            if (java.nio.file.Files.isDirectory(dir)) {
                try (var files = java.nio.file.Files.list(dir)) {
                    for (Path file : files.toList()) {
                        String name = file.getFileName().toString();
                        if (name.endsWith(".v") || name.endsWith(".f")) {
                            java.nio.file.Files.delete(file);
                        }
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot clear " + dir, e);
        }
    }

    private static void report(PrintWriter stdout, List<Path> files, String design, String config, Design<?> elaborated) {
        for (Path file : files) {
            stdout.println("wrote " + file);
        }
        stdout.println(design + " (" + config + "): " + (files.size() - 1) + " module(s), top " + elaborated.topName());
    }
}
