package dev.tellmej.accel.tlmm;

import dev.tellmej.accel.config.AcceleratorConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.ResourceReport;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.testing.DesignVerifier;
import org.junit.jupiter.api.Test;

/** The engine's Verilog: deterministic, lint-clean for every named configuration, and synthesizable. */
class TlmmGeneratorTest {
    @Test
    void namedConfigurationsAreDeterministicAndLintClean() {
        for (TlmmConfig config : AcceleratorConfig.named().values().stream().map(AcceleratorConfig::tlmmConfig).toList()) {
            Design<TlmmEngine> first = Hdl.elaborate(() -> new TlmmEngine(config));
            Design<TlmmEngine> second = Hdl.elaborate(() -> new TlmmEngine(config));
            DesignVerifier.assertDeterministic(first, second);
            DesignVerifier.lint(first, "tlmm-" + config.name());
            assertEquals("TlmmEngine_" + config.name().replace('-', '_'), first.topName());
        }
    }

    @Test
    void aSmallEngineSynthesizesToOneUram288PerBankAndNoMultipliersInTheArray() {
        TlmmConfig config = new TlmmConfig("synth-check", 5, 4, 2, 64, 5, 4096, 2, 32, 32, 16, 2);
        Design<TlmmEngine> design = Hdl.elaborate(() -> new TlmmEngine(config));
        ResourceReport report = DesignVerifier.verify(design, "tlmm-synth-check");
        assertEquals(config.banks(), report.uram(), report.toString());
        assertTrue(report.dsp() <= 2, "the TLMM array adds and looks up; it multiplies nothing: " + report);
        assertTrue(report.lutMemory() > 0, "tables and accumulators live in LUT RAM: " + report);
    }
}
