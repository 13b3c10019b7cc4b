package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.device.CrossCheck;
import dev.tellmej.device.Device;
import dev.tellmej.device.OpenClDevice;
import dev.tellmej.device.OpenClException;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.Generator;
import dev.tellmej.model.inference.LanguageModel;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.sample.Sampler;
import dev.tellmej.model.sample.SamplerConfig;
import dev.tellmej.model.tokenizer.StreamingDecoder;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tellme run}: generate text with the software model, streaming tokens as they are produced. */
@Command(name = "run", 
        description = "Generate text with the software model (float reference or hardware-exact path).")
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "GGUF or safetensors model (default: the embedded ternary stories260K student); GGUF"
                    + " files as llama-quantize writes them (TQ1_0/TQ2_0 linears, Q6_K/Q8_0/Q4_K/Q5_K/Q4_0 embedding) load")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "GGUF holding the tokenizer and configuration, for a safetensors --model")
    Path tokenizer;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "", description = "prompt text (default: none, start from BOS)")
    String prompt;

    @Range(min = 1, max = 1 << 20)
    @Option(names = "--steps", defaultValue = "256", description = "tokens to generate at most (default: ${DEFAULT-VALUE})")
    int steps;

    @Range(min = 0, max = 100)
    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default), else sampling temperature")
    float temperature;

    @Range(min = 0, max = 1 << 20)
    @Option(names = "--top-k", defaultValue = "0", description = "sample from the k most likely tokens (0 = all)")
    int topK;

    @Range(min = 0, max = 1, minExclusive = true)
    @Option(names = "--top-p", defaultValue = "1", description = "nucleus sampling threshold in (0, 1] (1 = off)")
    float topP;

    @Range(min = Long.MIN_VALUE, max = Long.MAX_VALUE)
    @Option(names = "--seed", defaultValue = "42", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--path", paramLabel = "float|exact", converter = PathConverter.class,
            description = "inference path: float or exact (default: exact for ternary models, float otherwise)")
    InferencePath path;

    @Option(names = "--config", paramLabel = "NAME", defaultValue = "kv260", description = "exact path: the"
            + " accelerator build whose arithmetic it reproduces (default: ${DEFAULT-VALUE}; tellme config --list)")
    String configName;

    @Range(min = 1, max = 1024)
    @Option(names = "--lanes", description = "exact path: lanes of the ordered sums, a power of two (default: the"
            + " build's)")
    Integer lanes;

    @Option(names = "--storage", paramLabel = "fp16|bf16", converter = StorageConverter.class,
            description = "exact path: storage format (default: the build's)")
    StorageFormat storage;

    @Option(names = "--device", paramLabel = "reference|opencl", converter = DeviceConverter.class,
            description = "run on a device from a memory image instead of the software model: reference (the Java"
                    + " device that executes the image's program) or opencl (the host path of the board, on any"
                    + " OpenCL platform: PoCL runs the kernel's OpenCL C twin)")
    DeviceKind device;

    @Option(names = "--check", paramLabel = "reference|opencl", converter = DeviceConverter.class,
            description = "with --device: run this device in lock step and stop at the first difference in the"
                    + " logits or the KV cache")
    DeviceKind check;

    @Option(names = "--platform", paramLabel = "NAME|INDEX", description = "opencl: the OpenCL platform (a part of"
            + " its name, or its index; default: the only one)")
    String platform;

    @Option(names = "--cl-device", paramLabel = "NAME|INDEX", description = "opencl: the device of the platform"
            + " (a part of its name, or its index; default: the only one)")
    String clDevice;

    @Range(min = 1, max = 86_400)
    @Option(names = "--timeout", defaultValue = "600", description = "opencl: seconds one call may take (default:"
            + " ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--image", paramLabel = "FILE", description = "with --device: the memory image to run (default:"
            + " --model packed for --config into the cache)")
    Path image;

    @Range(min = 1, max = 256)
    @Option(names = "--threads", defaultValue = "2", description = "worker threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (device != null) {
            return runOnDevice(cl);
        }
        if (image != null || check != null) {
            throw new CommandLine.ParameterException(cl, (image != null ? "--image" : "--check")
                    + " runs on a device: add --device reference or --device opencl");
        }
        SamplerConfig samplerConfig;
        ExactConfig exact;
        try {
            samplerConfig = new SamplerConfig(temperature, topK, topP, seed);
            exact = exactConfig(ConfigCommand.build(cl, configName), lanes, storage);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        ModelFiles.Loaded loaded = ModelFiles.load(cl, model, tokenizer);
        Tokenizer tok = loaded.tokenizer();
        int[] encoded = tok.encode(prompt);
        int[] promptIds = new int[encoded.length + 1];
        promptIds[0] = tok.bos();
        System.arraycopy(encoded, 0, promptIds, 1, encoded.length);
        int capacity = (int) Math.min(loaded.weights().config().contextLength(), (long) promptIds.length + steps);
        if (promptIds.length >= capacity) {
            throw new CommandLine.ParameterException(cl, "the prompt (" + promptIds.length
                    + " tokens) fills the model's context of " + capacity + " tokens");
        }
        InferencePath chosen = path != null ? path
                : loaded.weights().allTernary() ? InferencePath.EXACT : InferencePath.FLOAT;
        LanguageModel lm;
        try {
            lm = chosen.create(loaded.weights(), exact, capacity, threads);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        PrintWriter out = cl.getOut();
        try {
            generate(out, lm, tok, promptIds, Math.min(steps, capacity - promptIds.length), new Sampler(samplerConfig),
                    loaded.description() + ", " + chosen + " path");
        } finally {
            if (lm instanceof ExactModel e) {
                e.close();
            }
        }
        return 0;
    }

    private int runOnDevice(CommandLine cl) {
        if (path != null || lanes != null || storage != null) {
            throw new CommandLine.ParameterException(cl, "--path, --lanes and --storage choose the software model's"
                    + " arithmetic; a device computes as its image's build does");
        }
        SamplerConfig samplerConfig;
        try {
            samplerConfig = new SamplerConfig(temperature, topK, topP, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        Path file = image != null ? DeviceImages.existing(cl, image)
                : DeviceImages.packed(cl, model, tokenizer, ConfigCommand.build(cl, configName), cl.getErr());
        OpenClDevice.Options opencl = new OpenClDevice.Options(platform, clDevice, 0,
                Duration.ofSeconds(timeoutSeconds));
        try (Device d = open(file, opencl)) {
            Tokenizer tok = DeviceImages.tokenizer(cl, d, model, tokenizer);
            int[] encoded = tok.encode(prompt);
            int[] promptIds = new int[encoded.length + 1];
            promptIds[0] = tok.bos();
            System.arraycopy(encoded, 0, promptIds, 1, encoded.length);
            if (promptIds.length >= d.context()) {
                throw new CommandLine.ParameterException(cl, "the prompt (" + promptIds.length
                        + " tokens) fills the image's context of " + d.context() + " positions");
            }
            generate(cl.getOut(), d, tok, promptIds, Math.min(steps, d.context() - promptIds.length),
                    new Sampler(samplerConfig));
            if (d instanceof CrossCheck c) {
                cl.getOut().printf(Locale.ROOT, "cross-check: %d calls, logits and KV cache equal bit for bit%n",
                        c.callsCompared());
                cl.getOut().flush();
            }
        } catch (OpenClException e) {
            throw DeviceImages.failed(e);
        } catch (CrossCheck.DevicesDisagreeException e) {
            throw new CommandFailedException(e.getMessage(), "One of the devices is wrong: the reference is the"
                    + " oracle (docs/host.md, cross-check mode).");
        }
        return 0;
    }

    /** The device, or the two in lock step with --check. */
    private Device open(Path file, OpenClDevice.Options opencl) {
        Device first = DeviceImages.open(device, file, threads, opencl);
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

    /** Streams a generation on a device: one prefill call for the prompt, then one decode call per token. */
    static void generate(PrintWriter out, Device device, Tokenizer tok, int[] promptIds, int steps, Sampler sampler) {
        StreamingDecoder decoder = echoPrompt(out, tok, promptIds);
        device.reset();
        long start = System.nanoTime();
        float[] logits = device.prefill(promptIds);
        long prefillEnd = System.nanoTime();
        int count = 0;
        for (int step = 0; step < steps; step++) {
            int token = sampler.sample(logits);
            if (token == tok.bos() || token == tok.eos()) {
                break;
            }
            count++;
            out.print(decoder.accept(token));
            out.flush();
            if (step + 1 == steps || device.position() >= device.context()) {
                break;
            }
            logits = device.decode(token);
        }
        out.print(decoder.flush());
        double decodeSeconds = (System.nanoTime() - prefillEnd) / 1e9;
        out.println();
        out.printf(Locale.ROOT, "%n%d tokens in %.2f s after the prompt: %.1f tokens/s (%s; %d-token prompt in"
                + " %.0f ms)%n", count, decodeSeconds, count / decodeSeconds, device.describe(), promptIds.length,
                (prefillEnd - start) / 1e6);
        out.flush();
    }

    /** Prints the prompt's text and returns the decoder, primed with it, for the generated tokens. */
    private static StreamingDecoder echoPrompt(PrintWriter out, Tokenizer tok, int[] promptIds) {
        StreamingDecoder decoder = new StreamingDecoder(tok);
        StringBuilder echo = new StringBuilder();
        for (int id : promptIds) {
            echo.append(decoder.accept(id));
        }
        out.print(echo);
        out.flush();
        return decoder;
    }

    static final class DeviceConverter implements CommandLine.ITypeConverter<DeviceKind> {
        @Override
        public DeviceKind convert(String value) {
            return DeviceKind.parse(value);
        }
    }

    /** Streams a generation to {@code out} and ends with the speed. Shared with the demo. */
    static void generate(PrintWriter out, LanguageModel lm, Tokenizer tok, int[] promptIds, int steps, Sampler sampler,
                         String label) {
        StreamingDecoder decoder = echoPrompt(out, tok, promptIds);
        long start = System.nanoTime();
        int[] count = {0};
        long[] firstToken = {0};
        Generator.generate(lm, promptIds, steps, sampler, tok.bos(), tok.eos(), token -> {
            if (count[0]++ == 0) {
                firstToken[0] = System.nanoTime();
            }
            out.print(decoder.accept(token));
            out.flush();
        });
        out.print(decoder.flush());
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println();
        double prefillMs = count[0] == 0 ? 0 : (firstToken[0] - start) / 1e6;
        out.printf(Locale.ROOT, "%n%d tokens in %.2f s: %.1f tokens/s (%s; %d-token prompt in %.0f ms)%n", count[0],
                seconds, count[0] / seconds, label, promptIds.length, prefillMs);
        out.flush();
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
