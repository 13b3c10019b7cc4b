package dev.tellmej.accel.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.lmhead.LmHeadShape;
import dev.tellmej.accel.lmhead.LmHeadUnit;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.model.inference.LmHead;
import dev.tellmej.model.numerics.ActivationQuantizer;
import dev.tellmej.model.sample.Sampler;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.CycleListener;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@link LmHeadUnit} in Verilator against the AXI memory model, bit for bit against NUMERICS.md N16 as the
 * reference device computes it ({@code (float) dot(q_j, x) * (rowScale_j * (mc * INV127))}) and Java's argmax:
 * row counts that are not multiples of the lanes, hidden sizes of one beat to the maximum, sums beyond 2^24
 * (rounded to binary32), all-zero rows (scale 0), repeated rows (ties: the lowest index), mc of 0 (every logit
 * 0), under random DDR latency, bandwidth caps and logit backpressure; refused commands and an SLVERR on a row.
 */
class LmHeadUnitTest {
    private static final long WEIGHTS = 0x10000;

    private record Case(LmHead head, byte[] x, float mc) {}

    private static final class Bench {
        final SimModel sim;
        final LmHeadUnit top;
        final AxiMemory memory;
        final StreamDriver commands;
        final StreamDriver activations;
        final StreamMonitor logits;
        final List<long[]> dones = new ArrayList<>();

        Bench(SimFixture fixture, LmHeadShape shape, AxiMemoryConfig ddr, double logitReady) {
            Design<LmHeadUnit> design = Hdl.elaborate(() -> new LmHeadUnit(shape));
            sim = fixture.open(design);
            top = design.top();
            memory = sim.axiMemory(8 << 20, ddr);
            for (var port : top.lanePorts) {
                memory.attach(port);
            }
            memory.attach(top.scalePort);
            Random random = fixture.random();
            commands = new StreamDriver(sim, top.command, new Random(random.nextLong()), 1.0);
            activations = new StreamDriver(sim, top.activations, new Random(random.nextLong()), 0.7);
            logits = new StreamMonitor(sim, top.logits, new Random(random.nextLong()), logitReady);
            sim.onCycle(new CycleListener() {
                @Override
                public void beforeEdge(SimModel s, long cycle) {
                    if (s.peek(top.done.valid) != 0) {
                        dones.add(new long[] {s.peek(top.done.payload.argmax()), s.peek(top.done.payload.errorCode())});
                    }
                }
            });
            sim.reset();
        }

        long scalesAddress(LmHead head) {
            return (WEIGHTS + (long) head.rows() * head.cols() + 4095) / 4096 * 4096;
        }

        void load(LmHead head) {
            MemorySegment bytes = memory.bytes();
            MemorySegment.copy(MemorySegment.ofArray(head.weights()), 0, bytes, WEIGHTS, head.weights().length);
            for (int r = 0; r < head.rows(); r++) {
                bytes.set(ValueLayout.JAVA_FLOAT_UNALIGNED, scalesAddress(head) + 4L * r, head.rowScales()[r]);
            }
        }

        /** Sends the command (and its activations unless refused) and returns the done's argmax and code. */
        long[] send(LmHead head, byte[] x, float mc, boolean withActivations) {
            int beat = top.shape.beatBytes();
            commands.push(BigInteger.valueOf(WEIGHTS)
                    .or(BigInteger.valueOf(scalesAddress(head)).shiftLeft(64))
                    .or(BigInteger.valueOf(head.rows() & 0xFFFFFFFFL).shiftLeft(128))
                    .or(BigInteger.valueOf(head.cols() & 0xFFFF).shiftLeft(160))
                    .or(BigInteger.valueOf(Float.floatToRawIntBits(mc) & 0xFFFFFFFFL).shiftLeft(176)));
            if (withActivations) {
                for (int b = 0; b < head.cols() / beat; b++) {
                    BigInteger word = BigInteger.ZERO;
                    for (int i = beat - 1; i >= 0; i--) {
                        word = word.shiftLeft(8).or(BigInteger.valueOf(x[b * beat + i] & 0xFF));
                    }
                    activations.push(word);
                }
            }
            int before = dones.size();
            sim.runUntil(() -> dones.size() > before, 50_000 + 4L * head.rows() * head.cols());
            assertEquals(before + 1, dones.size(), "one done");
            return dones.get(before);
        }

        void check(Case c) {
            load(c.head());
            int before = logits.received().size();
            long[] done = send(c.head(), c.x(), c.mc(), true);
            assertEquals(ErrorCode.NONE.code(), done[1], "done code");
            sim.runUntil(() -> logits.received().size() >= before + c.head().rows(), 1_000);
            float fx = c.mc() * ActivationQuantizer.INV127;
            float[] expected = new float[c.head().rows()];
            for (int r = 0; r < expected.length; r++) {
                expected[r] = (float) c.head().dot(r, c.x()) * (c.head().rowScales()[r] * fx);
                int got = logits.received().get(before + r).intValue();
                assertEquals(Float.floatToRawIntBits(expected[r]), got, "row " + r + " of " + c.head().rows()
                        + " (cols " + c.head().cols() + "): expected " + expected[r] + ", got "
                                + Float.intBitsToFloat(got));
            }
            assertEquals(c.head().rows(), logits.received().size() - before, "one logit per row");
            assertEquals(Sampler.argmax(expected), done[0], "argmax");
            assertEquals(1, sim.peek(top.idle), "idle after the command");
        }
    }

