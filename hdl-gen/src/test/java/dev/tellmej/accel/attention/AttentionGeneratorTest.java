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
 * The attention blocks of both builds (the KV-cache writer, the score pass) elaborate deterministically, are lint
 * clean, and synthesize with Yosys for the XCK26. Their behaviour is tested in Verilator in accel-sim
 * ({@code KvCacheWriterTest}, {@code AttentionScoresTest}).
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
    void theScorePassOfBothBuildsIsLintCleanAndDeterministic() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Design<AttentionScores> first = Hdl.elaborate(() -> AttentionScores.of(config));
            DesignVerifier.assertDeterministic(first, Hdl.elaborate(() -> AttentionScores.of(config)));
            DesignVerifier.lint(first, "attention-scores-" + config.name());
        }
    }

    @Test
    void theKv260ScorePassSynthesizes() {
        ResourceReport report = DesignVerifier.verify(Hdl.elaborate(() -> AttentionScores.of(AcceleratorConfig.kv260())),
                "attention-scores-kv260-synth");
        System.out.println("attention-scores kv260: " + report);
        assertTrue(report.dsp() > 0, "the multipliers use DSP48E2: " + report);
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
