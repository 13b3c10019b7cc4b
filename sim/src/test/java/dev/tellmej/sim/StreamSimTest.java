package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.examples.StreamPipeline;
import dev.tellmej.hdl.lib.SyncFifo;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Stream designs from hdl-gen under seeded random stalls on both sides, checked word for word. */
class StreamSimTest {
    @SimTest
    void aWideBlockRamFifoKeepsOrderUnderRandomStalls(SimFixture fixture) {
        int width = 72;
        int depth = 16;
        Design<SyncFifo> design = Hdl.elaborate(() -> new SyncFifo(width, depth, RamStyle.BLOCK));
        SyncFifo top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Random random = fixture.random();
        StreamDriver driver = new StreamDriver(sim, top.push, fixture.random(1), 0.6);
        StreamMonitor monitor = new StreamMonitor(sim, top.pop, fixture.random(2), 0.4);
        List<BigInteger> sent = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            BigInteger word = new BigInteger(width, random);
            sent.add(word);
            driver.push(word);
        }
        Port occupancy = sim.port(top.occupancy);
        long[] peak = {0};
        sim.onCycle(new CycleListener() {
            @Override
            public void beforeEdge(SimModel s, long cycle) {
                peak[0] = Math.max(peak[0], occupancy.get());
            }
        });
        sim.runUntil(() -> monitor.count() == sent.size(), 20_000);
        assertEquals(sent, monitor.received());
        assertTrue(peak[0] <= depth + 1, "a BLOCK FIFO holds depth + 1 words, saw " + peak[0]);
        assertTrue(peak[0] >= depth / 2, "the stalls should have filled the FIFO, peak " + peak[0]);
        assertTrue(driver.idle());
    }

    @SimTest
    void aHeadRegisterFifoKeepsOrderAndLatencyOneAndHoldsDepthPlusOne(SimFixture fixture) {
        int width = 6;
        int depth = 8;
        Design<SyncFifo> design = Hdl.elaborate(() -> SyncFifo.withHeadRegister(width, depth));
        assertEquals("SyncFifo_w6_d8_head", design.topName());
        SyncFifo top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Port pushValid = sim.port(top.push.valid);
        Port pushData = sim.port(top.push.payload);
        Port popValid = sim.port(top.pop.valid);
        Port popReady = sim.port(top.pop.ready);
        // Latency 1 into an empty FIFO: pushed at an edge, at the output after it.
        pushValid.set(1);
        pushData.set(42);
        popReady.set(0);
        sim.step();
        pushValid.set(0);
        assertEquals(1, popValid.get(), "a word pushed into an empty FIFO is at the output a cycle later");
        assertEquals(42, sim.peek(top.pop.payload));
        // Filled without pops it takes depth + 1 words, then refuses.
        int accepted = 1;
        pushValid.set(1);
        while (sim.peek(top.push.ready) == 1 && accepted < 4 * depth) {
            pushData.set(accepted);
            sim.step();
            accepted++;
        }
        pushValid.set(0);
        assertEquals(depth + 1, accepted, "the RAM's words and the head");
        assertEquals(depth + 1, sim.peek(top.occupancy));
        popReady.set(1);
        List<Long> drained = new ArrayList<>();
        while (popValid.get() == 1) {
            drained.add(sim.peek(top.pop.payload));
            sim.step();
        }
        List<Long> expected = new ArrayList<>();
        expected.add(42L);
        for (long i = 1; i <= depth; i++) {
            expected.add(i);
        }
        assertEquals(expected, drained, "a word a cycle, in order");
        assertEquals(0, sim.peek(top.occupancy));

        // Then random stalls on both sides.
        Random random = fixture.random();
        StreamDriver driver = new StreamDriver(sim, top.push, fixture.random(1), 0.7);
        StreamMonitor monitor = new StreamMonitor(sim, top.pop, fixture.random(2), 0.5);
        List<BigInteger> sent = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            BigInteger word = new BigInteger(width, random);
            sent.add(word);
            driver.push(word);
        }
        sim.runUntil(() -> monitor.count() == sent.size(), 20_000);
        assertEquals(sent, monitor.received());
        assertTrue(driver.idle());
    }

    @SimTest
    void theStreamPipelineAddsOneUnderRandomBackpressure(SimFixture fixture) {
        Design<StreamPipeline> design = Hdl.elaborate(() -> new StreamPipeline(16, 16));
        StreamPipeline top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        Random random = fixture.random();
        StreamDriver driver = new StreamDriver(sim, top.in, fixture.random(1), 0.8);
        StreamMonitor monitor = new StreamMonitor(sim, top.out, fixture.random(2), 0.3);
        long[] words = random.longs(2_000, 0, 1 << 16).toArray();
        driver.push(words);
        sim.runUntil(() -> monitor.count() == words.length, 50_000);
        long[] expected = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            expected[i] = (words[i] + 1) & 0xffff;
        }
        assertArrayEquals(expected, monitor.receivedLongs());
        sim.step(5);
        assertEquals(words.length, monitor.count(), "nothing extra comes out");
        assertEquals(0, sim.peek(top.fifoOccupancy));
    }

    @SimTest
    void withoutStallsThePipelineMovesAWordEveryCycle(SimFixture fixture) {
        Design<StreamPipeline> design = Hdl.elaborate(() -> new StreamPipeline(16, 16));
        StreamPipeline top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        StreamDriver driver = new StreamDriver(sim, top.in, fixture.random(1), 1.0);
        StreamMonitor monitor = new StreamMonitor(sim, top.out, fixture.random(2), 1.0);
        for (int i = 0; i < 100; i++) {
            driver.push(i);
        }
        long start = sim.cycle();
        sim.runUntil(() -> monitor.count() == 100, 1_000);
        long cycles = sim.cycle() - start;
        assertTrue(cycles <= 100 + 4, "full throughput: 100 words took " + cycles + " cycles");
    }
}
