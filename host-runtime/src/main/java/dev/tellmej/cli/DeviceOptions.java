package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.config.ModelDoesNotFitException;
import dev.tellmej.device.CrossCheck;
import dev.tellmej.device.Device;
import dev.tellmej.device.ModelDevice;
import dev.tellmej.device.OpenClDevice;
import dev.tellmej.host.DeviceSession;
import dev.tellmej.host.PromptEncoder;
import dev.tellmej.image.UnpackableModelException;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.LanguageModel;
import dev.tellmej.model.inference.NotTernaryException;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What {@code run}, {@code chat} and {@code serve} run on: a device (reference, opencl, rtl) on a memory image
 * packed from the model, or the software model itself ({@code --path}). With neither, the fastest device there
 * is: opencl when an OpenCL platform opens the image, else reference; a model no device can run (not ternary,
 * or beyond the build) runs on the software model.
 */
final class DeviceOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "GGUF or safetensors model (default: the embedded ternary stories260K student); GGUF"
                    + " files as llama-quantize writes them (TQ1_0/TQ2_0 linears, Q6_K/Q8_0/Q4_K/Q5_K/Q4_0 embedding) load")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "GGUF holding the tokenizer and configuration, for a safetensors --model")
    Path tokenizer;

    @Option(names = "--device", paramLabel = "reference|opencl|rtl", converter = RunCommand.DeviceConverter.class,
            description = "the device: reference (the Java device that executes the image's program), opencl (the"
                    + " board's host path on any OpenCL platform) or rtl (the kernel's RTL in Verilator, cycle-accurate, sim-small"
                    + " images); default: the fastest"
                    + " available (opencl, else reference; never rtl)")
    DeviceKind device;

    @Option(names = "--check", paramLabel = "reference|opencl|rtl", converter = RunCommand.DeviceConverter.class,
            description = "with --device: run this device in lock step and stop at the first difference, in an"
                    + " instruction's output (debug taps), the logits or the KV cache")
    DeviceKind check;

    @Option(names = "--image", paramLabel = "FILE", description = "the memory image to run (default: --model packed"
            + " for --config into the cache)")
    Path image;

    @Option(names = "--config", paramLabel = "NAME", defaultValue = "kv260", description = "the accelerator build"
            + " the image is packed for, or whose arithmetic the exact path reproduces (default: ${DEFAULT-VALUE};"
            + " tellme config --list)")
    String configName;

    @Range(min = 1, max = 1 << 20)
    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "context: KV-cache positions (default: the"
            + " model's, at most the build's)")
    Integer contextSize;

    @Option(names = "--path", paramLabel = "float|exact", converter = RunCommand.PathConverter.class,
            description = "run the software model instead of a device: float or exact (the hardware-exact path)")
    InferencePath path;

    @Range(min = 1, max = 1024)
    @Option(names = "--lanes", description = "exact path: lanes of the ordered sums, a power of two (default: the"
            + " build's)")
    Integer lanes;

    @Option(names = "--storage", paramLabel = "fp16|bf16", converter = RunCommand.StorageConverter.class,
            description = "exact path: storage format (default: the build's)")
    StorageFormat storage;

    @Option(names = "--platform", paramLabel = "NAME|INDEX", description = "opencl: the OpenCL platform (a part of"
            + " its name, or its index; default: the only one)")
    String platform;

    @Option(names = "--cl-device", paramLabel = "NAME|INDEX", description = "opencl: the device of the platform"
            + " (a part of its name, or its index; default: the only one)")
    String clDevice;

    @Option(names = "--binary", paramLabel = "FILE", description = "opencl: the program as a binary for the device"
            + " (clCreateProgramWithBinary): on a KV260 the xclbin, elsewhere one saved with --save-binary; default:"
            + " the kernel's OpenCL C twin, built from source")
    Path binary;

    @Option(names = "--save-binary", paramLabel = "FILE", description = "opencl: write the program's binary for this"
            + " device (CL_PROGRAM_BINARIES) to FILE, for --binary")
    Path saveBinary;

    @Range(min = 1, max = 86_400)
    @Option(names = "--timeout", defaultValue = "600", description = "opencl: seconds one call may take (default:"
            + " ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Range(min = 1, max = 256)
    @Option(names = {"-t", "--threads"}, defaultValue = "2", description = "worker threads (default: ${DEFAULT-VALUE})")
    int threads;

    /**
     * What was opened: sessions on it (a new device each call, for a reopen after a fault), the prompt encoder,
     * and the build's DDR bytes per cycle (for the DDR busy fraction).
     */
    record Backend(Supplier<DeviceSession> sessions, PromptEncoder encoder, int ddrBytesPerCycle,
                   double loadMillis) {}

    /** Opens the first device (a failure is the command's), and returns how to open it again. */
    Backend open(CommandLine cl, PrintWriter err) {
        long start = System.nanoTime();
        AcceleratorConfig build = ConfigCommand.build(cl, configName);
        int ddrPerCycle = build.memory().portBytesPerCycle();
        if (path != null) {
            return software(cl, path, build, ddrPerCycle, start);
        }
        if (lanes != null || storage != null) {
            throw new CommandLine.ParameterException(cl, "--lanes and --storage choose the software model's"
                    + " arithmetic (with --path exact); a device computes as its image's build does");
        }
        if (check != null && device == null) {
            throw new CommandLine.ParameterException(cl, "--check runs two devices in lock step: add --device"
                    + " reference or --device opencl");
        }
        if (device != null && !device.built()) {
            throw device.notBuilt();
        }
        if (check != null && !check.built()) {
            throw check.notBuilt();
        }
        Path file;
        if (image != null) {
            file = DeviceImages.existing(cl, image);
        } else if (device == null) {
            try {
                file = DeviceImages.pack(cl, model, tokenizer, build, contextSize, err);
            } catch (UnpackableModelException | ModelDoesNotFitException e) {
                // No device runs it: the software model does (float unless every linear is ternary).
                return software(cl, null, build, ddrPerCycle, start);
            }
        } else {
            file = DeviceImages.packed(cl, model, tokenizer, build, contextSize, err);
        }
        if ((binary != null || saveBinary != null) && device != DeviceKind.OPENCL && check != DeviceKind.OPENCL) {
            throw new CommandLine.ParameterException(cl, (binary != null ? "--binary" : "--save-binary")
                    + " is for the OpenCL device: add --device opencl");
        }
        if (binary != null && !Files.isRegularFile(binary)) {
            throw new CommandLine.ParameterException(cl, "--binary " + binary + ": no such file");
        }
        OpenClDevice.Options opencl = new OpenClDevice.Options(platform, clDevice, 0,
                Duration.ofSeconds(timeoutSeconds), binary);
        DeviceKind kind = device;
        Device first;
        if (kind == null) {
            // The fastest there is: opencl when a platform opens the image, else reference.
            try {
                first = openDevice(DeviceKind.OPENCL, file, opencl);
                kind = DeviceKind.OPENCL;
            } catch (CommandFailedException e) {
                first = openDevice(DeviceKind.REFERENCE, file, opencl);
                kind = DeviceKind.REFERENCE;
            }
        } else {
            first = openDevice(kind, file, opencl);
        }
        if (saveBinary != null) {
            saveBinary(first, err);
        }
        DeviceKind chosen = kind;
        Supplier<Device> devices = () -> openDevice(chosen, file, opencl);
        PromptEncoder encoder;
        try {
            encoder = DeviceImages.encoder(cl, first, model, tokenizer);
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
        if (image != null && contextSize != null && contextSize > first.context()) {
            int held = first.context();
            first.close();
            throw new CommandLine.ParameterException(cl, "-c " + contextSize + " is more than the image holds ("
                    + held + " positions): pack it with a longer --context");
        }
        int limit = contextSize != null ? contextSize : Integer.MAX_VALUE;
        Device[] pending = {first};
        Supplier<DeviceSession> sessions = () -> {
            Device d = pending[0] != null ? pending[0] : devices.get();
            pending[0] = null;
            return new DeviceSession(d, encoder.tokenizer(), limit);
        };
        return new Backend(sessions, encoder, ddrPerCycle, (System.nanoTime() - start) / 1e6);
    }

    /** Writes the OpenCL device's program binary to --save-binary's file. */
    private void saveBinary(Device opened, PrintWriter err) {
        Device d = opened instanceof CrossCheck c ? (c.first() instanceof OpenClDevice ? c.first() : c.second())
                : opened;
        if (!(d instanceof OpenClDevice o)) {
            opened.close();
            throw new CommandFailedException("--save-binary: no OpenCL device was opened", "Add --device opencl.");
        }
        try {
            byte[] bytes = o.programBinary();
            Files.write(saveBinary, bytes);
            err.printf(Locale.ROOT, "saved the program binary (%,d bytes) to %s%n", bytes.length, saveBinary);
            err.flush();
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw new CommandFailedException("cannot save the program binary to " + saveBinary + ": " + e.getMessage(),
                    "Check that the folder exists and is writable.");
        }
    }

    private Device openDevice(DeviceKind kind, Path file, OpenClDevice.Options opencl) {
        Device first = DeviceImages.open(kind, file, threads, opencl);
        if (check == null) {
            return first;
        }
        try {
            Device second = DeviceImages.open(check, file, threads, opencl);
            return new CrossCheck(first, second, DeviceImages.imageOf(first));
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
    }

    private Backend software(CommandLine cl, InferencePath chosenPath, AcceleratorConfig build, int ddrPerCycle,
                             long start) {
        if (image != null || check != null) {
            throw new CommandLine.ParameterException(cl, (image != null ? "--image" : "--check")
                    + " runs on a device, --path on the software model: choose one");
        }
        var exact = RunCommand.exactConfig(build, lanes, storage);
        boolean ggufModel = (model == null || Files.isRegularFile(model)) && ModelFiles.gguf(model) != null;
        // The model is built from the file while it is open, tensor by tensor: the exact path never holds the
        // weights as binary32 (only the float path needs them so). The exact path keeps the GGUF file mapped, its
        // header as parsed here (a model's GGUF is also its tokenizer's; a safetensors model has no GGUF of its own).
        Software first;
        try {
            first = ModelFiles.stream(cl, model, tokenizer, (source, file, description) -> {
                GgufFile gguf = ggufModel ? file : null;
                Tokenizer tok = Tokenizer.fromGguf(file);
                PromptEncoder encoder = PromptEncoder.of(tok, file);
                int capacity = capacity(cl, source.config().contextLength());
                InferencePath chosen = chosenPath;
                LanguageModel lm = null;
                if (chosen != InferencePath.FLOAT) {
                    try {
                        lm = InferencePath.EXACT.create(source, gguf, exact, capacity, threads);
                        chosen = InferencePath.EXACT;
                    } catch (NotTernaryException e) {
                        if (chosen == InferencePath.EXACT) {
                            throw e;
                        }
                        chosen = InferencePath.FLOAT;
                    }
                }
                if (lm == null) {
                    lm = InferencePath.FLOAT.create(source, gguf, exact, capacity, threads);
                }
                return new Software(lm, chosen, capacity, tok, encoder, "model (" + chosen + " path): " + description);
            });
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        Supplier<Device> devices = () -> new ModelDevice(ModelFiles.stream(cl, model, tokenizer,
                (source, file, description) -> first.path().create(source, ggufModel ? file : null, exact,
                        first.capacity(), threads)),
                first.description());
        Device[] pending = {new ModelDevice(first.model(), first.description())};
        Supplier<DeviceSession> sessions = () -> {
            Device d = pending[0] != null ? pending[0] : devices.get();
            pending[0] = null;
            return new DeviceSession(d, first.tokenizer());
        };
        return new Backend(sessions, first.encoder(), ddrPerCycle, (System.nanoTime() - start) / 1e6);
    }

    /** The first software model and what reopening it needs. */
    private record Software(LanguageModel model, InferencePath path, int capacity, Tokenizer tokenizer,
                            PromptEncoder encoder, String description) {}

    /** The KV-cache positions: -c, at most the model's context, or the model's context. */
    private int capacity(CommandLine cl, int modelContext) {
        if (contextSize != null && contextSize > modelContext) {
            throw new CommandLine.ParameterException(cl, "-c " + contextSize + " is more than the model's context ("
                    + modelContext + ")");
        }
        return contextSize != null ? contextSize : modelContext;
    }
}
