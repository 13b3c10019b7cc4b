package dev.tellmej.sim;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.ClockDomainConfig;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.ElaborationOptions;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.sim.designs.AxiCopyKernel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

/**
 * AXI4 bursts to and from the native memory model, under random latencies and a bandwidth cap, driven by
 * a small DMA kernel that the AXI4-Lite master programs like a host would.
 */
class AxiSimTest {
    /** 128-bit data, 16-beat bursts (256 bytes), 64 beats of buffer (4 reads in flight), 4 writes in flight. */
    static final Design<AxiCopyKernel> DESIGN = Hdl.elaborate(new ElaborationOptions(ClockDomainConfig.VITIS_KERNEL),
            () -> new AxiCopyKernel(128, 16, 64, 4));
    static final long BASE = 0x4000_0000L;
    static final int MEMORY = 1 << 16;

    /** Programs a copy, starts it, polls ap_done; returns the cycles from start to done. */
    static long copy(SimModel sim, Axi4LiteMaster host, long src, long dst, long length) {
        host.write64(0x10, src);
        host.write64(0x18, dst);
        host.write(0x20, length);
        assertEquals(src, host.read64(0x10));
        assertEquals(length, host.read(0x20));
        assertEquals(0b0100, host.read(0x00) & 0b1111, "idle before the start");
        long start = sim.cycle();
        host.write(0x00, 1);
        while ((host.read(0x00) & 0b10) == 0) {
            sim.step(20);
            if (sim.cycle() - start > 200_000) {
                throw new AssertionError("the copy did not finish");
            }
        }
        return sim.cycle() - start;
    }

    @SimTest
    void copiesBurstsUnderRandomLatenciesAndABandwidthCap(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        AxiCopyKernel top = DESIGN.top();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ddr = arena.allocate(MEMORY, 4096);  // Java's memory, shared with the model
            Random random = fixture.random();
            byte[] source = new byte[8192];
            random.nextBytes(source);
            MemorySegment.copy(source, 0, ddr, JAVA_BYTE, 0x1000, source.length);
            AxiMemory memory = sim.axiMemory(ddr, AxiMemoryConfig.DEFAULT.withBaseAddress(BASE).withLatency(12, 6)
                    .withJitter(20, fixture.seed()).withMaxOutstanding(4)
                    .withBandwidth(19.2));  // a quarter of the KV260's DDR peak at 250 MHz, bytes per cycle
            memory.attach(top.gmem);
            assertEquals(java.util.List.of("m_axi_gmem"), memory.ports());
            sim.reset();
            Axi4LiteMaster host = new Axi4LiteMaster(sim, top.control);

            long cycles = copy(sim, host, BASE + 0x1000, BASE + 0x8000, source.length);

            byte[] copied = ddr.asSlice(0x8000, source.length).toArray(JAVA_BYTE);
            assertArrayEquals(source, copied);
            assertTrue(isZero(ddr.asSlice(0x8000 + source.length, 256)), "nothing written past the end");
            AxiMemory.AxiCounters counters = memory.counters();
            assertEquals(source.length, counters.bytesRead());
            assertEquals(source.length, counters.bytesWritten());
            assertEquals(source.length / 256, counters.readBursts());
            assertEquals(source.length / 256, counters.writeBursts());
            // Both directions share 19.2 bytes per cycle: at least 2 x 8192 / 19.2 = 853 cycles.
            assertTrue(cycles >= 2 * source.length / 19.2, "the bandwidth cap held: " + cycles + " cycles");
            assertTrue(counters.bytesPerCycle() <= 19.2 + 0.01, "average " + counters.bytesPerCycle());
        }
    }

    @SimTest
    void withoutACapTheCopyStreamsAtTheBusWidth(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        AxiCopyKernel top = DESIGN.top();
        AxiMemory memory = sim.axiMemory(MEMORY, AxiMemoryConfig.DEFAULT.withLatency(8, 4).withMaxOutstanding(8))
                .attach("m_axi_gmem");
        byte[] source = new byte[16384];
        fixture.random().nextBytes(source);
        MemorySegment.copy(source, 0, memory.bytes(), JAVA_BYTE, 0, source.length);
        sim.reset();
        Axi4LiteMaster host = new Axi4LiteMaster(sim, top.control);
        long cycles = copy(sim, host, 0, 0x8000, source.length);
        assertArrayEquals(source, memory.bytes().asSlice(0x8000, source.length).toArray(JAVA_BYTE));
        // 1,024 beats of 16 bytes each way; reads and writes overlap, so about 1,024 cycles plus latency.
        assertTrue(cycles < 1_024 * 1.3 + 200, "expected streaming at one beat per cycle, took " + cycles);
        AxiMemory.AxiCounters counters = memory.counters();
        assertTrue(counters.busyCycles() >= 1_024 && counters.busyCycles() < 1_500, counters.toString());
    }

    @SimTest
    void aBurstAcrossA4KbBoundaryFailsTheRun(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        AxiCopyKernel top = DESIGN.top();
        sim.axiMemory(MEMORY, AxiMemoryConfig.DEFAULT).attach(top.gmem);
        sim.reset();
        Axi4LiteMaster host = new Axi4LiteMaster(sim, top.control);
        ProtocolViolationException violation = assertThrows(ProtocolViolationException.class,
                () -> copy(sim, host, 0x0f80, 0x8000, 512));
        assertTrue(violation.getMessage().contains("INCR burst at 0xf80 of 16 beats x 16 bytes crosses a 4 KB boundary"),
                violation.getMessage());
        assertTrue(violation.getMessage().contains("m_axi_gmem AR, cycle " + violation.cycle()), violation.getMessage());
    }

    @SimTest
    void anAccessOutsideTheMemoryFailsTheRun(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        AxiCopyKernel top = DESIGN.top();
        sim.axiMemory(MEMORY, AxiMemoryConfig.DEFAULT.withBaseAddress(BASE)).attach(top.gmem);
        sim.reset();
        Axi4LiteMaster host = new Axi4LiteMaster(sim, top.control);
        AxiAccessException outside = assertThrows(AxiAccessException.class,
                () -> copy(sim, host, BASE, BASE + MEMORY, 256));
        assertTrue(outside.getMessage().contains("outside the memory [0x40000000, 0x40010000)"), outside.getMessage());
        assertTrue(outside.getMessage().contains("m_axi_gmem W"), outside.getMessage());
    }

    @SimTest
    void theRegisterBankAnswersTheAxi4LiteMaster(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        AxiCopyKernel top = DESIGN.top();
        sim.reset();
        Axi4LiteMaster host = new Axi4LiteMaster(sim, top.control);
        host.write64(0x10, 0x1234_5678_9abc_def0L);
        host.write(0x20, 0xcafe_f00dL);
        host.write(0x20, 0x0000_ab00L, 0b0010);  // byte 1 only
        assertEquals(0x1234_5678_9abc_def0L, host.read64(0x10));
        assertEquals(0xcafe_abl << 8 | 0x0dL, host.read(0x20));
        assertEquals(0, host.read(0x30), "an unmapped word reads 0");
        assertEquals(0b0100, host.read(0x00), "idle, not started, not done");
        NotAPortException inner = assertThrows(NotAPortException.class, () -> sim.peek(top.bank.apStart));
        assertTrue(inner.getMessage().contains("is not a port"), inner.getMessage());
    }

    private static boolean isZero(MemorySegment segment) {
        byte[] bytes = segment.toArray(JAVA_BYTE);
        return Arrays.equals(bytes, new byte[bytes.length]);
    }
}
