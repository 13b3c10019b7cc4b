package dev.tellmej.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tellme bench}: benchmarks, each a subcommand; figures are medians of repeated runs. */
@Command(name = "bench", description = "Measure performance (medians of repeated runs).",
        subcommands = {BenchSimCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
