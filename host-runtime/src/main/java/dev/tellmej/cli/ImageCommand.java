package dev.tellmej.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tellme image}: commands on memory images. */
@Command(name = "image", description = "Inspect memory images (tellme pack writes them).",
        subcommands = {ImageShowCommand.class})
final class ImageCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
