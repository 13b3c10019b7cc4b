package dev.tellmej.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tellme} command-line tool. {@code scripts/tellme} builds and launches it.
 *
 * <p>Every command inherits {@code --help} and {@code --version} from here ({@code scope = INHERIT}), reports
 * errors through {@link ErrorReporter} and has its numeric options checked against their {@link Range}s before
 * it runs, so a new command gets all three by being listed under {@code subcommands}.
 */
@Command(
        name = "tellme",
        scope = CommandLine.ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = TellmeMain.Version.class,
        description = "TeLLMe-J: ternary LLMs on edge FPGAs. Generate RTL, simulate it, run inference.",
        subcommands = {DemoCommand.class, RunCommand.class, PackCommand.class, ImageCommand.class, RtlCommand.class,
                InterfaceCommand.class, ConfigCommand.class, BenchCommand.class, ReportCommand.class, VerifyCommand.class,
                CommandLine.HelpCommand.class},
        commandListHeading = "%nCommands:%n")
public final class TellmeMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the tool with the given output streams and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    /** The tool's command tree, writing to the given streams (tests walk it). */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return configure(new CommandLine(new TellmeMain()), out, err);
    }

    /** Gives a command line the tool's streams, error style and option range checks. */
    static CommandLine configure(CommandLine commandLine, PrintWriter out, PrintWriter err) {
        commandLine.setOut(out);
        commandLine.setErr(err);
        ErrorReporter errors = new ErrorReporter();
        commandLine.setParameterExceptionHandler(errors);
        commandLine.setExecutionExceptionHandler(errors);
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        commandLine.setExecutionStrategy(parseResult -> {
            boolean help = parseResult.asCommandLineList().stream()
                    .anyMatch(cl -> cl.isUsageHelpRequested() || cl.isVersionHelpRequested());
            if (!help) {
                OptionRanges.check(parseResult);
            }
            return runLast.execute(parseResult);
        });
        return commandLine;
    }

    @Override
    public void run() {
        // No subcommand: show what there is.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The project version from the build, and the JVM that runs it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties properties = new Properties();
            try (InputStream in = TellmeMain.class.getResourceAsStream("/tellme-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {
                "tellme " + properties.getProperty("version", "unknown"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
            };
        }
    }
}
