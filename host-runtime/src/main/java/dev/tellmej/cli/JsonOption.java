package dev.tellmej.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code --json} option of the bench and report commands: the result as one JSON document on standard
 * output (field names in docs/cli.md) instead of text; progress lines then go to standard error.
 */
final class JsonOption {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    @Option(names = "--json", description = "Print the result as JSON (field names: docs/cli.md); progress goes"
            + " to standard error.")
    boolean enabled;

    /** True when the result goes out as JSON. */
    boolean enabled() {
        return enabled;
    }

    /** Where progress lines go: standard output for text, standard error beside JSON. */
    PrintWriter progress() {
        return enabled ? mixee.commandLine().getErr() : mixee.commandLine().getOut();
    }

    /** Prints {@code result} as JSON on standard output. */
    void print(Object result) {
        PrintWriter out = mixee.commandLine().getOut();
        out.print(Json.write(result));
        out.flush();
    }
}
