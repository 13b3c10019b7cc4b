package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.config.ModelDoesNotFitException;
import dev.tellmej.device.CrossCheck;
import dev.tellmej.device.Device;
import dev.tellmej.device.DeviceFaultException;
import dev.tellmej.device.OpenClDevice;
import dev.tellmej.device.OpenClException;
import dev.tellmej.device.ReferenceDevice;
import dev.tellmej.device.RtlDevice;
import dev.tellmej.host.PromptEncoder;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.image.ImagePlan;
import dev.tellmej.image.Section;
import dev.tellmej.image.MalformedImageException;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.image.TokenizerSection;
import dev.tellmej.image.UnpackableModelException;
import dev.tellmej.image.WrongConfigurationException;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufReader;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import picocli.CommandLine;

/** Finds, packs and opens the memory images {@code tellme run --device} runs. */
final class DeviceImages {
    private DeviceImages() {}

    /** {@code image}, which must exist. */
    static Path existing(CommandLine cl, Path image) {
        if (!Files.isRegularFile(image)) {
            throw new CommandLine.ParameterException(cl, "image file not found: " + image);
        }
        return image;
    }

    /**
     * The image of {@code model} (the embedded student when null) for {@code config} in the cache
     * ({@code images/} under {@link ModelFiles#cacheDir()}), packed now unless a pack of the same model bytes
     * for the same build is there already and still opens (one packed by an older tellme may not: it is
     * packed again, since the cache is the tool's own).
     */
    static Path packed(CommandLine cl, Path model, Path tokenizer, AcceleratorConfig config, PrintWriter progress) {
        return packed(cl, model, tokenizer, config, null, progress);
    }

    /**
     * As {@link #packed(CommandLine, Path, Path, AcceleratorConfig, PrintWriter)}, with {@code context} KV-cache
     * positions (null: the model's, at most the build's).
     */
    static Path packed(CommandLine cl, Path model, Path tokenizer, AcceleratorConfig config, Integer context,
                       PrintWriter progress) {
        try {
            return pack(cl, model, tokenizer, config, context, progress);
        } catch (ModelDoesNotFitException | UnpackableModelException e) {
            throw new CommandFailedException(e.getMessage(), "Choose a model that fits the build (tellme config check"
                    + " MODEL --config " + config.name() + ") or a larger build.");
        }
    }

