package dev.tellmej.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tellme} command-line tool. {@code scripts/tellme} builds and launches it. */
@Command(
        name = "tellme",
        mixinStandardHelpOptions = true,
        versionProvider = TellmeMain.Version.class,
        description = "TeLLMe-J: ternary LLMs on edge FPGAs. Generate RTL, simulate it, run inference.",
        subcommands = {DemoCommand.class, RunCommand.class, RtlCommand.class, ReportCommand.class, BenchCommand.class,
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
        CommandLine commandLine = new CommandLine(new TellmeMain());
        commandLine.setOut(out);
        commandLine.setErr(err);
        // Bad input is one clear line and a non-zero exit, never a stack trace.
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            CommandLine cl = e.getCommandLine();
            cl.getErr().println("tellme: " + e.getMessage());
            cl.getErr().println("Try 'tellme " + qualifiedName(cl) + " --help' for the options.");
            return 2;
        });
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            if (e instanceof dev.tellmej.model.ModelFileException || e instanceof java.io.UncheckedIOException
                    || e instanceof dev.tellmej.model.inference.ContextOverflowException
                    || e instanceof IllegalArgumentException) {
                cl.getErr().println("tellme: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return commandLine.execute(args);
    }

    private static String qualifiedName(CommandLine cl) {
        String name = cl.getCommandSpec().qualifiedName(" ");
        return name.startsWith("tellme ") ? name.substring(7) : "";
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
