package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.tlmm.TlmmCommand;
import dev.tellmej.accel.tlmm.TlmmCommandUnit;
import dev.tellmej.accel.tlmm.TlmmConfig;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.hdl.Data;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.model.EmbeddedModel;
import dev.tellmej.model.config.ConfigReader;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * {@link TlmmCommandUnit} in Verilator against {@link TlmmLayout#command}, for both named builds: every field of
 * every answer equal to the Java layout's command, and a refusal exactly where the Java layout throws, for the
 * real models' linear shapes and for thousands of seeded random requests across the whole 16-bit range (the
 * edges 0, 1, the maxima and one past them), back to back with random backpressure on the answers; and the
 * cycles the unit takes, as {@link TlmmCommandUnit#latency} documents them.
 */
class TlmmCommandUnitTest {
    private static final int COMMAND_BITS = Hdl.widthOf(TlmmEngine.commandShape());

    /** One request: rows, cols, the weight image's address, tokens. */
    private record Request(int rows, int cols, long address, int tokens) {
        BigInteger payload() {
            return BigInteger.valueOf(tokens).shiftLeft(96).or(BigInteger.valueOf(address).shiftLeft(32))
                    .or(BigInteger.valueOf((long) cols << 16 | rows));
        }

        /** The Java layout's command, or null where it refuses the request. */
        TlmmCommand expected(TlmmConfig config) {
            try {
                return new TlmmLayout(config, rows, cols).command(address, tokens);
            } catch (InvalidParameterException | IllegalArgumentException refused) {
                return null;
            }
        }

        @Override
        public String toString() {
            return rows + " x " + cols + ", " + tokens + " tokens at 0x" + Long.toHexString(address);
        }
    }

    /** The unit in a simulation, with its request driver, answer monitor and each transfer's cycle. */
    private static final class Bench implements CycleListener {
        final TlmmCommandUnit unit;
        final SimModel sim;
        final StreamDriver requests;
        final StreamMonitor answers;
        final List<Long> requestCycles = new ArrayList<>();
        final List<Long> answerCycles = new ArrayList<>();

        Bench(SimFixture fixture, TlmmConfig config, Random random, double answerReady) {
            Design<TlmmCommandUnit> design = Hdl.elaborate(() -> new TlmmCommandUnit(config));
            unit = design.top();
            sim = fixture.open(design);
            requests = new StreamDriver(sim, unit.request, new Random(random.nextLong()), 1.0);
            answers = new StreamMonitor(sim, unit.answer, new Random(random.nextLong()), answerReady);
            sim.onCycle(this);
            sim.reset();
        }

        @Override
        public void beforeEdge(SimModel model, long cycle) {
            if (fires(unit.request.valid, unit.request.ready)) {
                requestCycles.add(cycle);
            }
            if (fires(unit.answer.valid, unit.answer.ready)) {
                answerCycles.add(cycle);
            }
        }

        private boolean fires(Data valid, Data ready) {
            return sim.peek(valid) != 0 && sim.peek(ready) != 0;
        }

        /** Sends every request back to back and returns the answers, in order. */
        List<BigInteger> run(List<Request> batch) {
            int before = answers.count();
            for (Request request : batch) {
                requests.push(request.payload());
            }
            sim.runUntil(() -> answers.count() - before == batch.size(), 400L * batch.size() + 1_000);
            return answers.received().subList(before, before + batch.size());
        }
    }

    /**
     * The build's largest linears (its hidden and FFN maxima), bitnet_b1_58-large's (hidden 1,536, FFN 4,096), the
     * embedded stories260K student's, and the most rows with the widest row the build accepts.
     */
    private static List<int[]> modelShapes(AcceleratorConfig build) {
        Set<List<Integer>> shapes = new LinkedHashSet<>();
        int hidden = build.limits().hidden();
        int ffn = build.limits().ffn();
        shapes.add(List.of(hidden, hidden));
        shapes.add(List.of(ffn, hidden));
        shapes.add(List.of(hidden, ffn));
        shapes.add(List.of(1536, 1536));
        shapes.add(List.of(4096, 1536));
        shapes.add(List.of(1536, 4096));
        Path file = EmbeddedModel.STORIES_260K_TERNARY.extractTo(Path.of("target", "models").toAbsolutePath());
        ModelConfig student = ConfigReader.fromFile(file);
        shapes.add(List.of(student.qDim(), student.dim()));       // q
        shapes.add(List.of(student.kvDim(), student.dim()));      // k, v
        shapes.add(List.of(student.dim(), student.qDim()));       // o
        shapes.add(List.of(student.ffnDim(), student.dim()));     // gate, up
        shapes.add(List.of(student.dim(), student.ffnDim()));     // down
        TlmmConfig config = build.tlmmConfig();
        shapes.add(List.of(65535, Math.min(config.maxBlocks(), config.halfDepth()) * config.blockInputs()));
        return shapes.stream().map(s -> new int[] {s.get(0), s.get(1)}).toList();
    }

    @SimTest
    void realModelShapesGiveTheLayoutsCommandsInTheDocumentedCycles(SimFixture fixture) {
        Random random = fixture.random();
        for (AcceleratorConfig build : AcceleratorConfig.named().values()) {
            TlmmConfig config = build.tlmmConfig();
            Bench bench = new Bench(fixture, config, random, 1.0);
            List<Request> batch = new ArrayList<>();
            for (int[] shape : modelShapes(build)) {
                for (int tokens : new int[] {1, config.maxTokens(), 100}) {
                    batch.add(new Request(shape[0], shape[1], (1 + random.nextInt(1 << 20)) * 4096L, tokens));
                }
            }
            check(config, batch, bench.run(batch));
            for (int i = 0; i < batch.size(); i++) {
                Request request = batch.get(i);
                long cycles = bench.answerCycles.get(i) - bench.requestCycles.get(i);
                boolean refused = request.expected(config) == null;
                int documented = refused ? TlmmCommandUnit.REFUSAL_LATENCY : bench.unit.latency(request.cols());
                if (request.tokens() == 1) {
                    System.out.printf(Locale.ROOT, "%s %d x %d: %s in %d cycles%n", config.name(), request.rows(),
                            request.cols(), refused ? "refused" : "command", cycles);
                }
                assertEquals(documented, cycles, config.name() + ": cycles from the request to the answer of "
                        + request);
            }
        }
    }

    @SimTest
    void thousandsOfRandomRequestsBackToBackUnderBackpressure(SimFixture fixture) {
        Random random = fixture.random();
        for (AcceleratorConfig build : AcceleratorConfig.named().values()) {
            TlmmConfig config = build.tlmmConfig();
            Bench bench = new Bench(fixture, config, random, 0.3 + 0.6 * random.nextDouble());
            List<Request> batch = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                batch.add(randomRequest(config, random));
            }
            check(config, batch, bench.run(batch));
            long refusals = batch.stream().filter(r -> r.expected(config) == null).count();
            System.out.printf(Locale.ROOT, "%s: %d random requests, %d refused, all equal to TlmmLayout%n",
                    config.name(), batch.size(), refusals);
            assertTrue(refusals > 200 && refusals < batch.size() - 2000, "both kinds are exercised: " + refusals);
        }
    }

    /** A request near an edge a quarter of the time, else anywhere (mostly shapes the build accepts). */
    private static Request randomRequest(TlmmConfig config, Random random) {
        int block = config.blockInputs();
        int maxCols = Math.min(config.maxBlocks(), config.halfDepth()) * block;
        int fullTileCols = config.halfDepth() / config.maxGroups() * block;
        int q = config.columns();
        int[] rowEdges = {0, 1, 2, q - 1, q, q + 1, q * config.maxGroups(), q * config.maxGroups() + 1, 65534, 65535};
        int[] colEdges = {0, 1, 2, 3, 4, block - 1, block, block + 1, fullTileCols, fullTileCols + 1, maxCols - 1,
            maxCols, maxCols + 1, 65535};
        int rows = random.nextInt(4) == 0 ? rowEdges[random.nextInt(rowEdges.length)]
                : random.nextBoolean() ? 1 + random.nextInt(65535) : 1 + random.nextInt(8 * q * config.maxGroups());
        int cols = random.nextInt(4) == 0 ? colEdges[random.nextInt(colEdges.length)]
                : random.nextInt(8) == 0 ? random.nextInt(65536) : 1 + random.nextInt(maxCols + block);
        int tokens = random.nextInt(10) == 0 ? new int[] {0, 1, config.maxTokens(), 65535}[random.nextInt(4)]
                : 1 + random.nextInt(4 * config.maxTokens());
        long address = (random.nextLong() >>> 1) & ~4095L;
        if (random.nextInt(20) == 0) {
            address |= 1L << random.nextInt(12);
        }
        return new Request(rows, cols, address, tokens);
    }

    /** Every answer is the Java layout's command, field for field, or a refusal exactly where it throws. */
    private static void check(TlmmConfig config, List<Request> batch, List<BigInteger> answers) {
        assertEquals(batch.size(), answers.size());
        for (int i = 0; i < batch.size(); i++) {
            Request request = batch.get(i);
            BigInteger answer = answers.get(i);
            boolean refused = answer.testBit(COMMAND_BITS);
            TlmmCommand expected = request.expected(config);
            String where = config.name() + ", request " + i + " (" + request + "): ";
            if (expected == null) {
                assertTrue(refused, where + "TlmmLayout refuses it, the unit answered " + fields(answer));
            } else if (refused) {
                fail(where + "refused, but TlmmLayout's command is " + fields(expected.payload()));
            } else {
                BigInteger command = answer.subtract(answer.shiftRight(COMMAND_BITS).shiftLeft(COMMAND_BITS));
                assertEquals(fields(expected.payload()), fields(command), where + "the command differs");
            }
        }
    }

    /** A command payload as {@code name = value} per field, for messages that say which field differs. */
    private static String fields(BigInteger payload) {
        StringBuilder text = new StringBuilder();
        RecordComponent[] names = TlmmCommand.class.getRecordComponents();
        List<Data> leaves = Hdl.leaves(TlmmEngine.commandShape());
        int shift = 0;
        for (int f = 0; f < leaves.size(); f++) {
            int width = leaves.get(f).width();
            BigInteger value = payload.shiftRight(shift).and(BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE));
            text.append(f == 0 ? "" : ", ").append(names[f].getName()).append(" = ").append(value);
            shift += width;
        }
        return text.toString();
    }
}
