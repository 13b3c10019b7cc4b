package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme config}: the accelerator's named builds ({@link AcceleratorConfig}). Without a subcommand (or
 * with {@code --list}) it lists them; {@code show} prints every parameter of one, {@code check} tests a model
 * against one's maxima.
 */
@Command(name = "config", description = {"The accelerator's named builds: list them, show every parameter of one,"
        + " check a model against one's maxima.",
        "  tellme config --list",
        "  tellme config show kv260 [--json]",
        "  tellme config check MODEL [--config NAME] [--json]"},
        subcommands = {ConfigShowCommand.class, ConfigCheckCommand.class})
final class ConfigCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--list", description = "List the named builds (also what 'tellme config' alone does).")
    boolean list;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int width = AcceleratorConfig.named().keySet().stream().mapToInt(String::length).max().orElse(0);
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            out.printf("%-" + width + "s  %s%n", config.name(), config.description());
        }
        out.flush();
        return 0;
    }

    /** The build named {@code name}, or a usage error listing the builds (with the closest as a suggestion). */
    static AcceleratorConfig build(CommandLine commandLine, String name) {
        AcceleratorConfig config = AcceleratorConfig.named().get(name);
        if (config == null) {
            throw new CommandLine.ParameterException(commandLine, "unknown configuration '" + name + "'"
                    + ClosestName.of(name, AcceleratorConfig.named().keySet()).map(c -> "; did you mean '" + c + "'?")
                            .orElse("; there are " + String.join(", ", AcceleratorConfig.named().keySet())));
        }
        return config;
    }
}
