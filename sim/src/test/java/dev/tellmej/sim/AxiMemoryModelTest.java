package dev.tellmej.sim;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.sim.designs.AxiLoopback;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The native AXI4 memory model beat by beat: Java plays the master through {@link AxiLoopback}, whose
 * master ports the model serves, so latencies, burst addressing, strobes, limits and the shared
 * bandwidth cap can be checked cycle by cycle.
 */
class AxiMemoryModelTest {
    static final Design<AxiLoopback> DESIGN = Hdl.elaborate(() -> new AxiLoopback(Axi4Config.of(64), 2));
    static final Design<AxiLoopback> FOUR_PORTS = Hdl.elaborate(() -> new AxiLoopback(Axi4Config.of(64), 4));
    static final int INCR = 1;
    static final int FIXED = 0;
    static final int WRAP = 2;

    /** A read burst: the cycle its address was accepted and each beat's data and cycle. */
    record Read(long accepted, List<Long> data, List<Long> cycles, List<Boolean> last, List<Long> responses) {}

    /** A write burst's response and the cycle it was taken. */
    record Written(long taken, long response) {}

    /** Drives one host port as an AXI master, one transaction at a time. */
    record Host(SimModel sim, Axi4 port) {
        /** Presents AR until accepted; returns the cycle of the accepting edge. */
        long address(boolean write, long addr, int beats, int size, int burst) {
            var valid = write ? port.awvalid : port.arvalid;
            sim.poke(write ? port.awaddr : port.araddr, addr);
            sim.poke(write ? port.awlen : port.arlen, beats - 1);
            sim.poke(write ? port.awsize : port.arsize, size);
            sim.poke(write ? port.awburst : port.arburst, burst);
            sim.poke(valid, true);
            while (true) {
                boolean ready = sim.peek(write ? port.awready : port.arready) == 1;
                long edge = sim.cycle();
                sim.step();
                if (ready) {
                    sim.poke(valid, false);
                    return edge;
                }
                if (sim.cycle() > edge + 1_000) {
                    throw new AssertionError("address not accepted");
                }
            }
        }

        Read read(long addr, int beats, int size, int burst) {
            long accepted = address(false, addr, beats, size, burst);
            sim.poke(port.rready, true);
            List<Long> data = new ArrayList<>();
            List<Long> cycles = new ArrayList<>();
            List<Boolean> last = new ArrayList<>();
            List<Long> responses = new ArrayList<>();
            while (data.size() < beats) {
                if (sim.peek(port.rvalid) == 1) {
                    data.add(sim.peekBig(port.rdata).longValue());
                    cycles.add(sim.cycle());
                    last.add(sim.peek(port.rlast) == 1);
                    responses.add(sim.peek(port.rresp));
                }
                sim.step();
            }
            sim.poke(port.rready, false);
            return new Read(accepted, data, cycles, last, responses);
        }

        /** Writes a burst; returns its response and the cycle it was taken. */
        Written write(long addr, int size, int burst, long[] beats, int strobe) {
            address(true, addr, beats.length, size, burst);
            for (int i = 0; i < beats.length; i++) {
                sim.poke(port.wdata, beats[i]);
                sim.poke(port.wstrb, strobe);
                sim.poke(port.wlast, i == beats.length - 1);
                sim.poke(port.wvalid, true);
                while (sim.peek(port.wready) == 0) {
                    sim.step();
                }
                sim.step();
            }
            sim.poke(port.wvalid, false);
            sim.poke(port.bready, true);
            while (sim.peek(port.bvalid) == 0) {
                sim.step();
            }
            long taken = sim.cycle();
            long response = sim.peek(port.bresp);
            sim.step();
            sim.poke(port.bready, false);
            return new Written(taken, response);
        }
    }

    private static SimModel open(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        for (Axi4 host : DESIGN.top().hosts) {
            for (var signal : List.of(host.awvalid, host.wvalid, host.arvalid, host.rready, host.bready)) {
                sim.poke(signal, false);
            }
        }
        return sim;
    }

    private static void fill(AxiMemory memory) {
        for (int i = 0; i < 4096; i += 8) {
            memory.bytes().set(JAVA_LONG_UNALIGNED, i, 0x1111_0000_0000_0000L | i);
        }
    }

