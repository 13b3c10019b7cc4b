package dev.tellmej.accel.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.eda.ResourceReport;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.testing.DesignVerifier;
import org.junit.jupiter.api.Test;

/**
 * The KV-cache writer of both builds elaborates deterministically, is lint clean, and synthesizes with Yosys
 * for the XCK26 (its behaviour is tested in Verilator in accel-sim's {@code KvCacheWriterTest}).
 */
class KvCacheWriterGeneratorTest {
    @Test
    void bothBuildsAreLintCleanAndDeterministic() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Design<KvCacheWriter> first = Hdl.elaborate(() -> KvCacheWriter.of(config));
            DesignVerifier.assertDeterministic(first, Hdl.elaborate(() -> KvCacheWriter.of(config)));
            DesignVerifier.lint(first, "kv-cache-writer-" + config.name());
        }
    }

    @Test
    void kv260SynthesizesWithNoDsp() {
        ResourceReport report = DesignVerifier.verify(Hdl.elaborate(() -> KvCacheWriter.of(AcceleratorConfig.kv260())),
                "kv-cache-writer-kv260-synth");
        System.out.println("kv-cache-writer kv260: " + report);
        assertEquals(0, report.dsp(), report.toString());
        assertTrue(report.flipFlops() < 2_000, report.toString());
    }
}
