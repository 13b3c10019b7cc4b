package dev.tellmej.sim.docs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tellmej.hdl.ClockDomainConfig;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.ElaborationOptions;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.examples.BlockRamBuffer;
import dev.tellmej.hdl.examples.Counter;
import dev.tellmej.hdl.examples.StreamPipeline;
import dev.tellmej.sim.Axi4LiteMaster;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.AxiMemoryConfig;
import dev.tellmej.sim.IcarusRun;
import dev.tellmej.sim.SimMemory;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.SimTimeoutException;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import dev.tellmej.sim.designs.AxiCopyKernel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The examples of docs/sim.md, compiled and run. {@code DocsExamplesTest} checks that every Java block
 * of the guide appears here verbatim, so the guide cannot drift from code that works.
 */
class SimGuideExamplesTest {
    // doc:first-test
    @SimTest
    void countsWhileEnabled(SimFixture fixture) {
        Design<Counter> design = Hdl.elaborate(() -> new Counter(8));
        Counter top = design.top();
        SimModel sim = fixture.open(design);      // built once, then loaded from the cache
        sim.reset();                              // reset held for 2 cycles, then released
        sim.poke(top.enable, true);
        sim.step(10);
        assertEquals(10, sim.peek(top.count));
        assertEquals(5, sim.runUntil(top.count, 15, 100));   // waits natively
    }
    // end

    // doc:streams
    @SimTest
    void pipelineUnderRandomBackpressure(SimFixture fixture) {
        Design<StreamPipeline> design = Hdl.elaborate(() -> new StreamPipeline(16, 16));
        StreamPipeline top = design.top();
        SimModel sim = fixture.open(design);
        sim.reset();
        StreamDriver in = new StreamDriver(sim, top.in, fixture.random(1), 0.7);      // valid 70 % of cycles
        StreamMonitor out = new StreamMonitor(sim, top.out, fixture.random(2), 0.5);  // ready 50 %, checked
        long[] words = fixture.random().longs(500, 0, 1 << 16).toArray();
        in.push(words);
        sim.runUntil(() -> out.count() == words.length, 10_000);
        for (int i = 0; i < words.length; i++) {
            assertEquals((words[i] + 1) & 0xffff, out.receivedLongs()[i]);
        }
    }
    // end

    // doc:memory
    @SimTest
    void preloadAndReadBack(SimFixture fixture) {
        Design<BlockRamBuffer> design = Hdl.elaborate(() -> new BlockRamBuffer(512, 32));
        BlockRamBuffer top = design.top();
        SimModel sim = fixture.open(design);
        SimMemory buffer = sim.memory("buffer");        // the Mem named "buffer" of the top
        buffer.write(42, 0x1234_5678);                  // no simulated write cycles
        sim.reset();
        sim.poke(top.readEnable, true);
        sim.poke(top.readAddress, 42);
        sim.step();
        assertEquals(0x1234_5678, sim.peek(top.readData));
        sim.poke(top.writeEnable, true);
        sim.poke(top.writeAddress, 7);
        sim.poke(top.writeData, 0xcafe);
        sim.poke(top.writeMask, 0b0011);
        sim.step();
        assertEquals(0xcafe, buffer.read(7));           // what the design wrote, read back directly
    }
    // end

    // doc:axi
    @SimTest
    void aKernelCopiesThroughTheDdrModel(SimFixture fixture) {
        Design<AxiCopyKernel> design = Hdl.elaborate(new ElaborationOptions(ClockDomainConfig.VITIS_KERNEL),
                () -> new AxiCopyKernel(128, 16, 64, 4));
        AxiCopyKernel top = design.top();
        SimModel sim = fixture.open(design);
        AxiMemory ddr = sim.axiMemory(1 << 16, AxiMemoryConfig.DEFAULT
                .withLatency(30, 10)                                          // cycles
                .withJitter(8, fixture.seed())                                // + 0..8 cycles per burst
                .withBandwidth(64.0));                                    // bytes per cycle, all ports
        ddr.attach(top.gmem);                          // serves m_axi_gmem natively, every cycle
        byte[] data = new byte[4096];
        new Random(fixture.seed()).nextBytes(data);
        MemorySegment.copy(data, 0, ddr.bytes(), JAVA_BYTE, 0, data.length);
        sim.reset();                                   // ap_rst_n held low

        Axi4LiteMaster host = new Axi4LiteMaster(sim, top.control);
        host.write64(0x10, 0x0000);                    // src
        host.write64(0x18, 0x8000);                    // dst
        host.write(0x20, data.length);                 // length in bytes
        host.write(0x00, 1);                           // ap_start
        sim.runUntil(() -> (host.read(0x00) & 0b10) != 0, 10_000);   // poll ap_done

        assertArrayEquals(data, ddr.bytes().asSlice(0x8000, data.length).toArray(JAVA_BYTE));
        AxiMemory.AxiCounters traffic = ddr.counters();
        assertEquals(2L * data.length, traffic.bytesRead() + traffic.bytesWritten());
    }
    // end

    // doc:icarus
    @Test
    void noUnknownOutputsAfterReset() {
        IcarusRun.Result result = IcarusRun.of(Hdl.elaborate(() -> new Counter(8))).cycles(200).seed(3).run();
        assertEquals(200, result.values().size());      // an X or Z output would have thrown
    }
    // end

    @SimTest
    void timeoutsNameTheCondition(SimFixture fixture) {
        Design<Counter> design = Hdl.elaborate(() -> new Counter(8));
        SimModel sim = fixture.open(design);
        sim.reset();
        assertThrows(SimTimeoutException.class, () -> sim.runUntil(design.top().count, 3, 10));
    }
}
