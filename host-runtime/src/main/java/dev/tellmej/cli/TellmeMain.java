package dev.tellmej.cli;

import dev.tellmej.sim.ModelBuildListener;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
        subcommands = {DemoCommand.class, RunCommand.class, ChatCommand.class, ServeCommand.class, DoctorCommand.class, PackCommand.class, ImageCommand.class, RtlCommand.class,
                InterfaceCommand.class, VitisCommand.class, ConfigCommand.class, BenchCommand.class, ReportCommand.class, VerifyCommand.class,
                CommandLine.HelpCommand.class},
        commandListHeading = "%nCommands:%n")
public final class TellmeMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Standard input of the running command: the process's, or what a test gave {@link #run(InputStream, ...)}. */
    private static final ScopedValue<InputStream> STDIN = ScopedValue.newInstance();

    public static void main(String[] args) {
        // UTF-8 in and out whatever the locale (LANG=C would turn every non-ASCII character into '?'); the
        // writers see a closed pipe (checkError), so a command can stop when its reader has gone.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
                StandardCharsets.UTF_8), true);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the tool with the given output streams and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    /** Runs the tool with {@code in} as its standard input. */
    public static int run(InputStream in, PrintWriter out, PrintWriter err, String... args) {
        return ScopedValue.where(STDIN, in).call(() -> run(out, err, args));
    }

    /** The command's standard input. */
    static InputStream stdin() {
        return STDIN.isBound() ? STDIN.get() : System.in;
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
            // A Verilator model built anywhere below the command (a benchmark, the rtl device) shows a bar.
            return ModelBuildListener.during(new ModelBuildProgress(err), () -> runLast.execute(parseResult));
        });
        return commandLine;
    }

    @Override
    public void run() {
        // No subcommand: show what there is.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The project's version, as the build recorded it ({@code unknown} when the build did not). */
    static String projectVersion() {
        Properties properties = new Properties();
        try (InputStream in = TellmeMain.class.getResourceAsStream("/tellme-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version", "unknown");
    }

    /** The project version from the build, and the JVM that runs it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "tellme " + projectVersion(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
            };
        }
    }
}
