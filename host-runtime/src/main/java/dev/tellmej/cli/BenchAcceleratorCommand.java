package dev.tellmej.cli;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.sim.AcceleratorBenchmark;
import dev.tellmej.accel.sim.ProgramCut;
import dev.tellmej.image.MemoryImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tellme bench accelerator}: the accelerator's decode and prefill speed projected from the kernel's own
 * cycles in Verilator ({@link AcceleratorBenchmark}): the three-layer cut of a model's image measured instruction by
 * instruction at each DDR bandwidth, added up for the whole model, with the DDR roofline and busy fraction, beside
 * TeLLMe's and PD-Swap's published figures; the analytic model is checked against complete runs of the embedded
 * student on sim-small.
 */
@Command(name = "accelerator",
        description = {"Decode and prefill tokens/s, TTFT, bytes per token, DDR busy fraction and roofline of the"
                + " accelerator, projected from the kernel's cycles in Verilator (kv260: bitnet_b1_58-large's shape"
                + " with random ternary weights; sim-small: the embedded student), at several clocks and DDR"
                + " bandwidths.",
                "  tellme bench accelerator [--config NAME] [--clocks MHZ,...] [--bandwidths GBPS,...] [--json]"})
final class BenchAcceleratorCommand implements Callable<Integer>, PrintsJson {
    /** The clocks and sustained DDR bandwidths for the KV260; the first of each is the headline. */
    static final List<Double> KV260_CLOCKS = List.of(300.0, 250.0);
    static final List<Double> KV260_BANDWIDTHS = List.of(16.0, 12.7, 19.2);
    /** Where the analytic model is checked: the student on sim-small. */
    static final int VALIDATION_CONTEXT = 256;
    static final List<Integer> VALIDATION_FIT = List.of(32, 128, 256);
    static final int VALIDATION_PROMPT = 16;
    static final List<Integer> VALIDATION_CHECKS = List.of(17, 100, 200);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption json;

    @Option(names = "--config", defaultValue = "kv260", description = "build (default: ${DEFAULT-VALUE})")
    String configName;

    @Range(min = 1, max = 2000)
    @Option(names = "--clocks", split = ",", paramLabel = "MHZ",
            description = "kernel clocks (default kv260: 300,250; other builds: their target)")
    List<Double> clocks;

    @Range(min = 0.01, max = 1000)
    @Option(names = "--bandwidths", split = ",", paramLabel = "GBPS",
            description = "sustained DDR bandwidths, GB/s (default kv260: 16.0,12.7,19.2; other builds: their peak)")
    List<Double> bandwidths;

    @Range(min = 1, max = 1 << 20)
    @Option(names = "--contexts", split = ",", paramLabel = "N",
            description = "decode contexts (default: 128,1024,2048, or for a build with a shorter context 1/16, 1/4"
                    + " and 1/2 of it)")
    List<Integer> contexts;

    @Range(min = 1, max = 1 << 20)
    @Option(names = "--prompts", split = ",", paramLabel = "N",
            description = "prefill prompt lengths (default: 64,128)")
    List<Integer> prompts;

    @Range(min = 1, max = 1024)
    @Option(names = "--layers", description = "layers of the model projected (default: 24, bitnet_b1_58-large's;"
            + " sim-small: the student's)")
    Integer layers;

    @Range(min = 1, max = 100_000)
    @Option(names = "--latency", defaultValue = "100", description = "DDR read latency in cycles (default:"
            + " ${DEFAULT-VALUE})")
    int latency;

    @Option(names = "--no-validation", description = "skip the check of the analytic model against complete runs of"
            + " the student on sim-small")
    boolean noValidation;

