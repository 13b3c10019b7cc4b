package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.examples.Counter;
import org.junit.jupiter.api.Test;

class CounterSimTest {
    @Test
    void countsWhileEnabled() {
        Design<Counter> design = Hdl.elaborate(() -> new Counter(8));
        Counter top = design.top();
        try (SimModel sim = SimModel.open(design)) {
            sim.reset();
            assertEquals(0, sim.peek(top.count));
            sim.poke(top.enable, 1);
            sim.step(10);
            assertEquals(10, sim.peek(top.count));
            sim.poke(top.enable, 0);
            sim.step(5);
            assertEquals(10, sim.peek(top.count));
        }
    }
}
