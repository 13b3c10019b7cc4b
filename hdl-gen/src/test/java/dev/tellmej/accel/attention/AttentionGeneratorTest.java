package dev.tellmej.accel.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.eda.ResourceReport;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.testing.DesignVerifier;
import org.junit.jupiter.api.Test;

/**
 * The attention blocks of both builds (the KV-cache writer and the attention unit) elaborate
 * deterministically and are lint clean; the KV-cache writer also synthesizes with Yosys for the XCK26 here (the
 * unit takes minutes: {@code tellme report attention} gives its figures). Their behaviour is tested in Verilator
 * in accel-sim ({@code KvCacheWriterTest}, {@code AttentionUnitTest}); impossible
 * shapes are refused here.
 */
class AttentionGeneratorTest {
    @Test
    void theKvCacheWriterOfBothBuildsIsLintCleanAndDeterministic() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Design<KvCacheWriter> first = Hdl.elaborate(() -> KvCacheWriter.of(config));
            DesignVerifier.assertDeterministic(first, Hdl.elaborate(() -> KvCacheWriter.of(config)));
            DesignVerifier.lint(first, "kv-cache-writer-" + config.name());
        }
    }

    @Test
    void theAttentionUnitOfBothBuildsIsLintCleanAndDeterministic() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Design<AttentionUnit> unit = Hdl.elaborate(() -> AttentionUnit.of(config));
            DesignVerifier.assertDeterministic(unit, Hdl.elaborate(() -> AttentionUnit.of(config)));
            DesignVerifier.lint(unit, "attention-" + config.name());
        }
    }

    @Test
    void impossibleShapesAreRefusedWithWhatToChange() {
        AttentionShape kv260 = AttentionShape.of(AcceleratorConfig.kv260());
        InvalidParameterException lanes = assertThrows(InvalidParameterException.class, () -> new AttentionShape(4, 4,
                1, 96, 4096, 8, 32, kv260.storage(), null, true));
        assertTrue(lanes.getMessage().contains("L must be a power of two of at least 16"), lanes.getMessage());
        InvalidParameterException dim = assertThrows(InvalidParameterException.class, () -> new AttentionShape(16, 8,
                2, 100, 4096, 8, 32, kv260.storage(), kv260.bursts(), true));
        assertTrue(dim.getMessage().contains("multiple of W = 8"), dim.getMessage());
        InvalidParameterException port = assertThrows(InvalidParameterException.class, () -> new AttentionShape(16, 4,
                2, 96, 4096, 8, 32, kv260.storage(), kv260.bursts(), true));
        assertTrue(port.getMessage().contains("carries 128 bits a beat, not W x 16 = 64"), port.getMessage());
        InvalidParameterException ports = assertThrows(InvalidParameterException.class, () -> new AttentionShape(16,
                8, 4, 96, 4096, 8, 32, kv260.storage(), kv260.bursts(), true));
        assertTrue(ports.getMessage().contains("P x W no larger than L = 16"), ports.getMessage());
    }

    @Test
    void theKv260KvCacheWriterSynthesizesWithNoDsp() {
        ResourceReport report = DesignVerifier.verify(Hdl.elaborate(() -> KvCacheWriter.of(AcceleratorConfig.kv260())),
                "kv-cache-writer-kv260-synth");
        System.out.println("kv-cache-writer kv260: " + report);
        assertEquals(0, report.dsp(), report.toString());
        assertTrue(report.flipFlops() < 2_000, report.toString());
    }
}
