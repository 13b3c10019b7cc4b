package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.config.ModelDoesNotFitException;
import dev.tellmej.image.ImageFormat;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.image.UnpackableModelException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tellme pack}: writes the memory image of a model for a build (docs/image.md). */
@Command(name = "pack", description = "Write the memory image of a model for an accelerator build: everything the"
        + " kernel reads from DDR, and the program that runs it (docs/image.md).")
final class PackCommand implements Callable<Integer>, PrintsJson {
    /**
     * What {@code --json} prints.
     *
     * @param image                 the file written
     * @param config                the build
     * @param model                 the model file
     * @param imageBytes            bytes of the image
     * @param sections              sections in it
     * @param instructions          instruction words of its program
     * @param context               KV-cache positions it is packed for
     * @param kvCacheBytes          bytes of the KV cache the host allocates
     * @param linearWeights         ternary weights of the linears
     * @param linearBytes           bytes of their TLMM packing
     * @param linearBytesPerWeight  linearBytes / linearWeights
     * @param seconds               wall-clock time of the pack
     */
    record Packed(String image, String config, String model, long imageBytes, int sections, int instructions,
                  int context, long kvCacheBytes, long linearWeights, long linearBytes, double linearBytesPerWeight,
                  double seconds) {}

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
            description = "GGUF or safetensors model (default: the embedded ternary stories260K student)")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "GGUF holding the tokenizer and configuration, for a safetensors MODEL")
    Path tokenizer;

    @Option(names = "--config", paramLabel = "NAME", defaultValue = "kv260",
            description = "the accelerator build (default: ${DEFAULT-VALUE}; tellme config --list)")
    String configName;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "the image to write (.tlmi); required")
    Path out;

    @Range(min = 1, max = 1 << 20)
    @Option(names = "--context", description = "KV-cache positions (default: the model's context, capped at the"
            + " build's maximum)")
    Integer context;

    @Option(names = "--force", description = "replace FILE if it is a memory image (never any other file)")
    boolean force;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(Packed.class);
    }

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (out == null) {
            throw new CommandLine.ParameterException(cl, "name the image to write: -o FILE.tlmi");
        }
        AcceleratorConfig config = ConfigCommand.build(cl, configName);
        checkTarget();
        PrintWriter progress = cl.getErr();
        long start = System.nanoTime();
        ImagePacker.Result result;
        try {
            result = ModelFiles.stream(cl, model, tokenizer, (source, tokenizerGguf, description) -> {
                int positions = context != null ? context : ImagePacker.defaultContext(config, source.config());
                if (positions > config.limits().context()) {
                    throw new CommandLine.ParameterException(cl, "--context " + positions + " is more than build "
                            + config.name() + " addresses (" + config.limits().context() + " positions)");
                }
                try (ProgressBar bar = new ProgressBar(progress, "packing")) {
                    return ImagePacker.pack(source, tokenizerGguf, description, config, positions, out, force, bar);
                }
            });
        } catch (ModelDoesNotFitException | UnpackableModelException e) {
            throw new CommandFailedException(e.getMessage(), "Choose a model that fits the build (tellme config check"
                    + " MODEL --config " + config.name() + ") or a larger build.");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        var h = result.header();
        Packed packed = new Packed(out.toString(), config.name(), h.modelName(), h.imageBytes(), h.sections().size(),
                h.programInstructions(), h.context(), h.kvCacheBytes(), result.linearWeights(), result.linearBytes(),
                Math.round(result.linearBytesPerWeight() * 10000) / 10000.0, Math.round(seconds * 1000) / 1000.0);
        if (json.enabled()) {
            json.print(packed);
            return 0;
        }
        PrintWriter o = cl.getOut();
        o.printf(Locale.ROOT, "wrote %s: %,d bytes, %d sections, a program of %d instructions (%.2f s)%n", out,
                h.imageBytes(), h.sections().size(), h.programInstructions(), seconds);
        o.printf(Locale.ROOT, "  model %s for %s, context %,d (KV cache %,d bytes, I/O %,d bytes)%n", h.modelName(),
                config.name(), h.context(), h.kvCacheBytes(), h.ioBytes());
        o.printf(Locale.ROOT, "  linears: %,d ternary weights in %,d bytes: %.4f bytes (%.3f bits) per weight%n",
                result.linearWeights(), result.linearBytes(), result.linearBytesPerWeight(),
                8 * result.linearBytesPerWeight());
        o.flush();
        return 0;
    }

    /** Refuses an existing FILE unless --force is given and FILE is a memory image (one tellme wrote). */
    private void checkTarget() {
        if (!Files.exists(out)) {
            return;
        }
        if (!force) {
            throw new CommandFailedException(out + " exists", "Choose another name, or pass --force to replace it"
                    + " (only a memory image is ever replaced).");
        }
        if (!isImage(out)) {
            throw new CommandFailedException(out + " exists and is not a memory image",
                    "tellme pack never writes over a file it did not write; choose another name.");
        }
    }

    private static boolean isImage(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && ByteBuffer.wrap(magic).order(ByteOrder.LITTLE_ENDIAN).getInt() == ImageFormat.MAGIC;
        } catch (IOException e) {
            return false;
        }
    }
}
