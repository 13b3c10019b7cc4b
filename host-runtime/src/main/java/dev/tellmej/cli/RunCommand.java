package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.device.CrossCheck;
import dev.tellmej.device.DeviceFaultException;
import dev.tellmej.device.OpenClException;
import dev.tellmej.host.ContextFullException;
import dev.tellmej.host.CorruptLogitsException;
import dev.tellmej.host.DeviceSession;
import dev.tellmej.host.GenerationRequest;
import dev.tellmej.host.GenerationResult;
import dev.tellmej.host.PromptEncoder;
import dev.tellmej.host.SamplingParams;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.StorageFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tellme run}: generate text on a device (or the software model) from a prompt, streaming the tokens as
 * they come, with llama-cli's options. The text goes to standard output, then the stop reason; the seed and the
 * timings go to standard error. A closed standard output (a pipe whose reader left) ends the run at once.
 */
@Command(name = "run", description = "Generate text from a prompt on a device or the software model, streaming it.")
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DeviceOptions deviceOptions;

    @Mixin
    SamplingOptions samplingOptions;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "the prompt (default: none, start from BOS)")
    String prompt;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "read the prompt from FILE (UTF-8); - reads"
            + " standard input")
    String promptFile;

    @Range(min = -1, max = 1 << 20)
    @Option(names = {"-n", "--n-predict", "--steps"}, paramLabel = "N", defaultValue = "256",
            description = "tokens to generate at most; -1 = until end of text or context full (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = {"--stop", "-r", "--reverse-prompt"}, paramLabel = "TEXT",
            description = "stop before this text (repeatable)")
    List<String> stops = new ArrayList<>();

    @Option(names = "--no-display-prompt", description = "do not print the prompt before the generated text")
    boolean noDisplayPrompt;

    @Option(names = "--ids", description = "print the prompt's and the generated token ids after the text")
    boolean ids;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        String text = promptText(cl);
        SamplingParams sampling = samplingOptions.params(cl);
        DeviceOptions.Backend backend = deviceOptions.open(cl, err);
        DeviceSession session = backend.sessions().get();
        try {
            PromptEncoder encoder = backend.encoder();
            int[] promptIds = encoder.withBos(text);
            if (!noDisplayPrompt) {
                out.print(text);
                out.flush();
            }
            GenerationResult result = session.generate(new GenerationRequest(promptIds, steps, sampling, stops, false),
                    (piece, token) -> {
                        out.print(piece);
                        out.flush();
                        return !out.checkError();
                    }, () -> false);
            out.print("\n\n" + result.stopReason().label() + "\n");
            if (ids) {
                out.println("prompt ids: " + join(promptIds));
                out.println("generated ids: " + join(result.tokens()));
            }
            out.flush();
            if (out.checkError()) {
                return 0; // the reader left: nothing more to say
            }
            err.print(result.timings().describe(backend.loadMillis(), backend.ddrBytesPerCycle()));
            err.printf(Locale.ROOT, "on %s, seed %d%n", session.device().describe(), sampling.seed());
            if (session.device() instanceof CrossCheck c) {
                if (c.tapBytes() > 0) {
                    err.printf(Locale.ROOT, "cross-check: %,d calls, %,d debug records (every instruction's output),"
                            + " logits and KV cache equal bit for bit%n", c.callsCompared(), c.tapsCompared());
                } else {
                    err.printf(Locale.ROOT, "cross-check: %d calls, logits and KV cache equal bit for bit%n",
                            c.callsCompared());
                }
            }
            err.flush();
        } catch (ContextFullException e) {
            throw new CommandFailedException(e.getMessage(), "Give a shorter prompt, or a longer context (-c) where"
                    + " the model and the build allow one.");
        } catch (CorruptLogitsException e) {
            throw new CommandFailedException(e.getMessage(), "Check the model file (tellme image show for an image);"
                    + " repack it from a good model.");
        } catch (OpenClException | DeviceFaultException e) {
            throw DeviceImages.failed(e);
        } catch (CrossCheck.DevicesDisagreeException e) {
            throw new CommandFailedException(e.getMessage(), "One of the devices is wrong: the reference is the"
                    + " oracle (docs/host.md, cross-check mode).");
        } finally {
            session.device().close();
        }
        return 0;
    }

    /** The prompt from -p, or -f FILE / -f - (UTF-8 whatever the locale); empty without either. */
    private String promptText(CommandLine cl) {
        if (prompt != null && promptFile != null) {
            throw new CommandLine.ParameterException(cl, "give the prompt with -p or with -f, not both");
        }
        if (promptFile == null) {
            return prompt != null ? prompt : "";
        }
        try {
            if (promptFile.equals("-")) {
                InputStream in = TellmeMain.stdin();
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path file = Path.of(promptFile);
            if (!Files.isRegularFile(file)) {
                throw new CommandLine.ParameterException(cl, "prompt file not found: " + file);
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new CommandFailedException("the prompt file " + promptFile + " is not UTF-8 text",
                    "Convert it to UTF-8 (iconv -t UTF-8).");
        } catch (IOException e) {
            throw new CommandFailedException("cannot read the prompt from " + promptFile + ": " + e.getMessage(),
                    "Check the path and its permissions.");
        }
    }

    private static String join(int[] tokens) {
        return Arrays.stream(tokens).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }

    static final class DeviceConverter implements CommandLine.ITypeConverter<DeviceKind> {
        @Override
        public DeviceKind convert(String value) {
            return DeviceKind.parse(value);
        }
    }

    static final class PathConverter implements CommandLine.ITypeConverter<InferencePath> {
        @Override
        public InferencePath convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "float" -> InferencePath.FLOAT;
                case "exact" -> InferencePath.EXACT;
                default -> throw new CommandLine.TypeConversionException("unknown path '" + value + "' (float or exact)");
            };
        }
    }

    static final class StorageConverter implements CommandLine.ITypeConverter<StorageFormat> {
        @Override
        public StorageFormat convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "fp16" -> StorageFormat.FP16;
                case "bf16" -> StorageFormat.BF16;
                default -> throw new CommandLine.TypeConversionException("unknown storage '" + value + "' (fp16 or bf16)");
            };
        }
    }

    /** The build's exact configuration, with the lanes or the storage format overridden where given. */
    static ExactConfig exactConfig(AcceleratorConfig build, Integer lanes, StorageFormat storage) {
        ExactConfig base = build.exact();
        return new ExactConfig(lanes != null ? lanes : base.lanes(), storage != null ? storage : base.storage(),
                base.tables());
    }
}
