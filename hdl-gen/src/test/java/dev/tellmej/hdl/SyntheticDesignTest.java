package dev.tellmej.hdl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.bench.SyntheticDesign;
import dev.tellmej.hdl.check.IrStats;
import dev.tellmej.hdl.testing.DesignVerifier;
import org.junit.jupiter.api.Test;

/** The benchmark's design is itself a valid design (small size here; the benchmark runs it at 100,000 nodes). */
class SyntheticDesignTest {
    @Test
    void aSmallSyntheticDesignIsLintCleanAndCountsItsNodes() {
        Design<SyntheticDesign> design = Hdl.elaborate(() -> new SyntheticDesign(3, 8));
        IrStats stats = IrStats.of(design.top().node());
        assertTrue(stats.expressions() > 3 * 8 * 10, stats.toString());
        assertTrue(stats.statements() >= 3 * 2, stats.toString());
        DesignVerifier.verify(design, "synthetic-small");
    }
}
