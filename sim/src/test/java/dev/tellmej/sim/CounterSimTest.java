package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.examples.Counter;
import dev.tellmej.sim.designs.AxiCopyKernel;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;

/** The hdl-gen counter under Verilator: ports through the module's handles, reset, stepping, waiting. */
class CounterSimTest {
    private static final Design<Counter> DESIGN = Hdl.elaborate(() -> new Counter(8));

    @SimTest
    void countsWhileEnabledAndWrapsAt256(SimFixture fixture) {
        Counter top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        assertEquals(0, sim.peek(top.count));
        sim.poke(top.enable, true);
        sim.step(10);
        assertEquals(10, sim.peek(top.count));
        sim.poke(top.enable, false);
        sim.step(5);
        assertEquals(10, sim.peek(top.count));

        sim.poke(top.enable, true);
        sim.step(245);
        assertEquals(255, sim.peek(top.count));
        assertEquals(1, sim.peek(top.wrap), "wrap is combinational: enable while the count is all ones");
        sim.step();
        assertEquals(0, sim.peek(top.count));
        assertEquals(0, sim.peek(top.wrap));
    }

    @SimTest
    void aPokedInputIsSeenByCombinationalOutputsBeforeTheNextEdge(SimFixture fixture) {
        Counter top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        sim.poke(top.enable, true);
        sim.step(255);
        assertEquals(1, sim.peek(top.wrap));
        sim.poke(top.enable, false);
        assertEquals(0, sim.peek(top.wrap), "peek settles the logic after a poke");
        sim.poke(top.clear, true);
        sim.step();
        assertEquals(0, sim.peek(top.count), "the edge after the poke captured clear");
    }

    @SimTest
    void runUntilWaitsNativelyAndTimesOut(SimFixture fixture) {
        Counter top = DESIGN.top();
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        long start = sim.cycle();
        sim.poke(top.enable, true);
        assertEquals(200, sim.runUntil(top.count, 200, 1_000));
        assertEquals(start + 200, sim.cycle());
        assertEquals(0, sim.runUntil(top.count, 200, 1_000), "already true: no cycle");
        sim.poke(top.enable, false);
        SimTimeoutException timeout = assertThrows(SimTimeoutException.class, () -> sim.runUntil(top.count, 7, 50));
        assertTrue(timeout.getMessage().contains("count == 7"), timeout.getMessage());
        assertEquals(50, timeout.maxCycles());
        sim.poke(top.enable, true);
        assertEquals(256 - 200 + 5, sim.runUntil(() -> sim.peek(top.count) == 5, 1_000), "a Java condition");
    }

    @SimTest
    void rejectsHandlesThatAreNotPortsOfTheTop(SimFixture fixture) {
        SimModel sim = fixture.open(DESIGN);
        NotAPortException template = assertThrows(NotAPortException.class, () -> sim.peek(Hdl.uint(8)));
        assertTrue(template.getMessage().contains("type template"), template.getMessage());
        AxiCopyKernel other = Hdl.elaborate(() -> new AxiCopyKernel(64, 4, 16, 2)).top();
        NotAPortException foreign = assertThrows(NotAPortException.class, () -> sim.peek(other.gmem.arvalid));
        assertTrue(foreign.getMessage().contains("not in the top module Counter_w8"), foreign.getMessage());
        IllegalArgumentException output = assertThrows(IllegalArgumentException.class,
                () -> sim.poke(DESIGN.top().count, 1));
        assertTrue(output.getMessage().contains("output"), output.getMessage());
        IllegalArgumentException tooWide = assertThrows(IllegalArgumentException.class,
                () -> sim.poke(DESIGN.top().enable, 2));
        assertTrue(tooWide.getMessage().contains("does not fit"), tooWide.getMessage());
        assertFalse(sim.finished());
    }
}
