package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.sim.designs.ImportedFifo;
import dev.tellmej.sim.junit.SimFixture;
import dev.tellmej.sim.junit.SimTest;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A hand-written Verilog FIFO, imported with {@code BlackBox.importVerilog} (its widths from the parameters
 * given in Java) and driven from Java in Verilator: under random pushes and pops it returns every word in
 * order and reports its level, as a queue does.
 */
class ImportedFifoSimTest {
    private static final Design<ImportedFifo> DESIGN = Hdl.elaborate(() -> new ImportedFifo(12, 8));

    @SimTest
    void theImportedFifoKeepsOrderAndCountsItsWords(SimFixture fixture) {
        assertEquals(List.of(ImportedFifo.FILE.toString()), DESIGN.blackBoxSources());
        ImportedFifo top = DESIGN.top();
        assertEquals(4, top.level.width(), "level is [$clog2(DEPTH):0] with DEPTH = 8");
        SimModel sim = fixture.open(DESIGN);
        sim.reset();
        long seed = 0x5eed17L;
        SplittableRandom random = new SplittableRandom(seed);
        ArrayDeque<Long> model = new ArrayDeque<>();
        int pushed = 0;
        int popped = 0;
        for (int cycle = 0; cycle < 2_000; cycle++) {
            long word = random.nextLong(1 << 12);
            boolean offer = random.nextInt(4) != 0;
            boolean take = random.nextInt(cycle < 1_000 ? 3 : 2) != 0;   // fills up first, drains later
            sim.poke(top.in.valid, offer);
            sim.poke(top.in.payload, word);
            sim.poke(top.out.ready, take);
            String where = "cycle " + cycle + ", seed " + Long.toHexString(seed);
            assertEquals(model.size(), sim.peek(top.level), where);
            assertEquals(model.size() < 8 ? 1 : 0, sim.peek(top.in.ready), where);
            assertEquals(model.isEmpty() ? 0 : 1, sim.peek(top.out.valid), where);
            boolean push = offer && model.size() < 8;
            boolean pop = take && !model.isEmpty();
            if (pop) {
                assertEquals(model.peekFirst(), sim.peek(top.out.payload), where);
                model.removeFirst();
                popped++;
            }
            if (push) {
                model.addLast(word);
                pushed++;
            }
            sim.step();
        }
        assertTrue(pushed > 1_000 && popped > 1_000, "pushed " + pushed + ", popped " + popped);
    }
}