    @SimTest
    void readDataArrivesExactlyTheReadLatencyAfterTheAddress(SimFixture fixture) {
        SimModel sim = open(fixture);
        AxiMemory memory = sim.axiMemory(1 << 14, AxiMemoryConfig.DEFAULT.withLatency(5, 3)).attach("m_axi_0");
        fill(memory);
        sim.step();  // the loopback has no clock or reset of its own; the model still counts cycles
        Host host = new Host(sim, DESIGN.top().hosts.get(0));
        Read read = host.read(0x100, 4, 3, INCR);
        assertEquals(List.of(0x1111_0000_0000_0100L, 0x1111_0000_0000_0108L, 0x1111_0000_0000_0110L,
                0x1111_0000_0000_0118L), read.data());
        assertEquals(List.of(false, false, false, true), read.last());
        assertEquals(read.accepted() + 5, read.cycles().getFirst(), "first beat at the accepting edge + 5");
        assertEquals(read.cycles().getFirst() + 3, read.cycles().getLast(), "then one beat per cycle");
    }

    @SimTest
    void wrapAndFixedBurstsFollowTheirAddressing(SimFixture fixture) {
        SimModel sim = open(fixture);
        AxiMemory memory = sim.axiMemory(1 << 14, AxiMemoryConfig.DEFAULT).attach("m_axi_0");
        fill(memory);
        sim.step();  // the loopback has no clock or reset of its own; the model still counts cycles
        Host host = new Host(sim, DESIGN.top().hosts.get(0));
        Read wrap = host.read(0x118, 4, 3, WRAP);  // 32-byte span from 0x100: 0x118, 0x100, 0x108, 0x110
        assertEquals(List.of(0x1111_0000_0000_0118L, 0x1111_0000_0000_0100L, 0x1111_0000_0000_0108L,
                0x1111_0000_0000_0110L), wrap.data());
        Read fixed = host.read(0x200, 3, 3, FIXED);
        assertEquals(List.of(0x1111_0000_0000_0200L, 0x1111_0000_0000_0200L, 0x1111_0000_0000_0200L), fixed.data());
    }

    @SimTest
    void writesHonourStrobesAndRespondAfterTheWriteLatency(SimFixture fixture) {
        SimModel sim = open(fixture);
        AxiMemory memory = sim.axiMemory(1 << 14, AxiMemoryConfig.DEFAULT.withLatency(2, 7)).attach("m_axi_0");
        sim.step();  // the loopback has no clock or reset of its own; the model still counts cycles
        Host host = new Host(sim, DESIGN.top().hosts.get(0));
        long start = sim.cycle();
        long response = host.write(0x400, 3, INCR, new long[] {0x0807_0605_0403_0201L, 0x1817_1615_1413_1211L}, 0x0f)
                .taken();
        assertEquals(0x0000_0000_0403_0201L, memory.bytes().get(JAVA_LONG_UNALIGNED, 0x400));
        assertEquals(0x0000_0000_1413_1211L, memory.bytes().get(JAVA_LONG_UNALIGNED, 0x408));
        assertTrue(response - start >= 7, "the response waited the write latency: " + (response - start));
        host.write(0x404, 2, FIXED, new long[] {0xaabb_ccdd_0000_0000L}, 0xf0);  // a narrow beat in the upper lanes
        assertEquals(0xaabb_ccdd_0403_0201L, memory.bytes().get(JAVA_LONG_UNALIGNED, 0x400));
        assertEquals(2 * 8 + 4, memory.counters().bytesWritten(), "beat sizes: two 8-byte beats, one 4-byte beat");
    }

    @SimTest
    void theModelStopsAcceptingAtMaxOutstanding(SimFixture fixture) {
        SimModel sim = open(fixture);
        sim.axiMemory(1 << 14, AxiMemoryConfig.DEFAULT.withMaxOutstanding(2)).attach("m_axi_0");
        sim.step();  // the loopback has no clock or reset of its own; the model still counts cycles
        Axi4 port = DESIGN.top().hosts.get(0);
        Host host = new Host(sim, port);
        host.address(false, 0x000, 4, 3, INCR);
        host.address(false, 0x100, 4, 3, INCR);
        sim.poke(port.arvalid, true);
        sim.step(20);
        assertEquals(0, sim.peek(port.arready), "two bursts in flight, none returned: no third address");
        sim.poke(port.rready, true);
        sim.runUntil(port.arready, 1, 20);
    }

