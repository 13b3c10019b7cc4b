package dev.tellmej.sim.elementwise;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.elementwise.Activation;
import dev.tellmej.accel.elementwise.Dequantizer;
import dev.tellmej.accel.elementwise.Gating;
import dev.tellmej.accel.elementwise.Quantizer;
import dev.tellmej.accel.elementwise.ResidualAdd;
import dev.tellmej.accel.elementwise.RmsNormMax;
import dev.tellmej.accel.elementwise.Rope;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.math.BigInteger;

/**
 * Without stalls the fused units move one beat (L results) per cycle (a lane-serial unit of P physical lanes
 * one every L / P), apart from the waits their Javadoc states: the quantizer's scale once per vector, RoPE's first head, RMS-MAX's accumulation pass at one beat per
 * adder latency. Each test counts the cycles a burst takes with the 16-lane configurations the other tests
 * build (so the models come from the cache). Values are zeros: timing does not depend on them.
 */
class ThroughputSimTest {
    private static final int BEATS = 240;
    private static final int VECTOR = 24;

    @SimTest
    void residualAddTakesABeatPerCycle(SimFixture fixture) {
        Design<ResidualAdd> design = Hdl.elaborate(() -> new ResidualAdd(16, StorageFormat.FP16));
        ResidualAdd top = design.top();
        long cycles = burst(fixture, design, top.in, top.out, 16 * 48 + 1);
        System.out.println("ResidualAdd l16: " + BEATS + " beats in " + cycles + " cycles (latency " + top.latency + ")");
        assertTrue(cycles <= BEATS + top.latency + 3, "ResidualAdd: " + BEATS + " beats took " + cycles + " cycles");
    }

    @SimTest
    void dequantizerTakesABeatPerCycle(SimFixture fixture) {
        Design<Dequantizer> design = Hdl.elaborate(() -> new Dequantizer(16));
        Dequantizer top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        StreamDriver params = new StreamDriver(sim, top.params, fixture.random(1), 1.0);
        for (int v = 0; v < BEATS / VECTOR; v++) {
            params.push(BigInteger.ZERO);
        }
        long cycles = burst(sim, top.in, top.out, 16 * 32);
        System.out.println("Dequantizer l16: " + BEATS + " beats in " + cycles + " cycles (latency " + top.latency + ")");
        // The first factor takes two multiplies; the following ones are computed ahead.
        assertTrue(cycles <= BEATS + top.latency + 20, "Dequantizer: " + BEATS + " beats took " + cycles + " cycles");
    }

    @SimTest
    void gatingTakesABeatPerCycle(SimFixture fixture) {
        Design<Gating> design = Hdl.elaborate(() -> new Gating(Activation.SILU, 16, StorageFormat.FP16));
        Gating top = design.top();
        long cycles = burst(fixture, design, top.in, top.out, 16 * 64 + 1);
        System.out.println("Gating silu l16: " + BEATS + " beats in " + cycles + " cycles (latency " + top.latency + ")");
        assertTrue(cycles <= BEATS + top.latency + 3, "Gating: " + BEATS + " beats took " + cycles + " cycles");
    }

    /** The kernel's lane-serial units (four lanes on one): a beat every four cycles, no more. */
    @SimTest
    void laneSerialUnitsTakeABeatEveryFourCycles(SimFixture fixture) {
        Design<Gating> gating = Hdl.elaborate(() -> new Gating(Activation.SILU, 4, 1, StorageFormat.FP16));
        long cycles = burst(fixture, gating, gating.top().in, gating.top().out, 4 * 64 + 1);
        System.out.println("Gating silu l4 p1: " + BEATS + " beats in " + cycles + " cycles (latency "
                + gating.top().latency + ")");
        assertTrue(cycles <= 4L * BEATS + gating.top().latency + 3, "Gating l4 p1: " + BEATS + " beats took " + cycles
                + " cycles");
        Design<ResidualAdd> add = Hdl.elaborate(() -> new ResidualAdd(4, 1, StorageFormat.FP16));
        cycles = burst(fixture, add, add.top().in, add.top().out, 4 * 48 + 1);
        System.out.println("ResidualAdd l4 p1: " + BEATS + " beats in " + cycles + " cycles (latency "
                + add.top().latency + ")");
        assertTrue(cycles <= 4L * BEATS + add.top().latency + 3, "ResidualAdd l4 p1: " + BEATS + " beats took "
                + cycles + " cycles");
    }

