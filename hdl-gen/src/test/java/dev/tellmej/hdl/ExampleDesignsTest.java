package dev.tellmej.hdl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.ResourceReport;
import dev.tellmej.hdl.examples.Examples;
import dev.tellmej.hdl.lib.MulAdd;
import dev.tellmej.hdl.lib.SyncFifo;
import dev.tellmej.hdl.testing.DesignVerifier;
import dev.tellmej.hdl.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The example designs: pinned by golden files, byte-identical on re-elaboration, lint-clean, and mapped
 * by Yosys to the primitives they are meant for.
 */
class ExampleDesignsTest {
    @TestFactory
    Stream<DynamicTest> everyExampleMatchesItsGoldenFilesAndIsDeterministic() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DesignEntry entry : Examples.entries()) {
            for (String configuration : entry.configurationNames()) {
                String label = entry.name() + "-" + configuration;
                tests.add(DynamicTest.dynamicTest(label, () -> {
                    Design<?> first = entry.elaborate(configuration);
                    Design<?> second = entry.elaborate(configuration);
                    DesignVerifier.assertDeterministic(first, second);
                    Golden.assertMatches(first, label);
                    ResourceReport report = DesignVerifier.verify(first, label);
                    assertTrue(report.flipFlops() + report.bramTiles() + report.uram() > 0, report.toString());
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void theUltraRamBufferIsExactlyOneUram288() {
        ResourceReport report = DesignVerifier.verify(
                Examples.entries().stream().filter(e -> e.name().equals("uram-buffer")).findFirst().orElseThrow()
                        .elaborate("default"), "uram-buffer-default");
        assertEquals(1, report.uram(), report.toString());
        assertEquals(0, report.ramb36() + report.ramb18(), report.toString());
    }

    @Test
    void blockRamBuffersMapToRamb36AndRamb18() {
        DesignEntry entry = Examples.entries().stream().filter(e -> e.name().equals("bram-buffer")).findFirst().orElseThrow();
        ResourceReport big = DesignVerifier.verify(entry.elaborate("ramb36"), "bram-buffer-ramb36");
        assertEquals(1, big.ramb36(), big.toString());
        assertEquals(0, big.ramb18() + big.uram(), big.toString());
        ResourceReport small = DesignVerifier.verify(entry.elaborate("ramb18"), "bram-buffer-ramb18");
        assertEquals(1, small.ramb18(), small.toString());
        assertEquals(0, small.ramb36() + small.uram(), small.toString());
    }

    @Test
    void aBlockRamFifoUsesBlockRam() {
        Design<SyncFifo> design = Hdl.elaborate(() -> new SyncFifo(32, 1024, RamStyle.BLOCK));
        assertEquals("SyncFifo_w32_d1024_ramblock", design.topName());
        ResourceReport report = DesignVerifier.verify(design, "sync-fifo-block");
        assertEquals(1, report.ramb36(), report.toString());
    }

    @Test
    void mulAddIsOneDsp48e2() {
        Design<MulAdd> design = Hdl.elaborate(() -> new MulAdd(27, 18, 40));
        ResourceReport report = DesignVerifier.verify(design, "mul-add");
        assertEquals(1, report.dsp(), report.toString());
    }
}