    private static Case randomCase(Random random, int rows, int cols, float mc) {
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            int kind = random.nextInt(12);
            for (int i = 0; i < cols; i++) {
                w[r * cols + i] = switch (kind) {
                    case 0 -> 0f;                                          // a zero row: scale 0
                    case 1 -> r > 0 ? w[(r - 1) * cols + i] : 1f;          // a repeated row: a tie
                    case 2 -> (float) Math.copySign(1 + random.nextInt(3), random.nextGaussian());   // saturating
                    default -> (float) random.nextGaussian();
                };
            }
        }
        byte[] x = new byte[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (byte) (random.nextInt(9) == 0 ? (random.nextBoolean() ? 127 : -127) : random.nextInt(255) - 127);
        }
        return new Case(LmHead.quantize(w, rows, cols), x, mc);
    }

    private static LmHeadShape shape(int lanes, int portBits, int maxCols, int maxRows) {
        return new LmHeadShape(lanes, AxiBurstConfig.of(Axi4Config.of(portBits), LmHeadShape.BURST_BEATS,
                LmHeadShape.OUTSTANDING), maxCols, maxRows);
    }

    @SimTest
    void logitsAndArgmaxOfSimSmall(SimFixture fixture) {
        Random random = fixture.random();
        AxiMemoryConfig ddr = AxiMemoryConfig.DEFAULT.withLatency(1 + random.nextInt(60), 1)
                .withJitter(random.nextInt(8), random.nextLong()).withBandwidth(random.nextBoolean() ? 0 : 4);
        Bench bench = new Bench(fixture, LmHeadShape.of(AcceleratorConfig.simSmall()), ddr, 0.6);
        bench.check(randomCase(random, 1, 8, 0.5f));
        bench.check(randomCase(random, 7, 64, 0.031f));
        bench.check(randomCase(random, 512, 64, (float) random.nextGaussian()));   // the stories260K student's shape
        bench.check(randomCase(random, 33, 256, 0f));                                // every logit 0: argmax 0
    }

    @SimTest
    void sumsBeyondTwoToThe24AreRoundedAsJava(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = new Bench(fixture, shape(3, 128, 2048, 64), AxiMemoryConfig.DEFAULT.withLatency(30, 1), 1.0);
        Case c = randomCase(random, 41, 2048, 1.7f);
        java.util.Arrays.fill(c.x(), (byte) 127);
        for (int i = 0; i < 2048 * 2; i++) {
            c.head().weights()[i] = (byte) (i % 5 == 0 ? 126 : 127);                // rows 0, 1: sums near 33 M
        }
        bench.check(c);
    }

    @SimTest
    void refusedCommandsAndAFailedReadAreReported(SimFixture fixture) {
        Random random = fixture.random();
        Bench bench = new Bench(fixture, LmHeadShape.of(AcceleratorConfig.simSmall()), AxiMemoryConfig.DEFAULT, 1.0);
        byte[] x = new byte[8];
        assertEquals(ErrorCode.BAD_FIELD.code(), bench.send(new LmHead(0, 8, new byte[0], new float[0]), x, 1f,
                false)[1], "no rows");
        assertEquals(ErrorCode.BAD_FIELD.code(), bench.send(new LmHead(4, 12, new byte[48], new float[4]), x, 1f,
                false)[1], "12 columns are not whole 8-byte beats");
        assertEquals(ErrorCode.BAD_FIELD.code(), bench.send(new LmHead(4, 264, new byte[4 * 264], new float[4]), x, 1f,
                false)[1], "more columns than the build's hidden size");
        assertEquals(ErrorCode.BAD_FIELD.code(), bench.send(new LmHead(1025, 8, new byte[1025 * 8], new float[1025]),
                x, 1f, false)[1], "more rows than the build's vocabulary");
        Case c = randomCase(random, 20, 64, 1f);
        bench.load(c.head());
        bench.memory.injectError(WEIGHTS + 13L * 64, 64, AxiMemory.ErrorResponse.SLVERR);
        int before = bench.logits.received().size();
        assertEquals(ErrorCode.DDR_ERROR.code(), bench.send(c.head(), c.x(), 1f, true)[1], "row 13 answered SLVERR");
        bench.sim.runUntil(() -> bench.logits.received().size() >= before + 20, 1_000);
        bench.check(randomCase(random, 9, 64, 0.25f));   // rows 0-8: before the fault
    }
}
