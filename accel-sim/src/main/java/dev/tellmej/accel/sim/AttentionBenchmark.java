package dev.tellmej.accel.sim;

import dev.tellmej.accel.attention.AttentionShape;
import dev.tellmej.accel.attention.AttentionUnit;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.SimModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Cycle counts of a build's {@link AttentionUnit} in Verilator for decode at several contexts and prefill of
 * several prompt lengths, for attention shapes of real models, against the bound
 * {@code max(KV bytes / DDR bytes per cycle, MACs / MACs per cycle)}; every output is also checked bit for bit
 * against N15 ({@link AttentionRunner#expected}). Used by {@code tellme bench attention}.
 *
 * <p>One KV head is simulated per case: a layer is {@code kv_heads} such commands, identical in work and
 * timing (the DDR model has no jitter here), so a layer's cycles are {@code kv_heads} times the head's.
 */
public final class AttentionBenchmark {
    /**
     * A model's attention shape.
     *
     * @param name    how it is reported
     * @param heads   query heads
     * @param kvHeads key/value heads
     * @param headDim d
     * @param layers  decoder blocks (for the whole-model times)
     */
    public record HeadShape(String name, int heads, int kvHeads, int headDim, int layers) {
        /** bitnet_b1_58-large: 16 heads of 96, MHA, 24 layers. */
        public static final HeadShape BITNET_LARGE = new HeadShape("bitnet_b1_58-large", 16, 16, 96, 24);
        /** A GQA shape: 32 query heads sharing 8 KV heads of 128 (Llama-3-8B-like), 32 layers. */
        public static final HeadShape GQA = new HeadShape("gqa-32x8x128", 32, 8, 128, 32);

        /** Query heads per KV head. */
        public int group() {
            return heads / kvHeads;
        }
    }

    /**
     * What to measure.
     *
     * @param build         the accelerator build
     * @param shapes        the attention shapes
     * @param contexts      decode contexts (positions attended to)
     * @param prompts       prefill prompt lengths (from position 0)
     * @param latency       DDR read latency, cycles
     * @param bytesPerCycle DDR bandwidth, bytes per cycle (the bound's; the memory model is capped at it)
     * @param clockMhz      the clock the times are reported at (MHz)
     * @param seed          seed of the random data
     */
    public record Options(AcceleratorConfig build, List<HeadShape> shapes, List<Integer> contexts,
            List<Integer> prompts, int latency, double bytesPerCycle, double clockMhz, long seed) {
        public Options {
            shapes = List.copyOf(shapes);
            contexts = List.copyOf(contexts);
            prompts = List.copyOf(prompts);
            int max = build.limits().context();
            if (contexts.stream().anyMatch(n -> n < 1 || n > max) || prompts.stream().anyMatch(n -> n < 1 || n > max)) {
                throw new IllegalArgumentException("contexts and prompt lengths must be 1 to the " + build.name()
                        + " build's context of " + max + ", got " + contexts + " and " + prompts);
            }
            if (latency < 1 || !(bytesPerCycle > 0) || !(clockMhz > 0)) {
                throw new IllegalArgumentException("latency, bandwidth and clock must be positive");
            }
        }

        /**
         * The figures for {@code build}: decode at 128 to 4,096 positions and prefill of 64, 128 and 512
         * tokens (those within the build's context), bitnet_b1_58-large's shape and the GQA shape, the DDR's
         * peak at the build's target clock.
         */
        public static Options of(AcceleratorConfig build, int latency, double clockMhz, long seed) {
            int max = build.limits().context();
            List<Integer> contexts = List.of(128, 512, 1024, 2048, 4096).stream().filter(n -> n <= max).toList();
            List<Integer> prompts = List.of(64, 128, 512).stream().filter(n -> n <= max).toList();
            return new Options(build, List.of(HeadShape.BITNET_LARGE, HeadShape.GQA), contexts, prompts, latency,
                    build.memory().ddrPeakGBps() * 1000.0 / clockMhz, clockMhz, seed);
        }
    }

    /**
     * One case, for a whole layer (all KV heads).
     *
     * @param shape              the attention shape's name
     * @param kind               {@code decode} or {@code prefill}
     * @param tokens             decode: the context (positions attended to); prefill: the prompt length
     * @param commands           unit commands per KV head
     * @param headCycles         {@code layerCycles / kv_heads}: a KV head's share of the layer
     * @param layerCycles        the first KV head's commands plus {@code kv_heads - 1} times what each further
     *                           head adds, all sent back to back (the unit scores a command while it runs the value
     *                           pass of the one before): measured over {@value #DECODE_HEADS} heads in decode and
     *                           {@value #PREFILL_HEADS} in prefill (fewer where the shape has fewer)
     * @param kvBytes            K and V bytes the layer reads from DDR (measured for the heads, per head times
     *                           kv_heads)
     * @param macs               multiply-adds of the layer's scores and weighted values
     * @param kvBoundCycles      {@code kvBytes / bytesPerCycle}
     * @param computeBoundCycles {@code macs / macsPerCycle}
     * @param efficiency         {@code max(kvBoundCycles, computeBoundCycles) / layerCycles} (1 = at the bound)
     * @param kvEfficiency       {@code kvBoundCycles / layerCycles}: the fraction of the DDR roofline reached
     * @param layerMicros        a layer at the clock, microseconds
     * @param modelMillis        every layer of the model at the clock, milliseconds
     * @param exact              every slot's output equals N15's
     */
    public record Case(String shape, String kind, int tokens, int commands, long headCycles, long layerCycles,
            long kvBytes, long macs, double kvBoundCycles, double computeBoundCycles, double efficiency,
            double kvEfficiency, double layerMicros, double modelMillis, boolean exact) {}

    /**
     * The figures.
     *
     * @param config            the build
     * @param slots             queries per command
     * @param macsPerCycle      the unit's multiply-adds per cycle: 2PW (a pass beat of P x W values a cycle on the
     *                          score pass's lanes and one on the value pass's, which run at once for two commands)
     * @param portBytesPerCycle each of the unit's ports, bytes per cycle
     * @param portsPerPass      P: the K ports, and the V ports
     * @param bytesPerCycle     the DDR bandwidth of the bound and the memory model
     * @param clockMhz          the clock
     * @param ddrGBps           {@code bytesPerCycle} at the clock, GB/s
     * @param latency           DDR read latency, cycles
     * @param seed              the seed
     * @param modelReadySeconds elaboration and Verilator builds (or cache lookups), seconds
     * @param cases             decode cases then prefill cases, per shape
     */
    public record Result(String config, int slots, int macsPerCycle, int portBytesPerCycle, int portsPerPass,
            double bytesPerCycle,
            double clockMhz, double ddrGBps, int latency, long seed, double modelReadySeconds, List<Case> cases) {
        public Result {
            cases = List.copyOf(cases);
        }

        /** Cases whose outputs differ from N15's. */
        public long inexact() {
            return cases.stream().filter(c -> !c.exact()).count();
        }
    }

    /** Hears the benchmark's progress. */
    public interface Listener {
        default void modelReady(String shape, double seconds) {}

        default void measured(Case c) {}
    }

    /** KV heads simulated back to back for a decode case. */
    public static final int DECODE_HEADS = 3;
    /** KV heads simulated back to back for a prefill case. */
    public static final int PREFILL_HEADS = 2;

    private AttentionBenchmark() {}

    /** Builds a unit per head dimension and measures every case. */
    public static Result run(Options options, Listener listener) {
        AttentionShape base = AttentionShape.of(options.build());
        List<Case> cases = new ArrayList<>();
        double ready = 0;
        for (HeadShape head : options.shapes()) {
            AttentionShape unit = base.withMaxHeadDim(Math.max(base.maxHeadDim(), head.headDim()));
            if (head.group() > unit.slots()) {
                throw new IllegalArgumentException(head.name() + " has " + head.group() + " query heads per KV head,"
                        + " more than the unit's " + unit.slots() + " slots");
            }
            long t0 = System.nanoTime();
            Design<AttentionUnit> design = Hdl.elaborate(() -> new AttentionUnit(unit));
            try (SimModel sim = SimModel.open(design)) {
                double seconds = (System.nanoTime() - t0) / 1e9;
                ready += seconds;
                listener.modelReady(head.name(), seconds);
                AxiMemory ddr = sim.axiMemory((int) AttentionRunner.memoryBytes(unit, DECODE_HEADS),
                        AxiMemoryConfig.DEFAULT.withLatency(options.latency(),
                                4).withBandwidth(options.bytesPerCycle()));
                AttentionRunner runner = new AttentionRunner(sim, design.top(), ddr, new Random(options.seed()), 1.0,
                        1.0);
                sim.reset();
                Random random = new Random(options.seed() + 1);
                for (int n : options.contexts()) {
                    List<List<AttentionRunner.Job>> heads = new ArrayList<>();
                    for (int h = 0; h < Math.min(DECODE_HEADS, head.kvHeads()); h++) {
                        heads.add(List.of(AttentionRunner.randomJob(random, unit.storage(), n, 1, head.group(),
                                head.headDim())));
                    }
                    cases.add(measure(options, unit, head, "decode", n, heads, runner, listener));
                }
                for (int n : options.prompts()) {
                    List<List<AttentionRunner.Job>> heads = new ArrayList<>();
                    for (int h = 0; h < Math.min(PREFILL_HEADS, head.kvHeads()); h++) {
                        heads.add(prefill(random, unit, head, n));
                    }
                    cases.add(measure(options, unit, head, "prefill", n, heads, runner, listener));
                }
            }
        }
        return new Result(options.build().name(), base.slots(), 2 * base.passWidth(), base.bursts().axi().dataBytes(),
                base.ports(), options.bytesPerCycle(), options.clockMhz(), options.bytesPerCycle() * options.clockMhz() / 1000,
                options.latency(), options.seed(), ready, cases);
    }

    /**
     * A prompt of {@code n} tokens from position 0 as commands of the kernel's blocks ({@code blockTokens}), in the
     * kernel's order: from the last block back (a shorter one at the start).
     */
    private static List<AttentionRunner.Job> prefill(Random random, AttentionShape unit, HeadShape head, int n) {
        AttentionRunner.Job all = AttentionRunner.randomJob(random, unit.storage(), 1, n, head.group(), head.headDim());
        int perCommand = unit.blockTokens(head.group());
        List<AttentionRunner.Job> jobs = new ArrayList<>();
        for (int end = n; end > 0; end -= Math.min(perCommand, end)) {
            int tokens = Math.min(perCommand, end);
            int first = end - tokens;
            short[][] queries = Arrays.copyOfRange(all.queries(), first * head.group(), (first
                    + tokens) * head.group());
            jobs.add(new AttentionRunner.Job(first + 1, tokens, head.group(), head.headDim(), all.keys(), all.values(),
                    queries));
        }
        return jobs;
    }

    /**
     * Runs each KV head's commands, the heads one after the other, all sent back to back, and extends the
     * measurement to the layer: the first head's cycles plus {@code kv_heads - 1} times what each further head
     * added.
     */
    private static Case measure(Options options, AttentionShape unit, HeadShape head, String kind, int tokens,
                                List<List<AttentionRunner.Job>> heads, AttentionRunner runner, Listener listener) {
        List<AttentionRunner.Job> jobs = new ArrayList<>();
        List<Integer> headOf = new ArrayList<>();
        long work = 0;
        for (int h = 0; h < heads.size(); h++) {
            for (AttentionRunner.Job job : heads.get(h)) {
                jobs.add(job);
                headOf.add(h);
                work += (long) job.lastPositions() * job.headDim() / unit.width() * 2 * job.queries().length;
            }
        }
        List<AttentionRunner.Run> runs = runner.runAll(jobs, headOf, 100_000L * jobs.size() + 4 * work);
        long bytes = runs.getLast().bytesRead();
        long macs = 0;
        boolean exact = true;
        for (int i = 0; i < jobs.size() && exact; i++) {
            AttentionRunner.Job job = jobs.get(i);
            AttentionRunner.Run run = runs.get(i);
            exact = run.doneCode() == 0;
            for (int s = 0; s < job.queries().length && exact; s++) {
                macs += 2L * job.positions(s) * job.headDim();
                exact = Arrays.equals(AttentionRunner.expected(job, s, unit.lanes(), unit.storage()), run.outputs()[s]);
            }
        }
        int perHead = heads.getFirst().size();
        long first = runs.get(perHead - 1).cycles();
        long all = runs.getLast().cycles();
        int n = heads.size();
        long layerCycles = n == 1 ? first * head.kvHeads()
                : first + Math.round((double) (all - first) / (n - 1) * (head.kvHeads() - 1));
        long layerBytes = bytes / n * head.kvHeads();
        long layerMacs = macs / n * head.kvHeads();
        double kvBound = layerBytes / options.bytesPerCycle();
        double computeBound = (double) layerMacs / (2 * unit.passWidth());
        double micros = layerCycles / options.clockMhz();
        Case c = new Case(head.name(), kind, tokens, perHead, layerCycles / head.kvHeads(), layerCycles, layerBytes,
                layerMacs, kvBound, computeBound, Math.max(kvBound, computeBound) / layerCycles, kvBound / layerCycles,
                micros, micros * head.layers() / 1000, exact);
        listener.measured(c);
        return c;
    }
}
