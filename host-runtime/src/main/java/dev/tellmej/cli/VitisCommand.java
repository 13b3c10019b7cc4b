package dev.tellmej.cli;

import dev.tellmej.accel.AcceleratorDesigns;
import dev.tellmej.accel.board.PackagingException;
import dev.tellmej.accel.board.VitisPackage;
import dev.tellmej.accel.board.VitisPlatform;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.DesignEntry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme vitis}: writes what Vivado and v++ need to turn a build's kernel into an xclbin
 * ({@link VitisPackage}), into a folder it owns ({@link OutputFolder}). {@code scripts/build-xclbin} runs it, then
 * the tools.
 */
@Command(name = "vitis", description = {"Write the Vitis RTL-kernel packaging of a build: its Verilog, kernel.xml,"
        + " the Vivado Tcl that packages it as tellme.xo, the v++ link config, the build manifest and shell.json.",
        "  tellme vitis [--config NAME] [--clock MHZ] [--platform NAME_OR_XPFM] --out DIR [--force]",
        "scripts/build-xclbin runs this, then Vivado and v++ where they are installed. DIR must be new or empty, or"
                + " hold an earlier 'tellme vitis' output (marker " + OutputFolder.MARKER_PREFIX + "vitis), which"
                + " --force replaces; the tools' own output there (ip/, the .xo, the .xclbin) is left alone."})
final class VitisCommand implements Callable<Integer> {
    /** The design that is the whole kernel. */
    static final String KERNEL_DESIGN = "accelerator";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "NAME", defaultValue = "kv260",
            description = "The build (default: ${DEFAULT-VALUE}; tellme config --list).")
    String configName;

    @Range(min = VitisPackage.MIN_CLOCK_MHZ, max = 600)
    @Option(names = "--clock", paramLabel = "MHZ", description = "Kernel clock in MHz (default: the build's target,"
            + " 300 for kv260). The KV260 platform's fixed clocks are 150, 300, 200, 100, 75, 400 and 600 MHz; another"
            + " value (250, or 275 where 300 fails timing) is derived by v++ with an MMCM. At most the build's target.")
    Integer clockMhz;

    @Option(names = "--platform", paramLabel = "NAME_OR_XPFM", defaultValue = "xilinx_kv260_base",
            description = "The KV260 Vitis platform as v++ finds it: its name on PLATFORM_REPO_PATHS (for example"
                    + " xilinx_kv260_base_202220_1) or its .xpfm path (default: ${DEFAULT-VALUE}); written into link.cfg's"
                    + " command line and the build manifest.")
    String platformName;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the files (required).")
    Path out;

    @Option(names = "--force", description = "Replace the output of an earlier 'tellme vitis' in DIR (only the files"
            + " its marker lists).")
    boolean force;

    @Override
    public Integer call() {
        AcceleratorConfig config = ConfigCommand.build(spec.commandLine(), configName);
        if (out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out DIR is required: the folder for the"
                    + " packaging files");
        }
        int clock = clockMhz != null ? clockMhz : (int) Math.floor(config.clock().targetMhz());
        DesignEntry entry = AcceleratorDesigns.entries().stream().filter(e -> e.name().equals(KERNEL_DESIGN))
                .findFirst().orElseThrow(() -> new IllegalStateException("no design " + KERNEL_DESIGN));
        if (!entry.configurations().containsKey(config.name())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the kernel has no build '" + config.name()
                    + "'; it has " + String.join(", ", entry.configurationNames()));
        }
        VitisPackage bundle;
        try {
            Design<?> kernel = RtlCommand.elaborate(entry, config.name());
            bundle = VitisPackage.of(config, kernel.verilogFiles(KERNEL_DESIGN), KERNEL_DESIGN,
                    VitisPlatform.KV260_BASE.named(platformName), clock, TellmeMain.projectVersion());
        } catch (PackagingException e) {
            throw new CommandFailedException(e.getMessage(), "Nothing was written.");
        }
        OutputFolder.Outcome outcome = OutputFolder.VITIS.write(out, bundle.files(), force);
        PrintWriter stdout = spec.commandLine().getOut();
        for (Path file : outcome.removed()) {
            stdout.println("removed " + file + " (no longer generated)");
        }
        stdout.println("wrote " + outcome.written().size() + " files into " + out + " (" + config.name() + ", "
                + clock + " MHz, platform " + bundle.platform().name() + ")");
        stdout.println("next: cd " + out + " && vivado -mode batch -source " + VitisPackage.PACKAGE_TCL
                + " && v++ --link --target hw --platform " + bundle.platform().name() + " --config "
                + VitisPackage.LINK_CONFIG + " --output tellme.xclbin tellme.xo   (scripts/build-xclbin does both)");
        return 0;
    }
}