    @SimTest
    void twoPortsShareTheBandwidthCap(SimFixture fixture) {
        SimModel sim = open(fixture);
        AxiMemory memory = sim.axiMemory(1 << 14, AxiMemoryConfig.DEFAULT.withBandwidth(8.0));
        memory.attach(DESIGN.top().masters.get(0)).attach(DESIGN.top().masters.get(1));
        assertEquals(List.of("m_axi_0", "m_axi_1"), memory.ports());
        sim.step();  // the loopback has no clock or reset of its own; the model still counts cycles
        List<Long> beats = new ArrayList<>();
        for (Axi4 port : DESIGN.top().hosts) {
            sim.poke(port.araddr, port == DESIGN.top().hosts.get(0) ? 0 : 0x1000);
            sim.poke(port.arlen, 15);
            sim.poke(port.arsize, 3);
            sim.poke(port.arburst, INCR);
            sim.poke(port.arvalid, true);
            sim.poke(port.rready, true);
        }
        sim.onCycle(new CycleListener() {
            final boolean[] accepted = new boolean[2];

            @Override
            public void beforeEdge(SimModel s, long cycle) {
                for (int i = 0; i < 2; i++) {
                    Axi4 port = DESIGN.top().hosts.get(i);
                    accepted[i] |= s.peek(port.arvalid) == 1 && s.peek(port.arready) == 1;
                    if (s.peek(port.rvalid) == 1) {
                        beats.add(cycle);
                    }
                }
            }

            @Override
            public void afterEdge(SimModel s, long cycle) {
                for (int i = 0; i < 2; i++) {
                    if (accepted[i]) {
                        s.poke(DESIGN.top().hosts.get(i).arvalid, false);
                    }
                }
            }
        });
        long start = sim.cycle();
        sim.runUntil(() -> beats.size() == 32, 500);
        long cycles = sim.cycle() - start;
        // 32 beats of 8 bytes at 8 bytes per cycle: at least 32 cycles however the ports interleave.
        assertTrue(cycles >= 32 && cycles <= 40, "two 16-beat bursts through 8 bytes per cycle took " + cycles);
        assertEquals(256, memory.counters().bytesRead());
    }

    /**
     * Three ports that read all the time through a cap of two beats a cycle, with an idle fourth port attached: each
     * gets a third of the beats (within one), wherever the idle port sits in the rotation.
     */
    @SimTest
    void portsThatWantDataShareTheCapEquallyBesideAnIdlePort(SimFixture fixture) {
        SimModel sim = fixture.open(FOUR_PORTS);
        AxiLoopback top = FOUR_PORTS.top();
        for (Axi4 host : top.hosts) {
            for (var signal : List.of(host.awvalid, host.wvalid, host.arvalid, host.rready, host.bready)) {
                sim.poke(signal, false);
            }
        }
        AxiMemory memory = sim.axiMemory(1 << 14, AxiMemoryConfig.DEFAULT.withBandwidth(16.0));
        top.masters.forEach(memory::attach);
        sim.step();  // the loopback has no clock or reset of its own; the model still counts cycles
        int[] active = {0, 1, 2};
        for (int i : active) {
            Axi4 port = top.hosts.get(i);
            sim.poke(port.araddr, 0x1000L * i);
            sim.poke(port.arlen, 255);
            sim.poke(port.arsize, 3);
            sim.poke(port.arburst, INCR);
            sim.poke(port.arvalid, true);
            sim.poke(port.rready, true);
        }
        long[] beats = new long[4];
        sim.onCycle(new CycleListener() {
            final boolean[] accepted = new boolean[4];

            @Override
            public void beforeEdge(SimModel s, long cycle) {
                for (int i = 0; i < 4; i++) {
                    Axi4 port = top.hosts.get(i);
                    accepted[i] |= s.peek(port.arvalid) == 1 && s.peek(port.arready) == 1;
                    if (s.peek(port.rvalid) == 1 && s.peek(port.rready) == 1) {
                        beats[i]++;
                    }
                }
            }

            @Override
            public void afterEdge(SimModel s, long cycle) {
                for (int i = 0; i < 4; i++) {
                    if (accepted[i]) {
                        s.poke(top.hosts.get(i).arvalid, false);
                    }
                }
            }
        });
        sim.runUntil(() -> beats[0] + beats[1] + beats[2] >= 600, 1_000);
        for (int i : active) {
            assertTrue(Math.abs(beats[i] - 200) <= 1, "port " + i + " got " + beats[i] + " of the first "
                    + (beats[0] + beats[1] + beats[2]) + " beats: " + Arrays.toString(beats));
        }
        assertEquals(0, beats[3]);
    }

