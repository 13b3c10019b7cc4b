package dev.tellmej.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tellme report}: resource reports of the generated hardware, one subcommand per part. */
@Command(name = "report", 
        description = "Synthesis estimates (Yosys) of the generated hardware, and its timing risk, written as Markdown.",
        subcommands = {ReportTlmmCommand.class, ReportElementwiseCommand.class, ReportAttentionCommand.class,
                ReportAcceleratorCommand.class, ReportTimingCommand.class})
final class ReportCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