    @Range(min = 0, max = 64)
    @Option(names = "--whole-layers", description = "kv260: also run a decode of the complete program of an image of"
            + " this many layers against the model's prediction (default: 3, one more than the benchmark measures; 0: none)")
    Integer wholeLayers;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "where the images are packed (default:"
            + " ~/.cache/tellme-j)")
    Path cacheDir;

    @Range(min = Long.MIN_VALUE, max = Long.MAX_VALUE)
    @Option(names = "--seed", defaultValue = "1", description = "seed of the tokens (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public List<Class<? extends Record>> jsonRecords() {
        return List.of(AcceleratorBenchmark.Result.class);
    }

    @Override
    public Integer call() {
        AcceleratorConfig build = ConfigCommand.build(spec.commandLine(), configName);
        AcceleratorConfig small = AcceleratorConfig.simSmall();
        boolean isSmall = build.name().equals(small.name());
        boolean kv260 = build.name().equals(AcceleratorConfig.kv260().name());
        int limit = build.limits().context();
        List<Integer> ctx = contexts != null ? contexts
                : limit >= 2048 ? List.of(128, 1024, 2048) : List.of(limit / 16, limit / 4, limit / 2);
        List<Integer> pr = prompts != null ? prompts : List.of(64, 128);
        int context = Math.max(ctx.stream().mapToInt(Integer::intValue).max().orElseThrow(),
                pr.stream().mapToInt(Integer::intValue).max().orElseThrow());
        if (context > limit || ctx.size() < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the contexts and prompts must be at most the "
                    + build.name() + " build's context of " + limit + ", with at least two contexts (the attention"
                    + " term's slope); got " + ctx + " and " + pr);
        }
        List<AcceleratorBenchmark.Setting> settings = new ArrayList<>();
        for (double clock : clocks != null ? clocks : kv260 ? KV260_CLOCKS : List.of((double) build.clock().targetMhz())) {
            for (double gbps : bandwidths != null ? bandwidths
                    : kv260 ? KV260_BANDWIDTHS : List.of(build.memory().ddrPeakGBps())) {
                settings.add(new AcceleratorBenchmark.Setting(clock, gbps));
            }
        }
        Path dir = cacheDir != null ? cacheDir : ModelFiles.cacheDir();
        PrintWriter progress = json.progress();
        boolean text = !json.enabled();
        PrintWriter err = spec.commandLine().getErr();

        progress.printf("packing the image%n");
        progress.flush();
        Path image = isSmall ? AcceleratorBenchmark.studentImage(build, context, dir)
                : AcceleratorBenchmark.syntheticImage(build, ProgramCut.MEASURED_LAYERS, context, dir);
        int projected;
        try (MemoryImage opened = MemoryImage.open(image)) {
            projected = layers != null ? layers : isSmall ? opened.header().model().layers() : 24;
        }

        AcceleratorBenchmark.Validation validation = null;
        if (!noValidation) {
            progress.printf("checking the analytic model against complete runs of the student on %s%n", small.name());
            progress.flush();
            Path student = AcceleratorBenchmark.studentImage(small, VALIDATION_CONTEXT, dir);
            try (ProgressBar bar = new ProgressBar(err, "bench accelerator: validation")) {
                validation = AcceleratorBenchmark.validate(student, new AcceleratorBenchmark.Setting(
                        small.clock().targetMhz(), small.memory().ddrPeakGBps()), latency, VALIDATION_FIT,
                        VALIDATION_PROMPT, VALIDATION_CHECKS, seed, listener(bar, progress, text));
            }
            if (text) {
                printValidation(progress, validation);
            }
        }

        int whole = wholeLayers != null ? wholeLayers : isSmall ? 0 : ProgramCut.MEASURED_LAYERS + 1;
        Path wholeImage = whole > 1 && !isSmall ? AcceleratorBenchmark.syntheticImage(build, whole, context, dir) : null;
        AcceleratorBenchmark.Options options;
        try {
            options = new AcceleratorBenchmark.Options(image, projected, settings, ctx, pr, latency, seed, wholeImage);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        progress.printf("measuring %s on the %s kernel%n", image.getFileName(), build.name());
        progress.flush();
        AcceleratorBenchmark.Result result;
        try (ProgressBar bar = new ProgressBar(err, "bench accelerator")) {
            result = AcceleratorBenchmark.run(options, validation, listener(bar, progress, text));
        }
        Path saved = SavedProjection.file(dir, build.name());
        SavedProjection.save(saved, result);
        progress.printf("saved the result to %s (tellme demo shows it)%n", saved);
        progress.flush();
        if (json.enabled()) {
            json.print(result);
        } else {
            print(spec.commandLine().getOut(), result);
        }
        return 0;
    }

    private static AcceleratorBenchmark.Listener listener(ProgressBar bar, PrintWriter progress, boolean text) {
        return new AcceleratorBenchmark.Listener() {
            @Override
            public void modelReady(double seconds) {
                bar.clearLine();
                progress.printf(Locale.ROOT, "  kernel model ready in %.1f s%n", seconds);
                progress.flush();
            }

            @Override
            public void ran(String what, long cycles, double seconds) {
                bar.clearLine();
                progress.printf(Locale.ROOT, "  %s: %,d cycles in %.1f s (%,.0f cycles/s)%n", what, cycles, seconds,
                        cycles / seconds);
                progress.flush();
            }
        };
    }

    private static void printValidation(PrintWriter out, AcceleratorBenchmark.Validation v) {
        out.printf(Locale.ROOT, "%nThe analytic model against complete runs: %s on %s, %d layers (measured on its"
                + " first)%n%n| run | measured cycles | predicted | error |%n|---|---:|---:|---:|%n", v.model(),
                v.config(), v.layers());
        for (AcceleratorBenchmark.Check c : v.checks()) {
            out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %+.2f %% |%n", c.run(), c.measured_cycles(),
                    c.predicted_cycles(), 100 * c.error());
        }
        out.printf(Locale.ROOT, "%nlargest error %.2f %%%n%n", 100 * v.max_error());
        out.flush();
    }

    private static void print(PrintWriter out, AcceleratorBenchmark.Result r) {
        out.printf(Locale.ROOT, "%nKV260 projection: %s, %d layers, on the %s kernel (DDR read latency %d cycles)%n",
                r.model(), r.layers(), r.config(), r.ddr_read_latency());
        out.printf("%nDecode%n%n| clock MHz | DDR GB/s | context | tokens/s | ms/token | MB/token | roofline tokens/s |"
                + " of roofline | DDR busy | DDR share |%n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n");
        for (AcceleratorBenchmark.DecodeLine d : r.decode()) {
            out.printf(Locale.ROOT, "| %.0f | %.1f | %,d | %.1f | %.2f | %.1f | %.1f | %.1f %% | %.1f %% | %.1f %% |%n",
                    d.clock_mhz(), d.ddr_gbps(), d.context(), d.tokens_per_s(), d.ms_per_token(),
                    d.bytes_per_token() / 1e6, d.roofline_tokens_per_s(), 100 * d.of_roofline(), 100 * d.ddr_busy(),
                    100 * d.ddr_share());
        }
        out.printf("%nPrefill (one call from position 0)%n%n| clock MHz | DDR GB/s | tokens | tokens/s | TTFT s |"
                + " MB/token | roofline tokens/s | DDR busy | DDR share |%n|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n");
        for (AcceleratorBenchmark.PrefillLine p : r.prefill()) {
            out.printf(Locale.ROOT, "| %.0f | %.1f | %d | %.1f | %.3f | %.2f | %.1f | %.1f %% | %.1f %% |%n",
                    p.clock_mhz(), p.ddr_gbps(), p.tokens(), p.tokens_per_s(), p.ttft_s(), p.bytes_per_token() / 1e6,
                    p.roofline_tokens_per_s(), 100 * p.ddr_busy(), 100 * p.ddr_share());
        }
        out.printf("%nWhere a decode token's cycles go (first setting, first context)%n%n| pc | instruction | per"
                + " token | cycles | bytes | cycles for a full chunk | share |%n|---:|---|---:|---:|---:|---:|---:|%n");
        for (AcceleratorBenchmark.Term t : r.breakdown()) {
            out.printf(Locale.ROOT, "| %d | %s | %d | %,.0f | %,.0f | %,.0f | %.1f %% |%n", t.pc(), t.instruction(),
                    t.per_token(), t.decode_cycles(), t.decode_bytes(), t.chunk_cycles(), 100 * t.decode_share());
        }
        out.printf("%nThe attention term%n%n| kind | positions | measured cycles | fit: cycles at 0 | per position |"
                + " largest residual |%n|---|---|---|---:|---:|---:|%n");
        for (AcceleratorBenchmark.AttentionFit f : r.attention()) {
            out.printf(Locale.ROOT, "| %s | %s | %s | %,.0f | %.1f | %.2f %% |%n", f.kind(), f.points(),
                    f.cycles().stream().map(c -> String.format(Locale.ROOT, "%,.0f", c)).toList(), f.intercept(),
                    f.slope(), 100 * f.max_residual());
        }
        out.printf("%nMeasured calls against the model%n%n| run | measured cycles | predicted | error |%n"
                + "|---|---:|---:|---:|%n");
        for (AcceleratorBenchmark.Check c : r.checks()) {
            out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %+.2f %% |%n", c.run(), c.measured_cycles(),
                    c.predicted_cycles(), 100 * c.error());
        }
        if (r.validation() != null) {
            out.printf(Locale.ROOT, "%nValidation: complete runs of %s on %s within %.2f %% of the model%n",
                    r.validation().model(), r.validation().config(), 100 * r.validation().max_error());
        }
        if (!r.targets().isEmpty()) {
            out.printf("%nTargets (300 MHz, 16.0 GB/s)%n%n| figure | projected | target | met |%n|---|---:|---|---|%n");
            for (AcceleratorBenchmark.Target t : r.targets()) {
                out.printf(Locale.ROOT, "| %s | %.3f | %s | %s |%n", t.what(), t.value(), t.target(),
                        t.met() ? "yes" : "no");
            }
        }
        out.printf("%nPublished, on the KV260%n%n| design | decode tokens/s | prefill tokens/s | TTFT s |%n|---|---:|---:|---|%n");
        for (AcceleratorBenchmark.Reference ref : r.references()) {
            out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", ref.name(), orDash(ref.decode_tokens_per_s()),
                    orDash(ref.prefill_tokens_per_s()), ref.ttft_s() == null ? "-" : ref.ttft_s());
        }
        AcceleratorBenchmark.Simulation s = r.simulation();
        out.printf(Locale.ROOT, "%nSimulated: %s; %d calls, %,d cycles in %.0f s (%,.0f cycles/s); kernel model ready"
                + " in %.1f s%n", s.measured(), s.calls(), s.simulated_cycles(), s.seconds(), s.cycles_per_s(),
                s.build_seconds());
        out.flush();
    }

    private static String orDash(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
