package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.examples.Counter;
import dev.tellmej.hdl.examples.StreamPipeline;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;

/** Several models in one JVM: the same design twice and another design, stepped in turn, independent. */
class MultiModelSimTest {
    @SimTest
    void twoCountersAndAPipelineRunSideBySide(SimFixture fixture) {
        Design<Counter> counterDesign = Hdl.elaborate(() -> new Counter(8));
        Design<StreamPipeline> pipelineDesign = Hdl.elaborate(() -> new StreamPipeline(16, 16));
        Counter counter = counterDesign.top();
        StreamPipeline pipeline = pipelineDesign.top();
        SimModel first = fixture.open(counterDesign);
        SimModel second = fixture.open(counterDesign);
        SimModel third = fixture.open(pipelineDesign);
        first.reset();
        second.reset(5);
        third.reset();
        first.poke(counter.enable, true);
        second.poke(counter.enable, true);
        third.poke(pipeline.in.valid, true);
        third.poke(pipeline.out.ready, true);
        for (int i = 0; i < 50; i++) {
            third.poke(pipeline.in.payload, 100 + i);
            first.step(2);
            second.step(3);
            third.step();
        }
        assertEquals(100, first.peek(counter.count));
        assertEquals(150 % 256, second.peek(counter.count));
        assertEquals(2 + 100, first.cycle());
        assertEquals(5 + 150, second.cycle());
        assertEquals(1, third.peek(pipeline.out.valid));

        second.close();
        assertThrows(IllegalStateException.class, () -> second.peek(counter.count), "a closed model is gone");
        first.step(6);
        assertEquals(106, first.peek(counter.count), "closing one model leaves the other running");
        try (SimModel fourth = SimModel.open(counterDesign)) {
            fourth.reset();
            assertEquals(0, fourth.peek(counter.count));
        }
    }
}