    @SimTest
    void quantizerWaitsForItsScaleOncePerVector(SimFixture fixture) {
        Design<Quantizer> design = Hdl.elaborate(() -> new Quantizer(16, StorageFormat.FP16));
        Quantizer top = design.top();
        long cycles = burst(fixture, design, top.in, top.out, 16 * 16 + 32 + 1);
        System.out.println("Quantizer l16: " + BEATS + " beats in " + cycles + " cycles (latency " + top.latency + ")");
        long bound = BEATS + (long) (BEATS / VECTOR) * (top.scaleLatency + 3) + top.latency + 3;
        assertTrue(cycles <= bound, "Quantizer: " + BEATS + " beats took " + cycles + " cycles, bound " + bound);
    }

    @SimTest
    void ropeTakesABeatPerCycleAfterTheFirstHead(SimFixture fixture) {
        Design<Rope> design = Hdl.elaborate(() -> new Rope(RopeStyle.HALF_SPLIT, 16, 64, 4, StorageFormat.FP16));
        Rope top = design.top();
        long cycles = burst(fixture, design, top.in, top.out, 16 * 32 + 2 + 1);
        System.out.println("Rope half l16 d64: " + BEATS + " beats in " + cycles + " cycles (latency " + top.latency + ")");
        assertTrue(cycles <= BEATS + top.beats + top.latency + 4, "Rope: " + BEATS + " beats took " + cycles + " cycles");
    }

    @SimTest
    void rmsMaxAccumulatesABeatPerAdderLatencyThenStreams(SimFixture fixture) {
        Design<RmsNormMax> design = Hdl.elaborate(() -> new RmsNormMax(16, 64, StorageFormat.FP16));
        RmsNormMax top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        StreamDriver gamma = new StreamDriver(sim, top.gamma, fixture.random(1), 1.0);
        int tokens = 10;
        for (int i = 0; i < tokens * top.beats; i++) {
            gamma.push(BigInteger.ZERO);
        }
        StreamDriver in = new StreamDriver(sim, top.in, fixture.random(2), 1.0);
        StreamMonitor out = new StreamMonitor(sim, top.out, fixture.random(3), 1.0);
        for (int i = 0; i < tokens * top.beats; i++) {
            in.push(BigInteger.ZERO);
        }
        long start = sim.cycle();
        sim.runUntil(() -> out.count() == tokens * top.beats, 100_000);
        long perToken = (sim.cycle() - start) / tokens;
        long bound = (long) top.beats * top.beatInterval + 2L * top.beats + 200;
        System.out.println("RmsNormMax L=16 n=64: " + perToken + " cycles per token (" + top.passes() + ")");
        assertTrue(perToken <= bound, "RmsNormMax: " + perToken + " cycles per token, bound " + bound);
    }

    /** Opens the design and runs {@link #burst(SimModel, Stream, Stream, int)}, {@code last} the top bit. */
    private static long burst(SimFixture fixture, Design<?> design, Stream<?> input, Stream<?> output, int payloadBits) {
        SimModel sim = fixture.open(design);
        sim.reset();
        return burst(sim, input, output, payloadBits - 1);
    }

    /** Pushes BEATS zero beats (with {@code last} at bit {@code lastBit} every VECTOR beats) and counts cycles. */
    private static long burst(SimModel sim, Stream<?> input, Stream<?> output, int lastBit) {
        StreamDriver in = new StreamDriver(sim, input, new java.util.Random(1), 1.0);
        StreamMonitor out = new StreamMonitor(sim, output, new java.util.Random(2), 1.0);
        for (int b = 0; b < BEATS; b++) {
            in.push((b + 1) % VECTOR == 0 ? BigInteger.ONE.shiftLeft(lastBit) : BigInteger.ZERO);
        }
        long start = sim.cycle();
        sim.runUntil(() -> out.count() == BEATS, 100_000);
        return sim.cycle() - start;
    }
}
