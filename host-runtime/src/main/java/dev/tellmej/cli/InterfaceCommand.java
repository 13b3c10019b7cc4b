package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.CHeaderWriter;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.accel.protocol.KernelXmlWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme interface}: writes the kernel's host interface for one build, {@code tellme.h} (the C header) and
 * {@code kernel.xml} (Vitis's kernel description), both from {@link KernelInterface} and the instruction set,
 * into a folder it owns ({@link OutputFolder}).
 */
@Command(name = "interface", description = {"Write the kernel's host interface: tellme.h and Vitis's kernel.xml.",
        "  tellme interface [--config NAME] --out DIR [--force]",
        "DIR must be new or empty, or hold an earlier 'tellme interface' output (marker file "
                + OutputFolder.MARKER_PREFIX + "interface), which --force replaces. Other files in DIR are never"
                + " overwritten or deleted."})
final class InterfaceCommand implements Callable<Integer> {
    /** The C header's file name. */
    static final String HEADER = "tellme.h";
    /** The kernel description's file name. */
    static final String KERNEL_XML = "kernel.xml";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "NAME", defaultValue = "kv260",
            description = "The build (default: ${DEFAULT-VALUE}; tellme config --list).")
    String configName;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for tellme.h and kernel.xml.")
    Path out;

    @Option(names = "--force", description = "Replace the output of an earlier 'tellme interface' in DIR (only the"
            + " files its marker lists).")
    boolean force;

    @Override
    public Integer call() {
        AcceleratorConfig config = ConfigCommand.build(spec.commandLine(), configName);
        if (out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out DIR is required: the folder for "
                    + HEADER + " and " + KERNEL_XML);
        }
        KernelInterface kernel = KernelInterface.of(config);
        Map<String, String> files = new LinkedHashMap<>();
        files.put(HEADER, CHeaderWriter.write(config));
        files.put(KERNEL_XML, KernelXmlWriter.write(kernel, config.name()));
        OutputFolder.Outcome outcome = OutputFolder.INTERFACE.write(out, files, force);
        PrintWriter stdout = spec.commandLine().getOut();
        for (Path file : outcome.removed()) {
            stdout.println("removed " + file + " (no longer generated)");
        }
        for (Path file : outcome.written()) {
            stdout.println("wrote " + file);
        }
        stdout.println(kernel.kernelName() + " (" + config.name() + "): " + kernel.arguments().size() + " arguments, "
                + kernel.ports().size() + " AXI4 master ports, " + kernel.registers().size() + " registers after the"
                + " control block");
        return 0;
    }
}
