package dev.tellmej.cli;

import dev.tellmej.device.Device;
import dev.tellmej.device.DeviceFaultException;
import dev.tellmej.device.OpenClDevice;
import dev.tellmej.device.OpenClException;
import dev.tellmej.device.RtlDevice;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench device}: tokens per second of one device on a memory image: a prefill of a seeded random prompt
 * and greedy decode steps after it, timed per run; the medians are reported. A device with a clock (the
 * {@code rtl} device: the kernel in Verilator) also reports its kernel cycles and the tokens per second they give
 * at the build's clock, which is what the kernel would do on the board at that clock with the simulated DDR.
 */
@Command(name = "device", description = {"Prefill and decode speed of a device (reference, opencl or rtl) on a"
        + " memory image of a model (default: the embedded ternary stories260K student). The rtl device also"
        + " reports kernel cycles and tokens/s at the build's clock."})
final class BenchDeviceCommand implements Callable<Integer>, PrintsJson {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--device", paramLabel = "reference|opencl|rtl", defaultValue = "reference",
            converter = RunCommand.DeviceConverter.class, description = "the device (default: ${DEFAULT-VALUE})")
    DeviceKind device;

    @Option(names = "--model", paramLabel = "FILE", description = "GGUF or safetensors ternary model (default: the"
            + " embedded stories260K student)")
    Path model;

    @Option(names = "--image", paramLabel = "FILE", description = "a memory image to run instead of --model")
    Path image;

    @Option(names = "--config", paramLabel = "NAME", description = "the build --model is packed for (default: kv260;"
            + " sim-small for --device rtl, the only build it simulates)")
    String configName;

    @Range(min = 1, max = 4096)
    @Option(names = "--prompt", defaultValue = "16", description = "prompt tokens of the prefill (default:"
            + " ${DEFAULT-VALUE})")
    int prompt;

    @Range(min = 1, max = 4096)
    @Option(names = "--tokens", defaultValue = "32", description = "decode steps per run (default: ${DEFAULT-VALUE})")
    int tokens;

    @Range(min = 1, max = 1000)
    @Option(names = "--runs", defaultValue = "5", description = "timed runs; medians are reported (default:"
            + " ${DEFAULT-VALUE})")
    int runs;

    @Range(min = 1, max = 256)
    @Option(names = "--threads", defaultValue = "2", description = "reference: worker threads (default:"
            + " ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--platform", paramLabel = "NAME|INDEX", description = "opencl: the platform")
    String platform;

    @Option(names = "--cl-device", paramLabel = "NAME|INDEX", description = "opencl: the device of the platform")
    String clDevice;

    /**
     * What {@code bench device} measured.
     *
     * @param device                  the device's description (kind, platform and device, model, build)
     * @param promptTokens            tokens of each run's prefill
     * @param decodeTokens            decode steps of each run
     * @param openSeconds             seconds to open the device (load the image; build the OpenCL program)
     * @param prefillTokensPerSecond  median over the runs of prompt tokens per second of the prefill call
     * @param decodeTokensPerSecond   median over the runs of decode steps per second
     * @param decodeRunsTokensPerSecond every run's decode steps per second, in order
     * @param kernel                  the kernel's own cycles, for a device whose kernel counts them ({@code rtl}, the
     *                                RTL kernel through XRT); {@code null} for a device without a clock
     */
    record Result(String device, int promptTokens, int decodeTokens, double openSeconds, double prefillTokensPerSecond,
                  double decodeTokensPerSecond, List<Double> decodeRunsTokensPerSecond, KernelCycles kernel) {}

    /**
     * What the kernel's cycle counter ({@code cycles} status register) says of the same runs.
     *
     * @param clockMhz                the build's target clock, MHz
     * @param prefillCycles           median over the runs of the prefill call's kernel cycles
     * @param decodeCyclesPerStep     median over every decode step of every run of the call's kernel cycles
     * @param prefillTokensPerSecond  prompt tokens per second of the prefill at {@code clockMhz}
     * @param decodeTokensPerSecond   decode steps per second at {@code clockMhz}
     */
    record KernelCycles(double clockMhz, long prefillCycles, long decodeCyclesPerStep, double prefillTokensPerSecond,
                        double decodeTokensPerSecond) {
        static KernelCycles of(double clockMhz, long prefillCycles, long decodeCyclesPerStep, int promptTokens) {
            double hz = clockMhz * 1e6;
            return new KernelCycles(clockMhz, prefillCycles, decodeCyclesPerStep, promptTokens * hz / prefillCycles,
                    hz / decodeCyclesPerStep);
        }
    }

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(Result.class);
    }

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        PrintWriter progress = json.progress();
        String build = configName != null ? configName : device == DeviceKind.RTL ? RtlDevice.BUILD : "kv260";
        Path file = image != null ? DeviceImages.existing(cl, image)
                : DeviceImages.packed(cl, model, null, ConfigCommand.build(cl, build), progress);
        long start = System.nanoTime();
        OpenClDevice.Options options = new OpenClDevice.Options(platform, clDevice, 0, Duration.ofHours(1));
        Result r;
        try (Device d = DeviceImages.open(device, file, threads, options)) {
            double open = (System.nanoTime() - start) / 1e9;
            int vocab = DeviceImages.imageOf(d).header().model().vocabSize();
            if (prompt + tokens > d.context()) {
                throw new CommandLine.ParameterException(cl, "--prompt " + prompt + " and --tokens " + tokens
                        + " need " + (prompt + tokens) + " positions; the image holds " + d.context());
            }
            int[] promptIds = new SplittableRandom(1).ints(prompt, 0, vocab).toArray();
            double[] prefill = new double[runs];
            double[] decode = new double[runs];
            long[] prefillCycles = new long[runs];
            long[] decodeCycles = new long[runs * tokens];
            try (ProgressBar bar = new ProgressBar(cl.getErr(), "bench device").steps(runs)) {
                for (int run = 0; run < runs; run++) {
                    d.reset();
                    long t0 = System.nanoTime();
                    float[] logits = d.prefill(promptIds);
                    long t1 = System.nanoTime();
                    prefillCycles[run] = d.counters().cycles();
                    for (int s = 0; s < tokens; s++) {
                        logits = d.decode(argmax(logits));
                        decodeCycles[run * tokens + s] = d.counters().cycles();
                    }
                    long t2 = System.nanoTime();
                    prefill[run] = prompt / ((t1 - t0) / 1e9);
                    decode[run] = tokens / ((t2 - t1) / 1e9);
                    bar.clearLine();
                    progress.printf(Locale.ROOT, "run %d: prefill %.1f tokens/s, decode %.1f tokens/s%n", run + 1,
                            prefill[run], decode[run]);
                    progress.flush();
                    bar.step("run " + (run + 1) + "/" + runs);
                }
            }
            List<Double> decodeRuns = new ArrayList<>();
            for (double v : decode) {
                decodeRuns.add(v);
            }
            // A device without a clock counts no cycles (DeviceCounters): it has no kernel figures. Any device whose
            // kernel counts them has (the rtl device; the RTL kernel through XRT).
            long prefillMedian = median(prefillCycles);
            long decodeMedian = median(decodeCycles);
            KernelCycles kernel = prefillMedian > 0 && decodeMedian > 0
                    ? KernelCycles.of(DeviceImages.imageOf(d).config().clock().targetMhz(), prefillMedian,
                            decodeMedian, prompt)
                    : null;
            r = new Result(d.describe(), prompt, tokens, open, median(prefill), median(decode), decodeRuns, kernel);
        } catch (OpenClException | DeviceFaultException e) {
            throw DeviceImages.failed(e);
        }
        if (json.enabled()) {
            json.print(r);
        } else {
            PrintWriter out = cl.getOut();
            out.printf(Locale.ROOT, "%s%n  opened in %.2f s; prefill of %d tokens: %.1f tokens/s; decode: %.1f"
                    + " tokens/s (medians of %d runs of %d steps)%n", r.device(), r.openSeconds(), prompt,
                    r.prefillTokensPerSecond(), r.decodeTokensPerSecond(), runs, tokens);
            KernelCycles kernel = r.kernel();
            if (kernel != null) {
                out.printf(Locale.ROOT, "  kernel at %.0f MHz: prefill %,d cycles (%.1f tokens/s), decode %,d cycles per"
                        + " step (%.1f tokens/s) (medians; the simulated DDR)%n", kernel.clockMhz(),
                        kernel.prefillCycles(), kernel.prefillTokensPerSecond(), kernel.decodeCyclesPerStep(),
                        kernel.decodeTokensPerSecond());
            }
            out.flush();
        }
        return 0;
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
