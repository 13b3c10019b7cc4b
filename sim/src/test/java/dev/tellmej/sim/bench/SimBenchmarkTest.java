package dev.tellmej.sim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Hdl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's machinery on a small design and few cycles (no timing is asserted): both loops do the
 * same work, every figure is produced.
 */
@Tag("slow")
class SimBenchmarkTest {
    @Test
    void aSmallRunProducesEveryFigure() {
        List<String> progress = new ArrayList<>();
        SimBenchmark.Report report = SimBenchmark.run(new SimBenchmark.Options(2, 20_000, 3, false, false),
                progress::add);
        assertEquals("BenchDesign_lanes2", report.design());
        assertEquals(3, report.javaRuns().length);
        assertTrue(report.javaCyclesPerSec() > 0 && report.nativeCyclesPerSec() > 0, report.toString());
        assertTrue(report.downcallNanos() > 0 && report.plainDowncallNanos() > 0, report.toString());
        assertTrue(report.cachedLoad().toNanos() > 0);
        assertEquals(-1, report.yosysFlipFlops());
        assertTrue(progress.stream().anyMatch(line -> line.startsWith("run 3:")), progress.toString());
    }

    @Test
    void sixteenLanesAreAboutThreeThousandFlipFlops() {
        long bits = SimBenchmark.registerBits(Hdl.elaborate(() -> new BenchDesign(16)));
        assertEquals(16 * 190, bits);
    }

    @Test
    void theMedianOfAnEvenCountIsTheMiddlePair() {
        assertEquals(2.5, SimBenchmark.median(new double[] {4, 1, 3, 2}));
        assertEquals(3, SimBenchmark.median(new double[] {5, 3, 1}));
    }
}
