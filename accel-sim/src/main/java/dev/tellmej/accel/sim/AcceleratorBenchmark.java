package dev.tellmej.accel.sim;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.TellmeKernel;
import dev.tellmej.accel.protocol.CallMode;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.hdl.Design;
import dev.tellmej.image.ImageHeader;
import dev.tellmej.image.ImagePacker;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.VerilatorBuild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The accelerator's projection from the kernel's own cycles ({@code tellme bench accelerator}): the kernel
 * {@code tellme} of a build runs in Verilator with the DDR model capped at a sustained bandwidth, on an image of a
 * model cut to its first three layers ({@link ProgramCut#measured}), and each instruction's cycles, DDR bytes and
 * DDR busy cycles are measured ({@link ProgramProfiler}); {@link KernelCostModel} adds them up for a model of any
 * number of layers, decode at any context and prefill of any prompt. The attention term's dependence on the context comes from attention runs at
 * several contexts, fitted by a straight line.
 *
 * <p>{@link #validate} checks the model where a complete run is affordable: the embedded stories260K student on
 * sim-small, its cut measured, then whole-model calls run and compared with the prediction.
 *
 * <p>The JSON of {@code tellme bench accelerator --json} is the records below; their components are named as the
 * issue names the JSON fields ({@code clock_mhz}, {@code tokens_per_s}), so they break Java's naming on purpose.
 */
public final class AcceleratorBenchmark {
    /** DDR write-response latency of the DDR model, cycles. */
    public static final int WRITE_LATENCY = 4;
    /** The most cycles one simulated call may take before it counts as hung. */
    static final long MAX_CALL_CYCLES = 500_000_000L;

    private AcceleratorBenchmark() {}

    /**
     * A clock and a sustained DDR bandwidth; the DDR model is capped at {@code ddr_gbps} at {@code clock_mhz}.
     *
     * @param clock_mhz the kernel clock, MHz
     * @param ddr_gbps  the DDR's sustained bandwidth, GB/s (10^9 bytes per second)
     */
    public record Setting(double clock_mhz, double ddr_gbps) {
        public Setting {
            if (!(clock_mhz > 0) || !(ddr_gbps > 0)) {
                throw new IllegalArgumentException("clock and bandwidth must be positive: " + clock_mhz + " MHz, "
                        + ddr_gbps + " GB/s");
            }
        }

        /** The DDR model's cap, bytes per kernel cycle. */
        public double bytesPerCycle() {
            return ddr_gbps * 1000 / clock_mhz;
        }
    }

    /**
     * What to measure.
     *
     * @param image        the image whose cut ({@link ProgramCut#measured}) is measured (its build is simulated)
     * @param layers       the layers of the model projected (24 for bitnet_b1_58-large)
     * @param settings     clocks and bandwidths, each a projection; the first is the headline (targets, breakdown)
     * @param contexts     decode contexts (positions attended to); the attention runs are measured at these
     * @param prompts      prefill prompt lengths (from position 0)
     * @param readLatency  DDR read latency, cycles
     * @param seed         seed of the tokens
     * @param wholeImage   an image of the same model shape with more layers, whose complete program runs a decode at
     *                     the first context at the headline setting, against the model's prediction for its layers
     *                     (a check of the layer extension at full width), or null
     */
    public record Options(Path image, int layers, List<Setting> settings, List<Integer> contexts, List<Integer> prompts,
            int readLatency, long seed, Path wholeImage) {
        public Options {
            settings = List.copyOf(settings);
            contexts = List.copyOf(contexts);
            prompts = List.copyOf(prompts);
            if (layers < 1 || settings.isEmpty() || contexts.isEmpty() || prompts.isEmpty() || readLatency < 1
                    || contexts.stream().anyMatch(c -> c < 1) || prompts.stream().anyMatch(p -> p < 1)) {
                throw new IllegalArgumentException("layers, settings, contexts, prompts and the latency must be"
                        + " positive and not empty");
            }
        }
    }

    /**
     * Decode at one context.
     *
     * @param clock_mhz             the clock, MHz
     * @param ddr_gbps              the DDR bandwidth, GB/s
     * @param context               positions attended to (the new token's included)
     * @param tokens_per_s          decode tokens per second
     * @param roofline_tokens_per_s the DDR roofline: bandwidth over the bytes a token moves
     * @param of_roofline           {@code tokens_per_s / roofline_tokens_per_s}
     * @param ddr_busy              the share of the call's cycles in which some port moved data
     * @param ddr_share             bytes moved over what the bandwidth could move in the call's cycles
     * @param cycles_per_token      kernel cycles of a decode call
     * @param bytes_per_token       DDR bytes a decode call moves (weights, LM head, KV cache, activations)
     * @param ms_per_token          milliseconds per token
     */
    public record DecodeLine(double clock_mhz, double ddr_gbps, int context, double tokens_per_s,
            double roofline_tokens_per_s, double of_roofline, double ddr_busy, double ddr_share,
            double cycles_per_token, double bytes_per_token, double ms_per_token) {}

    /**
     * Prefill of one prompt, from position 0, in one call.
     *
     * @param clock_mhz             the clock, MHz
     * @param ddr_gbps              the DDR bandwidth, GB/s
     * @param tokens                prompt tokens
     * @param tokens_per_s          prompt tokens per second of the call
     * @param ttft_s                time to first token: the call's seconds (its last token's logits are the first
     *                              generated token's)
     * @param roofline_tokens_per_s the DDR roofline: bandwidth over the bytes per prompt token
     * @param ddr_busy              the share of the call's cycles in which some port moved data
     * @param ddr_share             bytes moved over what the bandwidth could move in the call's cycles
     * @param cycles                kernel cycles of the call
     * @param bytes_per_token       DDR bytes of the call over its tokens
     */
    public record PrefillLine(double clock_mhz, double ddr_gbps, int tokens, double tokens_per_s, double ttft_s,
            double roofline_tokens_per_s, double ddr_busy, double ddr_share, double cycles,
            double bytes_per_token) {}

    /**
     * An instruction of the layer or the model's prologue and tail at the headline setting: where a token's cycles
     * go.
     *
     * @param pc                 its index in the measured program ({@link ProgramCut#measured})
     * @param instruction        what it is
     * @param per_token          how often it runs per decode token ({@link ProgramCut#repeats}: the middle measured
     *                           layer's for every layer but the first and the last)
     * @param decode_cycles      cycles of one execution in the decode run (ATTENTION: at the first context)
     * @param decode_bytes       DDR bytes of one execution in the decode run
     * @param chunk_cycles       cycles of one execution for a full chunk of tokens (LM_HEAD: only its check)
     * @param decode_share       its share of a decode token's cycles at the first context
     */
    public record Term(int pc, String instruction, int per_token, double decode_cycles, double decode_bytes,
            double chunk_cycles, double decode_share) {}

    /**
     * A measured call against the model's prediction.
     *
     * @param run              what ran
     * @param measured_cycles  the kernel's count ({@code cycles} of the call record)
     * @param predicted_cycles the model's
     * @param error            {@code predicted / measured - 1}
     */
    public record Check(String run, long measured_cycles, double predicted_cycles, double error) {
        static Check of(String run, long measured, double predicted) {
            return new Check(run, measured, predicted, predicted / measured - 1);
        }
    }

    /**
     * The attention term's fit: cycles {@code intercept + slope x x}.
     *
     * @param kind        {@code decode} (x: the context) or {@code chunk} (x: a full chunk's first position)
     * @param points      the measured x
     * @param cycles      the measured cycles of one ATTENTION instruction, per point
     * @param intercept   fitted cycles at x = 0
     * @param slope       fitted cycles per position
     * @param max_residual the largest |fit - measured| / measured over the points
     */
    public record AttentionFit(String kind, List<Integer> points, List<Double> cycles, double intercept, double slope,
            double max_residual) {
        static AttentionFit of(String kind, KernelCostModel.Fit fit) {
            return new AttentionFit(kind, fit.xs(), fit.measured().stream().map(KernelCost::cycles).toList(),
                    fit.intercept().cycles(), fit.slope().cycles(), fit.maxResidual());
        }
    }

    /**
     * The model checked against complete runs of a small model.
     *
     * @param config    the build simulated
     * @param model     the model
     * @param layers    its layers (all of them run in the checked calls; the model was measured on the first)
     * @param checks    each complete call against the prediction
     * @param max_error the largest |error|
     */
    public record Validation(String config, String model, int layers, List<Check> checks, double max_error) {}

    /**
     * A figure the issue sets a target for, at the headline setting.
     *
     * @param what   the figure
     * @param value  its projected value
     * @param target the target, as the issue states it
     * @param met    true when the value meets it
     */
    public record Target(String what, double value, String target, boolean met) {}

    /**
     * A published design to compare with (null: not published).
     *
     * @param name                 the design
     * @param decode_tokens_per_s  its decode speed
     * @param prefill_tokens_per_s its prefill speed
     * @param ttft_s               its time to first token, as published
     */
    public record Reference(String name, Double decode_tokens_per_s, Double prefill_tokens_per_s, String ttft_s) {}

    /** TeLLMe's and PD-Swap's published figures on the KV260 (the issue's). */
    public static final List<Reference> REFERENCES = List.of(
            new Reference("TeLLMe", 25.0, 143.0, "0.45-0.96"),
            new Reference("PD-Swap", 27.8, null, null));

    /**
     * How much was simulated.
     *
     * @param build_seconds     elaborating the kernel and building (or loading) its Verilator model
     * @param calls             kernel calls simulated
     * @param simulated_cycles  their cycles
     * @param seconds           wall-clock seconds of those calls
     * @param cycles_per_s      simulated kernel cycles per second
     * @param measured          what ran in Verilator, in words
     */
    public record Simulation(double build_seconds, int calls, long simulated_cycles, double seconds,
            double cycles_per_s, String measured) {}

    /**
     * The projection.
     *
     * @param config            the build
     * @param model             the model projected
     * @param layers            its layers
     * @param simulated_layers  layers of the image (its first {@link ProgramCut#MEASURED_LAYERS} are measured)
     * @param ddr_read_latency  DDR read latency of the DDR model, cycles
     * @param decode            decode at every setting and context
     * @param prefill           prefill at every setting and prompt length
     * @param breakdown         where a decode token's cycles go, at the headline setting
     * @param attention         the attention term's fits at the headline setting
     * @param checks            measured calls of the cut against the model, at every setting
     * @param validation        the model against complete runs of a small model, or null when not run
     * @param targets           the targets at the headline setting
     * @param references        published figures to compare with
     * @param simulation        what was simulated and how fast
     */
    public record Result(String config, String model, int layers, int simulated_layers, int ddr_read_latency,
            List<DecodeLine> decode, List<PrefillLine> prefill, List<Term> breakdown, List<AttentionFit> attention,
            List<Check> checks, Validation validation, List<Target> targets, List<Reference> references,
            Simulation simulation) {}

    /** Hears the benchmark's progress. */
    public interface Listener {
        default void modelReady(double seconds) {}

        /** A call was simulated: what it was, its cycles and the wall-clock seconds it took. */
        default void ran(String what, long cycles, double seconds) {}
    }

    /** Counts what was simulated. */
    private static final class Tally {
        int calls;
        long cycles;
        double seconds;
    }

    /** The measurements of the cut at one DDR cap. */
    private record Measured(KernelCostModel model, ProgramProfiler.Profile decode, ProgramProfiler.Profile prefill) {}

    /** Runs the projection. */
    public static Result run(Options options, Validation validation, Listener listener) {
        try (MemoryImage image = MemoryImage.open(options.image())) {
            AcceleratorConfig build = image.config();
            ImageHeader header = image.header();
            long t0 = System.nanoTime();
            Design<TellmeKernel> design = KernelRunner.design(build);
            VerilatorBuild.of(design).build();
            double ready = (System.nanoTime() - t0) / 1e9;
            listener.modelReady(ready);

            ProgramCut cut = ProgramCut.of(image.program(), header.model().layers());
            Tally tally = new Tally();
            int chunk = build.tlmmConfig().maxTokens();
            List<Integer> starts = chunkStarts(options.prompts(), chunk);
            Map<Double, Measured> byCap = new LinkedHashMap<>();
            KernelCostModel.Fit[] attention = null;
            List<DecodeLine> decode = new ArrayList<>();
            List<PrefillLine> prefill = new ArrayList<>();
            List<Check> checks = new ArrayList<>();
            for (Setting s : options.settings()) {
                // Settings of the same bytes per cycle (16.0 GB/s at 250 MHz, 19.2 at 300) share a measurement.
                double cap = Math.round(s.bytesPerCycle() * 1e6) / 1e6;
                Measured m = byCap.get(cap);
                if (m == null) {
                    m = measure(design, image, cut, s.bytesPerCycle(), options, attention, starts, tally, listener,
                            "at " + fmt(s.bytesPerCycle()) + " B/cycle");
                    if (attention == null) {
                        attention = new KernelCostModel.Fit[] {m.model().decodeAttention(), m.model().chunkAttention()};
                    }
                    byCap.put(cap, m);
                    int measured = cut.measuredLayers();
                    String at = ", " + layers(measured) + ", " + fmt(s.bytesPerCycle()) + " B/cycle";
                    checks.add(Check.of("decode at context " + options.contexts().getFirst() + at,
                            m.decode().status().cycles(),
                            m.model().decodeCall(options.contexts().getFirst(), measured).cycles()));
                    checks.add(Check.of("prefill of " + (chunk + 1) + " tokens" + at,
                            m.prefill().status().cycles(), m.model().prefillCall(chunk + 1, measured).cycles()));
                }
                for (int context : options.contexts()) {
                    decode.add(decodeLine(s, context, m.model().decodeCall(context, options.layers())));
                }
                for (int tokens : options.prompts()) {
                    prefill.add(prefillLine(s, tokens, m.model().prefillCall(tokens, options.layers())));
                }
            }
            Setting headline = options.settings().getFirst();
            KernelCostModel model = byCap.get(Math.round(headline.bytesPerCycle() * 1e6) / 1e6).model();
            if (options.wholeImage() != null) {
                checks.add(wholeDecode(options, headline, model, tally, listener));
            }
            List<Term> breakdown = breakdown(cut, model, options.contexts().getFirst(), options.layers());
            List<AttentionFit> fits = List.of(AttentionFit.of("decode", model.decodeAttention()),
                    AttentionFit.of("chunk", model.chunkAttention()));
            String measuredText = "the " + cut.measuredLayers() + "-layer cut of " + header.modelName() + " ("
                    + cut.measuredLength()
                    + " instructions) on the " + build.name() + " kernel: a decode at context "
                    + options.contexts().getFirst() + " and a prefill of " + (chunk + 1) + " tokens per DDR cap ("
                    + byCap.size() + " caps), and ATTENTION alone at contexts " + options.contexts()
                    + " and chunk starts " + starts;
            return new Result(build.name(), modelName(header), options.layers(), cut.layers(),
                    options.readLatency(), decode, prefill, breakdown, fits, checks, validation,
                    targets(headline, decode, prefill), REFERENCES,
                    new Simulation(ready, tally.calls, tally.cycles, tally.seconds,
                            tally.seconds > 0 ? tally.cycles / tally.seconds : 0, measuredText));
        }
    }

    /**
     * Checks the model against complete runs: {@code image} (a small model; all of its layers run) is measured as
     * {@link #run} measures, on its cut with the attention term fitted at {@code fitContexts}, then its
     * whole program runs a prefill of {@code prompt} tokens and decodes at {@code checkContexts}, each call against
     * the model's prediction for the image's layers.
     */
    public static Validation validate(Path imagePath, Setting setting, int readLatency, List<Integer> fitContexts,
                                      int prompt, List<Integer> checkContexts, long seed, Listener listener) {
        try (MemoryImage image = MemoryImage.open(imagePath)) {
            AcceleratorConfig build = image.config();
            ImageHeader header = image.header();
            Design<TellmeKernel> design = KernelRunner.design(build);
            ProgramCut cut = ProgramCut.of(image.program(), header.model().layers());
            int chunk = build.tlmmConfig().maxTokens();
            Options options = new Options(imagePath, cut.layers(), List.of(setting), fitContexts, List.of(prompt),
                    readLatency, seed, null);
            Tally tally = new Tally();
            Measured m = measure(design, image, cut, setting.bytesPerCycle(), options, null,
                    chunkStarts(List.of(prompt), chunk), tally, listener, "(validation)");
            List<Check> checks = new ArrayList<>();
            try (SimModel sim = SimModel.open(design)) {
                KernelRunner runner = runner(sim, design, image, setting.bytesPerCycle(), readLatency);
                Random random = new Random(seed + 1);
                int vocab = header.model().vocabSize();
                KernelRunner.CallStatus p = call(runner, CallMode.PREFILL, tokens(random, prompt, vocab), 0, tally,
                        listener, "whole model, prefill of " + prompt + " tokens");
                checks.add(Check.of("prefill of " + prompt + " tokens, " + cut.layers() + " layers", p.cycles(),
                        m.model().prefillCall(prompt, cut.layers()).cycles()));
                for (int context : checkContexts) {
                    KernelRunner.CallStatus d = call(runner, CallMode.DECODE, tokens(random, 1, vocab), context - 1,
                            tally, listener, "whole model, decode at context " + context);
                    checks.add(Check.of("decode at context " + context + ", " + cut.layers() + " layers", d.cycles(),
                            m.model().decodeCall(context, cut.layers()).cycles()));
                }
            }
            double worst = checks.stream().mapToDouble(c -> Math.abs(c.error())).max().orElse(0);
            return new Validation(build.name(), modelName(header), cut.layers(), checks, worst);
        }
    }

    /** A decode of the whole image's complete program at the first context, against the model's prediction. */
    private static Check wholeDecode(Options options, Setting setting, KernelCostModel model, Tally tally,
                                     Listener listener) {
        try (MemoryImage whole = MemoryImage.open(options.wholeImage())) {
            ImageHeader header = whole.header();
            int layers = header.model().layers();
            int context = options.contexts().getFirst();
            Design<TellmeKernel> design = KernelRunner.design(whole.config());
            try (SimModel sim = SimModel.open(design)) {
                KernelRunner runner = runner(sim, design, whole, setting.bytesPerCycle(), options.readLatency());
                KernelRunner.CallStatus d = call(runner, CallMode.DECODE, tokens(new Random(options.seed() + 2), 1,
                        header.model().vocabSize()), context - 1, tally, listener, "whole " + layers
                        + "-layer image, decode at context " + context);
                return Check.of("decode at context " + context + ", the whole " + layers + "-layer image, "
                        + fmt(setting.bytesPerCycle()) + " B/cycle", d.cycles(),
                        model.decodeCall(context, layers).cycles());
            }
        }
    }

    /** The first position of a full chunk at the start, the middle and the end of the longest prompt. */
    static List<Integer> chunkStarts(List<Integer> prompts, int chunk) {
        int longest = prompts.stream().mapToInt(Integer::intValue).max().orElseThrow();
        int last = Math.max(0, (longest - 1) / chunk * chunk);
        int middle = last / 2 / chunk * chunk;
        return List.copyOf(new java.util.TreeSet<>(List.of(0, middle, last)));
    }

    /** Measures the cut's program and the attention term at one DDR cap, in a fresh simulation. */
    private static Measured measure(Design<TellmeKernel> design, MemoryImage image, ProgramCut cut,
                                    double bytesPerCycle, Options options, KernelCostModel.Fit[] attention,
                                    List<Integer> starts, Tally tally, Listener listener, String label) {
        ImageHeader header = image.header();
        int chunk = image.config().tlmmConfig().maxTokens();
        int vocab = header.model().vocabSize();
        Random random = new Random(options.seed());
        try (SimModel sim = SimModel.open(design)) {
            KernelRunner runner = runner(sim, design, image, bytesPerCycle, options.readLatency());
            String layers = layers(cut.measuredLayers());
            writeProgram(runner, header, cut.measured());
            ProgramProfiler.Profile prefill = profile(runner, header, cut.measuredLength(), CallMode.PREFILL,
                    tokens(random, chunk + 1, vocab), 0, tally, listener, layers + ", prefill of " + (chunk + 1)
                    + " tokens " + label);
            int firstContext = options.contexts().getFirst();
            ProgramProfiler.Profile decode = profile(runner, header, cut.measuredLength(), CallMode.DECODE,
                    tokens(random, 1, vocab), firstContext - 1, tally, listener, layers + ", decode at context "
                    + firstContext + " " + label);
            if (prefill.chunks() != 2 || decode.chunks() != 1) {
                throw new IllegalStateException("the runs of the cut took " + prefill.chunks() + " and "
                        + decode.chunks() + " chunks, not 2 and 1");
            }
            KernelCostModel.Fit decodeFit;
            KernelCostModel.Fit chunkFit;
            if (attention != null) {
                decodeFit = attention[0];
                chunkFit = attention[1];
            } else {
                List<Instruction> alone = cut.attentionOnly();
                writeProgram(runner, header, alone);
                List<KernelCost> decodeCosts = new ArrayList<>();
                for (int context : options.contexts()) {
                    ProgramProfiler.Profile p = profile(runner, header, alone.size(), CallMode.DECODE,
                            tokens(random, 1, vocab), context - 1, tally, listener, "attention, decode at context "
                            + context);
                    decodeCosts.add(KernelCost.of(p.step(0, 1)));
                }
                List<KernelCost> chunkCosts = new ArrayList<>();
                for (int start : starts) {
                    ProgramProfiler.Profile p = profile(runner, header, alone.size(), CallMode.PREFILL,
                            tokens(random, chunk, vocab), start, tally, listener, "attention, a chunk at position "
                            + start);
                    chunkCosts.add(KernelCost.of(p.step(0, 1)));
                }
                decodeFit = KernelCostModel.Fit.of(options.contexts(), decodeCosts);
                chunkFit = KernelCostModel.Fit.of(starts, chunkCosts);
            }
            writeProgram(runner, header, image.program());
            KernelCostModel model = new KernelCostModel(cut, chunk, firstContext, costs(decode, 0, cut),
                    costs(prefill, 0, cut),
                    costs(prefill, 1, cut), new KernelCost(decode.headCycles(), decode.headBytes(), decode.headBusy()),
                    new KernelCost(prefill.headCycles(), prefill.headBytes(), prefill.headBusy()), decodeFit, chunkFit);
            return new Measured(model, decode, prefill);
        }
    }

    private static List<KernelCost> costs(ProgramProfiler.Profile profile, int chunk, ProgramCut cut) {
        List<ProgramProfiler.Step> steps = profile.chunk(chunk);
        if (steps.size() != cut.measuredLength()) {
            throw new IllegalStateException("chunk " + chunk + " ran " + steps.size() + " instructions, not the "
                    + cut.measuredLength() + " of the measured program");
        }
        return steps.stream().map(KernelCost::of).toList();
    }

    private static KernelRunner runner(SimModel sim, Design<TellmeKernel> design, MemoryImage image,
                                       double bytesPerCycle, int readLatency) {
        ImageHeader header = image.header();
        IoRegion io = new IoRegion(header.context(), header.model().vocabSize());
        return new KernelRunner(sim, design.top(), image.bytes(), header.kvCacheBytes(), io.debugOffset(),
                AxiMemoryConfig.DEFAULT.withLatency(readLatency, WRITE_LATENCY).withBandwidth(bytesPerCycle));
    }

    /** Writes {@code program} over the start of the program in the DDR model's copy of the image. */
    private static void writeProgram(KernelRunner runner, ImageHeader header, List<Instruction> program) {
        MemorySegment ddr = runner.image();
        for (int i = 0; i < program.size(); i++) {
            MemorySegment.copy(MemorySegment.ofArray(program.get(i).encode()), 0, ddr,
                    header.programOffset() + (long) Instruction.BYTES * i, Instruction.BYTES);
        }
    }

    private static ProgramProfiler.Profile profile(KernelRunner runner, ImageHeader header, int instructions,
                                                   CallMode mode, int[] tokens, int start, Tally tally,
                                                   Listener listener, String what) {
        long t0 = System.nanoTime();
        ProgramProfiler.Profile p = ProgramProfiler.run(runner, mode, tokens, start, 0, 0, header.programOffset(),
                instructions, MAX_CALL_CYCLES);
        checkSucceeded(p.status(), what);
        count(tally, listener, what, p.status().cycles(), t0);
        return p;
    }

    private static KernelRunner.CallStatus call(KernelRunner runner, CallMode mode, int[] tokens, int start,
                                                Tally tally, Listener listener, String what) {
        long t0 = System.nanoTime();
        KernelRunner.CallStatus status = runner.call(mode, tokens, start, 0, 0, MAX_CALL_CYCLES);
        checkSucceeded(status, what);
        count(tally, listener, what, status.cycles(), t0);
        return status;
    }

    private static void count(Tally tally, Listener listener, String what, long cycles, long t0) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        tally.calls++;
        tally.cycles += cycles;
        tally.seconds += seconds;
        listener.ran(what, cycles, seconds);
    }

    private static void checkSucceeded(KernelRunner.CallStatus status, String what) {
        if (status.errorCode() != ErrorCode.NONE.code()) {
            ErrorCode code = ErrorCode.ofCode(status.errorCode());
            throw new IllegalStateException("the kernel failed the benchmark's call (" + what + ") with "
                    + (code != null ? code : "error code " + status.errorCode()) + ", detail "
                    + Integer.toUnsignedString(status.errorDetail()));
        }
    }

    private static int[] tokens(Random random, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = random.nextInt(vocab);
        }
        return t;
    }

    private static DecodeLine decodeLine(Setting s, int context, KernelCost call) {
        double seconds = call.cycles() / (s.clock_mhz() * 1e6);
        double roofline = s.ddr_gbps() * 1e9 / call.bytes();
        return new DecodeLine(s.clock_mhz(), s.ddr_gbps(), context, 1 / seconds, roofline, (1 / seconds) / roofline,
                call.busyCycles() / call.cycles(), call.bytes() / (call.cycles() * s.bytesPerCycle()), call.cycles(),
                call.bytes(), seconds * 1e3);
    }

    private static PrefillLine prefillLine(Setting s, int tokens, KernelCost call) {
        double seconds = call.cycles() / (s.clock_mhz() * 1e6);
        double perToken = call.bytes() / tokens;
        return new PrefillLine(s.clock_mhz(), s.ddr_gbps(), tokens, tokens / seconds, seconds,
                s.ddr_gbps() * 1e9 / perToken, call.busyCycles() / call.cycles(),
                call.bytes() / (call.cycles() * s.bytesPerCycle()), call.cycles(), perToken);
    }

    private static List<Term> breakdown(ProgramCut cut, KernelCostModel model, int context, int layers) {
        double total = model.decodeCall(context, layers).cycles();
        List<Term> terms = new ArrayList<>();
        List<Instruction> program = cut.measured();
        for (int pc = 0; pc < cut.measuredLength(); pc++) {
            int count = cut.repeats(pc, layers);
            KernelCost d = model.decodeStep(pc, context);
            terms.add(new Term(pc, describe(program.get(pc)), count, d.cycles(), d.bytes(),
                    model.chunk().get(pc).cycles(),
                    count * d.cycles() / total));
        }
        return terms;
    }

    private static String layers(int n) {
        return n == 1 ? "one layer" : n + " layers";
    }

    /** An instruction in a few words: its opcode and its shape. */
    static String describe(Instruction in) {
        return switch (in.opcode()) {
            case LINEAR -> "LINEAR " + in.get("rows") + "x" + in.get("cols") + " " + in.getEpilogue("epilogue");
            case QUANTIZE -> "QUANTIZE " + in.get("length") + (in.getFlag("norm") ? " norm" : "");
            case LM_HEAD -> "LM_HEAD " + in.get("rows") + "x" + in.get("cols");
            case EMBED -> "EMBED " + in.get("dim");
            default -> in.opcode().name();
        };
    }

    private static List<Target> targets(Setting headline, List<DecodeLine> decode, List<PrefillLine> prefill) {
        List<Target> out = new ArrayList<>();
        if (headline.clock_mhz() != 300 || headline.ddr_gbps() != 16.0) {
            return out;
        }
        decode.stream().filter(d -> d.clock_mhz() == 300 && d.ddr_gbps() == 16.0 && d.context() == 128).findFirst()
                .ifPresent(d -> {
                    out.add(new Target("decode tokens/s at context 128", d.tokens_per_s(), ">= 70",
                            d.tokens_per_s() >= 70));
                    out.add(new Target("decode at context 128, share of its DDR roofline", d.of_roofline(), ">= 0.90",
                            d.of_roofline() >= 0.9));
                });
        prefill.stream().filter(p -> p.clock_mhz() == 300 && p.ddr_gbps() == 16.0 && p.tokens() == 128).findFirst()
                .ifPresent(p -> {
                    out.add(new Target("prefill tokens/s, 128-token prompt", p.tokens_per_s(), ">= 400",
                            p.tokens_per_s() >= 400));
                    out.add(new Target("TTFT of a 128-token prompt, s", p.ttft_s(), "<= 0.35", p.ttft_s() <= 0.35));
                });
        return out;
    }

    private static String modelName(ImageHeader header) {
        var m = header.model();
        return header.modelName() + " (hidden " + m.dim() + ", FFN " + m.ffnDim() + ", " + m.heads() + " heads of "
                + m.headDim() + ", " + m.kvHeads() + " KV heads, vocabulary " + m.vocabSize() + ")";
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /**
     * The image of a synthetic model of bitnet_b1_58-large's shape (hidden 1,536, FFN 4,096, 16 heads of 96,
     * vocabulary 32,002, random ternary weights) with {@code layers} layers for {@code build} at {@code context}
     * positions, in {@code dir}: packed once, then reused while it opens (an image of an older build is packed
     * again).
     */
    public static Path syntheticImage(AcceleratorConfig build, int layers, int context, Path dir) {
        SyntheticModel.Shape shape = new SyntheticModel.Shape("bitnet", layers, 1536, 16, 16, 4096, 32002,
                Activation.SILU, true, 2048);
        String name = "synthetic-bitnet-" + layers + "x1536-ffn4096-v32002-seed1-" + build.name() + "-c" + context;
        return packOnce(dir.resolve(name + ".tlmi"), build, context, (gguf) -> SyntheticModel.write(shape, 1, gguf),
                name);
    }

    /** The image of the embedded stories260K student for {@code build} at {@code context} positions, in {@code dir}. */
    public static Path studentImage(AcceleratorConfig build, int context, Path dir) {
        String name = "stories260K-ternary-" + build.name() + "-c" + context;
        return packOnce(dir.resolve(name + ".tlmi"), build, context,
                (gguf) -> copy(EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir), gguf), "stories260K-ternary-qat");
    }

    private interface GgufMaker {
        void write(Path gguf);
    }

    private static Path packOnce(Path image, AcceleratorConfig build, int context, GgufMaker maker, String name) {
        if (Files.isRegularFile(image)) {
            try (MemoryImage existing = MemoryImage.open(image)) {
                if (existing.header().context() == context) {
                    return image;
                }
            } catch (RuntimeException stale) {
                // another build's or a damaged image: packed again below
            }
        }
        try {
            Files.createDirectories(image.getParent());
            Path gguf = Files.createTempFile(image.getParent(), "model", ".gguf");
            try {
                maker.write(gguf);
                try (GgufFile file = GgufFile.open(gguf)) {
                    ImagePacker.pack(WeightLoader.gguf(file), file, name, build, context, image, true,
                            ImagePacker.Progress.NONE);
                }
            } finally {
                Files.deleteIfExists(gguf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return image;
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
