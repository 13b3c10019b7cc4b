package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.ConfigReader;
import dev.tellmej.model.config.ModelConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tellme config check MODEL --config NAME}: whether a model fits a build's maxima. It names every
 * maximum the model exceeds and exits with 2 when one is; a context longer than the build's KV cache is a
 * note (the context is capped), not a failure.
 */
@Command(name = "check", description = {"Check that a model fits a build's maxima; name every one it exceeds (exit 2).",
        "MODEL is a GGUF file, a Hugging Face config.json, or an embedded model's name"
                + " (stories260K, stories260K-ternary-qat)."})
final class ConfigCheckCommand implements Callable<Integer>, PrintsJson {
    /** Exit code when the model does not fit. */
    static final int DOES_NOT_FIT = 2;

    /**
     * What {@code --json} prints.
     *
     * @param model         the model as named on the command line
     * @param configuration the build
     * @param fits          no maximum is exceeded
     * @param exceeded      every exceeded maximum, one line each
     * @param note          the context cap, or null
     */
    record Result(String model, String configuration, boolean fits, List<String> exceeded, String note) {}

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF file, config.json, or embedded model name.")
    String model;

    @Option(names = "--config", paramLabel = "NAME", defaultValue = "kv260",
            description = "The build (default: ${DEFAULT-VALUE}; tellme config --list).")
    String configName;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(Result.class);
    }

    @Override
    public Integer call() {
        AcceleratorConfig config = ConfigCommand.build(spec.commandLine(), configName);
        ModelConfig modelConfig = ConfigReader.fromFile(file(spec.commandLine(), model));
        List<String> exceeded = config.limits().exceededBy(modelConfig);
        Optional<String> note = config.limits().contextNote(modelConfig);
        Result result = new Result(model, config.name(), exceeded.isEmpty(), exceeded, note.orElse(null));
        if (json.enabled()) {
            json.print(result);
            return result.fits() ? 0 : DOES_NOT_FIT;
        }
        if (!result.fits()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("tellme: " + model + " does not fit the " + config.name() + " build; it exceeds "
                    + (exceeded.size() == 1 ? "one maximum:" : exceeded.size() + " maxima:"));
            exceeded.forEach(line -> err.println("  " + line));
            err.println("'tellme config show " + config.name() + "' lists the build's maxima; 'tellme config --list'"
                    + " the builds.");
            err.flush();
            return DOES_NOT_FIT;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(model + " fits the " + config.name() + " build" + note.map(n -> " (" + n + ")").orElse(""));
        out.flush();
        return 0;
    }

    /** The file {@code name} stands for: a path, or an embedded model extracted to the cache. */
    private static Path file(CommandLine commandLine, String name) {
        Path path = Path.of(name);
        if (Files.isRegularFile(path)) {
            return path;
        }
        for (EmbeddedModel embedded : EmbeddedModel.values()) {
            String file = embedded.fileName();
            if (name.equals(file) || name.equals(file.substring(0, file.lastIndexOf('.')))) {
                return embedded.extractTo(ModelFiles.cacheDir());
            }
        }
        List<String> names = Arrays.stream(EmbeddedModel.values())
                .map(m -> m.fileName().substring(0, m.fileName().lastIndexOf('.'))).toList();
        throw new CommandLine.ParameterException(commandLine, "no model file '" + name + "' (and no embedded model of"
                + " that name; there are " + String.join(", ", names) + ")");
    }
}
