package dev.tellmej.cli;

import dev.tellmej.accel.config.ModelDoesNotFitException;
import dev.tellmej.eda.ToolFailedException;
import dev.tellmej.eda.ToolNotFoundException;
import dev.tellmej.eda.ToolVersionException;
import dev.tellmej.model.ModelFileException;
import dev.tellmej.model.inference.ContextOverflowException;
import dev.tellmej.sim.SimFailureException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one error style of every command: {@code tellme: WHAT WAS WRONG} on standard error, then one hint line.
 * Usage errors exit with 2 and suggest the command's {@code --help} (or the closest known name for a typo);
 * failures the user can act on exit with 1 and say what to do; anything else is a bug in tellme and is
 * reported with its stack trace (exit 1).
 */
final class ErrorReporter implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {
    static final int USAGE = 2;
    static final int FAILURE = 1;

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String message = e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()
                ? unmatched(cl.getCommandSpec(), unmatched.getUnmatched().getFirst())
                : lowerFirst(e.getMessage());
        print(cl.getErr(), message, helpHint(cl));
        return USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        switch (e) {
            case CommandFailedException f -> print(err, f.getMessage(), f.hint());
            case ModelFileException m -> print(err, m.getMessage(),
                    "tellme reads GGUF and safetensors models (docs/model.md lists the tensor types).");
            case ContextOverflowException c -> print(err, c.getMessage(), "Ask for fewer --steps.");
            case ModelDoesNotFitException m -> print(err, m.getMessage(), "'tellme config show " + m.configuration()
                    + "' lists the build's maxima; 'tellme config --list' the builds.");
            case ToolNotFoundException t -> print(err, t.getMessage(), "'tellme demo' lists the tools and their state.");
            case ToolVersionException t -> print(err, t.getMessage(), "Run scripts/setup to install a supported version.");
            case ToolFailedException t -> print(err, t.getMessage(), "The tool's own output is above.");
            case SimFailureException s -> print(err, s.getMessage(), "'tellme demo' checks the Verilator toolchain.");
            case UncheckedIOException io -> print(err, io.getMessage() + (io.getCause() != null
                    ? " (" + io.getCause().getMessage() + ")" : ""), "Check the path and its permissions.");
            case IllegalArgumentException i -> print(err, i.getMessage(), helpHint(cl));
            default -> {
                print(err, "internal error: " + e, "This is a bug in tellme; please report it with the trace below.");
                e.printStackTrace(err);
            }
        }
        err.flush();
        return FAILURE;
    }

    /** Prints {@code tellme: message} and the hint. */
    static void print(PrintWriter err, String message, String hint) {
        err.println("tellme: " + message);
        err.println(hint);
        err.flush();
    }

    /**
     * {@code Try 'tellme rtl --help' for the options.}, or {@code ... for the commands.} for a command group (one
     * with subcommands and no options of its own).
     */
    static String helpHint(CommandLine cl) {
        String name = commandPath(cl);
        boolean group = !cl.getSubcommands().isEmpty() && cl.getCommandSpec().options().stream()
                .allMatch(o -> o.usageHelp() || o.versionHelp());
        return "Try 'tellme " + (name.isEmpty() ? "" : name + " ") + "--help' for the "
                + (group ? "commands." : "options.");
    }

    /** The command's words after {@code tellme}: {@code bench model}, or empty for the top level. */
    static String commandPath(CommandLine cl) {
        String name = cl.getCommandSpec().qualifiedName(" ");
        int space = name.indexOf(' ');
        return space < 0 ? "" : name.substring(space + 1);
    }

    private static String unmatched(CommandSpec spec, String argument) {
        if (argument.startsWith("-")) {
            String option = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
            List<String> names = spec.options().stream().flatMap(o -> Arrays.stream(o.names())).toList();
            return "unknown option '" + option + "'" + suggestion(option, names);
        }
        if (!spec.subcommands().isEmpty()) {
            return "unknown command '" + argument + "'" + suggestion(argument, spec.subcommands().keySet());
        }
        return "unexpected argument '" + argument + "'";
    }

    private static String suggestion(String typed, java.util.Collection<String> names) {
        return ClosestName.of(typed, names).map(name -> "; did you mean '" + name + "'?").orElse("");
    }

    private static String lowerFirst(String message) {
        if (message == null || message.isEmpty()) {
            return "invalid command line";
        }
        // picocli's messages start with a capital ("Missing required parameter ..."); ours do not.
        return message.length() > 1 && Character.isUpperCase(message.charAt(0)) && Character.isLowerCase(message.charAt(1))
                ? message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1) : message;
    }
}
