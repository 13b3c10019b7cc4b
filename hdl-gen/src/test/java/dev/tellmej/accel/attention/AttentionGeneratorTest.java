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
 * The attention blocks of both builds (the KV-cache writer and the three passes of decode attention) elaborate deterministically, are lint
 * clean; the KV-cache writer also synthesizes with Yosys for the XCK26 here (the passes take minutes each;
 * docs/attention.md gives their figures and the command). Their behaviour is tested in Verilator in accel-sim
 * ({@code KvCacheWriterTest}, {@code AttentionScoresTest}, {@code AttentionSoftmaxTest},
 * {@code AttentionValuesTest}).
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
    void theSoftmaxAndValuePassesOfBothBuildsAreLintCleanAndDeterministic() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Design<AttentionSoftmax> softmax = Hdl.elaborate(() -> AttentionSoftmax.of(config));
            DesignVerifier.assertDeterministic(softmax, Hdl.elaborate(() -> AttentionSoftmax.of(config)));
            DesignVerifier.lint(softmax, "attention-softmax-" + config.name());
            Design<AttentionValues> values = Hdl.elaborate(() -> AttentionValues.of(config));
            DesignVerifier.assertDeterministic(values, Hdl.elaborate(() -> AttentionValues.of(config)));
            DesignVerifier.lint(values, "attention-values-" + config.name());
        }
    }

    @Test
    void decodeAttentionOfBothBuildsIsLintCleanAndDeterministic() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Design<DecodeAttention> first = Hdl.elaborate(() -> DecodeAttention.of(config));
            DesignVerifier.assertDeterministic(first, Hdl.elaborate(() -> DecodeAttention.of(config)));
            DesignVerifier.lint(first, "decode-attention-" + config.name());
        }
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