    @SimTest
    void injectedErrorsAnswerTheBeatsThatTouchTheirRange(SimFixture fixture) {
        SimModel sim = open(fixture);
        AxiMemory memory = sim.axiMemory(1 << 14, AxiMemoryConfig.DEFAULT.withLatency(3, 2)).attach("m_axi_0");
        fill(memory);
        memory.injectError(0x210, 4, AxiMemory.ErrorResponse.SLVERR)            // inside the second beat of 0x208
                .injectError(1 << 14, 1 << 12, AxiMemory.ErrorResponse.DECERR);  // a hole above the memory
        sim.step();  // the loopback has no clock or reset of its own; the model still counts cycles
        Host host = new Host(sim, DESIGN.top().hosts.get(0));

        Read read = host.read(0x200, 4, 3, INCR);
        assertEquals(List.of(0L, 0L, 2L, 0L), read.responses(), "only the beat at 0x210 answers SLVERR");
        assertEquals(List.of(0x1111_0000_0000_0200L, 0x1111_0000_0000_0208L, 0L, 0x1111_0000_0000_0218L), read.data());
        assertEquals(List.of(3L, 3L), host.read(1 << 14, 2, 3, INCR).responses(), "the hole decodes to DECERR");

        Written written = host.write(0x208, 3, INCR, new long[] {0x0aL, 0x0bL, 0x0cL}, 0xff);
        assertEquals(2, written.response(), "one beat of the burst failed: the burst answers SLVERR");
        assertEquals(0x0aL, memory.bytes().get(JAVA_LONG_UNALIGNED, 0x208), "the beats outside the range land");
        assertEquals(0x1111_0000_0000_0210L, memory.bytes().get(JAVA_LONG_UNALIGNED, 0x210), "the failed beat does not");
        assertEquals(0x0cL, memory.bytes().get(JAVA_LONG_UNALIGNED, 0x218));
        assertEquals(0, host.write(0x300, 3, INCR, new long[] {1L}, 0xff).response(), "elsewhere: OKAY");
        assertThrows(IllegalArgumentException.class, () -> memory.injectError(0, 0, AxiMemory.ErrorResponse.SLVERR));
    }

    @SimTest
    void aMasterChangingAStalledAddressFailsTheRun(SimFixture fixture) {
        SimModel sim = open(fixture);
        sim.axiMemory(1 << 14, AxiMemoryConfig.DEFAULT.withMaxOutstanding(1)).attach("m_axi_1");
        sim.step();  // the loopback has no clock or reset of its own; the model still counts cycles
        Axi4 port = DESIGN.top().hosts.get(1);
        Host host = new Host(sim, port);
        host.address(false, 0x000, 2, 3, INCR);  // in flight, never returned: arready stays low
        sim.poke(port.araddr, 0x40);
        sim.poke(port.arvalid, true);
        sim.step(3);
        sim.poke(port.araddr, 0x80);
        ProtocolViolationException violation = assertThrows(ProtocolViolationException.class, () -> sim.step(2));
        assertTrue(violation.getMessage().contains("m_axi_1_araddr changed from 0x40 to 0x80 (m_axi_1 AR"),
                violation.getMessage());
    }

    @SimTest
    void bytesWrittenFromJavaAreReadByTheMaster(SimFixture fixture) {
        SimModel sim = open(fixture);
        AxiMemory memory = sim.axiMemory(1 << 14, AxiMemoryConfig.DEFAULT.withBaseAddress(0x8000_0000L))
                .attach("m_axi_0");
        sim.step();  // the loopback has no clock or reset of its own; the model still counts cycles
        memory.bytes().set(JAVA_BYTE, 0x10, (byte) 0x5a);
        Read read = new Host(sim, DESIGN.top().hosts.get(0)).read(0x8000_0010L, 1, 3, INCR);
        assertEquals(0x5aL, read.data().getFirst());
    }
}
