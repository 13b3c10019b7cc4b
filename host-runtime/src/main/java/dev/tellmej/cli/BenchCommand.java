package dev.tellmej.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tellme bench}: measurements anyone can rerun, one subcommand each; timings are medians. */
@Command(name = "bench", description = "Benchmarks and accuracy measurements.",
        subcommands = {BenchAcceleratorCommand.class, BenchAttentionCommand.class, BenchDeviceCommand.class, BenchHdlCommand.class, BenchModelCommand.class, BenchSimCommand.class, BenchTlmmCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
