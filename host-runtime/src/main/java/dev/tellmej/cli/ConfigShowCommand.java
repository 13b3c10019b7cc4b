package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tellme config show NAME}: every parameter of a build, given and derived, with what it means. */
@Command(name = "show", description = "Print every parameter of a build, given and derived, with its meaning.")
final class ConfigShowCommand implements Callable<Integer>, PrintsJson {
    /** What {@code --json} prints: the build and its parameters in a stable order. */
    record Description(String name, String description, List<AcceleratorConfig.Parameter> parameters) {}

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Parameters(index = "0", paramLabel = "NAME", description = "The build (tellme config --list).")
    String name;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(Description.class, AcceleratorConfig.Parameter.class);
    }

    @Override
    public Integer call() {
        AcceleratorConfig config = ConfigCommand.build(spec.commandLine(), name);
        if (json.enabled()) {
            json.print(new Description(config.name(), config.description(), config.parameters()));
            return 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(config.name() + ": " + config.description());
        int keyWidth = config.parameters().stream().mapToInt(p -> p.key().length()).max().orElse(0);
        int valueWidth = config.parameters().stream().mapToInt(p -> text(p.value()).length()).max().orElse(0);
        String group = "";
        for (AcceleratorConfig.Parameter parameter : config.parameters()) {
            if (!parameter.group().equals(group)) {
                group = parameter.group();
                out.println();
                out.println(group);
            }
            out.printf(Locale.ROOT, "  %-" + keyWidth + "s  %" + valueWidth + "s  %s%n", parameter.key(),
                    text(parameter.value()), parameter.meaning());
        }
        out.flush();
        return 0;
    }

    private static String text(Object value) {
        if (value instanceof Double d) {
            return d == Math.rint(d) ? String.format(Locale.ROOT, "%,d", d.longValue())
                    : String.format(Locale.ROOT, "%s", d);
        }
        if (value instanceof Number n) {
            return String.format(Locale.ROOT, "%,d", n.longValue());
        }
        return String.valueOf(value);
    }
}
