package dev.tellmej.cli;

import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.ConfigReader;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.inference.WeightSource;
import dev.tellmej.model.packed.PackedCache;
import dev.tellmej.model.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** Opens model files for the commands: GGUF alone, or safetensors weights with a GGUF for tokenizer and config. */
final class ModelFiles {
    private ModelFiles() {}

    /** The cache directory for extracted and generated models ({@code $XDG_CACHE_HOME/tellme-j}). */
    static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("tellme-j");
    }

    /** The environment variable that turns the packed-weight cache off when it is {@code 0}. */
    static final String PACKED_CACHE_VARIABLE = "TELLME_PACKED_CACHE";

    /**
     * The exact path's cache of packed weights, {@code $XDG_CACHE_HOME/tellme-j/packed} (one per process, so its
     * first-write notice is printed once), or a disabled one when {@code TELLME_PACKED_CACHE=0}. Its notices go to
     * standard error.
     */
    static PackedCache packedCache() {
        return PackedCacheHolder.CACHE;
    }

    private static final class PackedCacheHolder {
        static final PackedCache CACHE = "0".equals(System.getenv(PACKED_CACHE_VARIABLE)) ? PackedCache.disabled()
                : PackedCache.at(cacheDir().resolve("packed"), PackedCache.DEFAULT_MINIMUM_BYTES,
                        message -> System.err.println("tellme: " + message));
    }

    /** What {@link #stream} hands its body: the tensors, read on request, and the GGUF with the tokenizer. */
    interface StreamBody<T> {
        T apply(WeightSource source, GgufFile tokenizer, String description);
    }

    /**
     * Opens {@code model} (or the embedded ternary student when null) without loading it, and runs {@code body}
     * while the files are open: the tensors are read one at a time as the body asks for them. A safetensors file
     * needs {@code tokenizerGguf}, whose metadata supplies the tokenizer and the configuration.
     */
    static <T> T stream(CommandLine commandLine, Path model, Path tokenizerGguf, StreamBody<T> body) {
        model = resolve(model);
        requireFile(commandLine, model, "model");
        String description = model.getFileName().toString();
        if (description.endsWith(".safetensors")) {
            if (tokenizerGguf == null) {
                throw new CommandLine.ParameterException(commandLine, "a safetensors model has no tokenizer: pass"
                        + " --tokenizer FILE.gguf (a GGUF of the same model, for its tokenizer and configuration)");
            }
            requireFile(commandLine, tokenizerGguf, "tokenizer");
            try (GgufFile gguf = GgufFile.open(tokenizerGguf); SafetensorsFile st = SafetensorsFile.open(model)) {
                WeightLoader.ScaleConvention convention =
                        WeightLoader.ScaleConvention.fromDescription(st.metadata().get("quant"));
                return body.apply(WeightLoader.safetensors(st, ConfigReader.fromGguf(gguf), convention), gguf,
                        description);
            }
        }
        try (GgufFile gguf = GgufFile.open(model)) {
            return body.apply(WeightLoader.gguf(gguf), gguf, description);
        }
    }

    /** The model file: {@code model}, or the embedded ternary student (extracted into the cache) when null. */
    static Path resolve(Path model) {
        return model != null ? model : EmbeddedModel.STORIES_260K_TERNARY.extractTo(cacheDir());
    }

    /** The model's GGUF file, or null when the model is a safetensors file (resolved as {@link #resolve}). */
    static Path gguf(Path model) {
        Path file = resolve(model);
        return file.getFileName().toString().endsWith(".safetensors") ? null : file;
    }

    private static void requireFile(CommandLine commandLine, Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(commandLine, what + " file not found: " + file);
        }
    }
}
