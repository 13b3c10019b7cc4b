package dev.tellmej.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tellme verify}: checks of the generated hardware beyond simulation, one subcommand per method. */
@Command(name = "verify", description = "Verify the generated hardware (formal AXI protocol checks).",
        subcommands = {VerifyFormalCommand.class})
final class VerifyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
