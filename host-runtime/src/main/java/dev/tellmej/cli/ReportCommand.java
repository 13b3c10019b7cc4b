package dev.tellmej.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tellme report}: reports written to files (synthesis estimates), one subcommand per block. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Write reports (Yosys resource estimates).",
        subcommands = {ReportTlmmCommand.class})
final class ReportCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