    /**
     * Packs as {@link #packed}, but lets the caller handle a model no device can run.
     *
     * @throws UnpackableModelException when the model is not ternary
     * @throws ModelDoesNotFitException when it exceeds the build's maxima
     */
    static Path pack(CommandLine cl, Path model, Path tokenizer, AcceleratorConfig config, Integer context,
                     PrintWriter progress) {
        Path file = model != null ? model : EmbeddedModel.STORIES_260K_TERNARY.extractTo(ModelFiles.cacheDir());
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(cl, "model file not found: " + file);
        }
        String name = cacheName(file, tokenizer, config);
        if (context != null) {
            name = name.replace(".tlmi", "-c" + context + ".tlmi");
        }
        Path target = ModelFiles.cacheDir().resolve("images").resolve(name);
        if (Files.isRegularFile(target) && opens(target)) {
            return target;
        }
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new CommandFailedException("cannot create " + target.getParent() + ": " + e.getMessage(),
                    "Check the cache directory's permissions (XDG_CACHE_HOME).");
        }
        ModelFiles.stream(cl, file, tokenizer, (source, tokenizerGguf, description) -> {
            int positions = ImagePacker.defaultContext(config, source.config());
            if (context != null) {
                if (context > positions) {
                    throw new CommandLine.ParameterException(cl, "-c " + context + " is more than " + description
                            + " and build " + config.name() + " allow (" + positions + " positions: the smaller of"
                            + " the model's context, " + source.config().contextLength() + ", and the build's, "
                            + config.limits().context() + ")");
                }
                positions = context;
            }
            try (ProgressBar bar = new ProgressBar(progress, "packing " + description)) {
                return ImagePacker.pack(source, tokenizerGguf, description, config, positions, target, true, bar);
            }
        });
        return target;
    }

    private static boolean opens(Path image) {
        try (MemoryImage ignored = MemoryImage.open(image)) {
            return true;
        } catch (MalformedImageException | WrongConfigurationException e) {
            return false;
        }
    }

    /** Opens a device of {@code kind} on the image at {@code file}. */
    static Device open(DeviceKind kind, Path file, int threads, OpenClDevice.Options opencl) {
        try {
            return switch (kind) {
                case REFERENCE -> ReferenceDevice.open(file, threads);
                case OPENCL -> OpenClDevice.open(file, opencl);
                case RTL -> RtlDevice.open(file, RtlDevice.Options.DEFAULT);
            };
        } catch (WrongConfigurationException e) {
            throw new CommandFailedException(e.getMessage(), kind == DeviceKind.RTL
                    ? "Add --config " + RtlDevice.BUILD + " (or give --image a model packed with it)."
                    : "Repack the model: tellme pack MODEL --config NAME -o FILE");
        } catch (MalformedImageException e) {
            throw new CommandFailedException(e.getMessage(), "Repack the model: tellme pack MODEL --config NAME -o FILE");
        } catch (OpenClException e) {
            throw failed(e);
        }
    }

    /** An OpenCL fault as the command's failure, with what to do about it. */
    static CommandFailedException failed(OpenClException e) {
        String hint = switch (e) {
            case OpenClException.Unavailable u -> "Run scripts/setup, which installs PoCL (pocl-opencl-icd).";
            case OpenClException.NoSuchDevice n -> "Choose with --platform NAME|INDEX and --cl-device NAME|INDEX.";
            case OpenClException.OutOfMemory o -> "Pack the image with a shorter --context, or use a larger device.";
            case OpenClException.Timeout t -> "A long prefill or a large model needs a longer --timeout.";
            case OpenClException.BuildFailed b -> "This is a bug in the kernel's OpenCL C twin; please report it with"
                    + " the log.";
            case OpenClException.BadBinary b -> "Give a binary built for this device and build (on a KV260 the"
                    + " xclbin of this build; elsewhere one saved with --save-binary), or leave --binary out.";
            case OpenClException.Failed f -> "Check the OpenCL driver (clinfo), or run --device reference.";
        };
        return new CommandFailedException(e.getMessage(), hint);
    }

    /**
     * A failure of a device's call as the command's failure: a fault (a kernel error, a hung kernel); anything else
     * is returned as it is.
     */
    static RuntimeException failed(RuntimeException e) {
        return switch (e) {
            case DeviceFaultException f -> new CommandFailedException(f.getMessage(), f.code() != null
                    ? "docs/device.md lists the error codes; --device reference runs the same image in Java."
                    : "The simulation is lost; run again (docs/host.md, the rtl device).");
            case OpenClException o -> failed(o);
            default -> e;
        };
    }

    /** The image a device runs. */
    static MemoryImage imageOf(Device device) {
        return switch (device) {
            case ReferenceDevice r -> r.image();
            case OpenClDevice o -> o.image();
            case RtlDevice r -> r.image();
            case CrossCheck c -> imageOf(c.first());
            default -> throw new IllegalArgumentException("no image for " + device.describe());
        };
    }

    /**
     * The prompt encoder of the image's tokenizer section (its control tokens and chat template), or of the
     * model file's GGUF when the image has none.
     */
    static PromptEncoder encoder(CommandLine cl, Device device, Path model, Path tokenizerGguf) {
        MemoryImage image = imageOf(device);
        Section s = image.header().section(ImagePlan.TOKENIZER);
        if (s != null) {
            GgufFile gguf = GgufReader.read(image.path(), image.bytes().asSlice(s.offset(), s.size()));
            return PromptEncoder.of(tokenizer(cl, device, model, tokenizerGguf), gguf);
        }
        Path source = tokenizerGguf != null ? tokenizerGguf : model;
        if (source == null) {
            throw new CommandFailedException("the image holds no tokenizer",
                    "Pass --model (or --tokenizer) with the GGUF it was packed from.");
        }
        try (GgufFile gguf = GgufFile.open(source)) {
            return PromptEncoder.of(Tokenizer.fromGguf(gguf), gguf);
        }
    }

    /** The image's tokenizer, or the model file's when the image has none. */
    static Tokenizer tokenizer(CommandLine cl, Device device, Path model, Path tokenizerGguf) {
        Tokenizer tok = TokenizerSection.read(imageOf(device));
        if (tok != null) {
            return tok;
        }
        if (model == null && tokenizerGguf == null) {
            throw new CommandFailedException("the image holds no tokenizer",
                    "Pass --model (or --tokenizer) with the GGUF it was packed from.");
        }
        return ModelFiles.stream(cl, model, tokenizerGguf, (source, gguf, description) -> Tokenizer.fromGguf(gguf));
    }

    /** {@code <model file>-<build>-<16 hex digits of SHA-256 over the model's bytes and the build's hash>.tlmi}. */
    private static String cacheName(Path model, Path tokenizer, AcceleratorConfig config) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(EmbeddedModel.sha256Of(model).getBytes(StandardCharsets.US_ASCII));
            if (tokenizer != null) {
                digest.update(EmbeddedModel.sha256Of(tokenizer).getBytes(StandardCharsets.US_ASCII));
            }
            digest.update(config.hash());
            String key = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
            return model.getFileName() + "-" + config.name() + "-" + key + ".tlmi";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + model, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
