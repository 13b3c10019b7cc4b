package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.examples.BlockRamBuffer;
import dev.tellmej.hdl.examples.Counter;
import dev.tellmej.hdl.examples.StreamPipeline;
import dev.tellmej.hdl.lib.AdderTree;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Four-state runs of the hdl-gen examples in Icarus Verilog, and a cross-check against Verilator. */
@Tag("slow")
class IcarusRunTest {
    @Test
    void theExamplesHaveNoUnknownOutputsAfterReset() {
        for (Design<?> design : List.of(Hdl.elaborate(() -> new Counter(8)), Hdl.elaborate(() -> new StreamPipeline(16, 16)),
                Hdl.elaborate(() -> new AdderTree(8, 16, 1)))) {
            IcarusRun.Result result = IcarusRun.of(design).cycles(300).seed(7).run();
            assertEquals(300, result.values().size(), design.topName());
            for (List<BigInteger> row : result.values()) {
                for (int i = 0; i < row.size(); i++) {
                    String output = result.outputs().get(i);
                    if (!output.endsWith("payload")) {
                        assertNotNull(row.get(i), design.topName() + "." + output);
                    }
                }
            }
        }
    }

    @Test
    void readingUnwrittenBlockRamIsCaughtAsUnknown() {
        Design<BlockRamBuffer> design = Hdl.elaborate(() -> new BlockRamBuffer(512, 32));
        BlockRamBuffer top = design.top();
        UnknownValueException unknown = assertThrows(UnknownValueException.class, () -> IcarusRun.of(design)
                .drive(top.writeEnable, cycle -> 0)
                .drive(top.readEnable, cycle -> 1)
                .cycles(20).run());
        assertEquals("rd_data", unknown.unknowns().getFirst().port());
        assertEquals(0, unknown.unknowns().getFirst().cycle(), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("rd_data = xxxxxxxx"), unknown.getMessage());
    }

    @SimTest
    void icarusAndVerilatorAgreeOnTheCounter(SimFixture fixture) {
        Design<Counter> design = Hdl.elaborate(() -> new Counter(8));
        Counter top = design.top();
        // Random enables, a clear now and then: the same vectors go to both simulators.
        IcarusRun.Result icarus = IcarusRun.of(design).seed(fixture.seed()).cycles(600)
                .drive(top.clear, cycle -> cycle % 300 == 299 ? 1 : 0).run();
        SimModel sim = fixture.open(design);
        sim.reset();
        for (int cycle = 0; cycle < 600; cycle++) {
            sim.poke(top.enable, icarus.inputs().get(cycle).get("enable"));
            sim.poke(top.clear, icarus.inputs().get(cycle).get("clear"));
            assertEquals(icarus.value("count", cycle).longValue(), sim.peek(top.count), "count in cycle " + cycle);
            assertEquals(icarus.value("wrap", cycle).longValue(), sim.peek(top.wrap), "wrap in cycle " + cycle);
            sim.step();
        }
    }
}
