package dev.tellmej.accel.tlmm;

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
 * The command unit's Verilog: deterministic and lint-clean for every named build, ported as documented, and
 * built without multipliers. Its results are checked against {@link TlmmLayout} in Verilator
 * ({@code TlmmCommandUnitTest} in accel-sim).
 */
class TlmmCommandUnitGeneratorTest {
    @Test
    void namedBuildsAreDeterministicAndLintClean() {
        for (AcceleratorConfig build : AcceleratorConfig.named().values()) {
            TlmmConfig config = build.tlmmConfig();
            Design<TlmmCommandUnit> first = Hdl.elaborate(() -> new TlmmCommandUnit(config));
            Design<TlmmCommandUnit> second = Hdl.elaborate(() -> new TlmmCommandUnit(config));
            DesignVerifier.assertDeterministic(first, second);
            DesignVerifier.lint(first, "tlmm-command-unit-" + config.name());
            assertEquals("TlmmCommandUnit_" + config.name().replace('-', '_'), first.topName());
            assertEquals(Hdl.widthOf(TlmmEngine.commandShape()) + 1, Hdl.widthOf(TlmmCommandUnit.answerShape()),
                    "the answer is the engine's command and one refusal bit");
            assertEquals(16 + 16 + 64 + 16, Hdl.widthOf(TlmmCommandUnit.requestShape()));
        }
    }

    /** The unit's Yosys estimate (printed; docs/tlmm.md quotes it): no DSP, no block RAM. */
    @Test
    void theKv260UnitSynthesizesWithoutMultipliers() {
        TlmmConfig config = AcceleratorConfig.kv260().tlmmConfig();
        ResourceReport report = DesignVerifier.verify(Hdl.elaborate(() -> new TlmmCommandUnit(config)),
                "tlmm-command-unit-kv260-synth");
        System.out.println("TlmmCommandUnit_kv260, Yosys synth_xilinx -family xcup: " + report);
        assertEquals(0, report.dsp(), "shifts and adds only: " + report);
        assertEquals(0, report.uram() + report.ramb36() + report.ramb18(), report.toString());
        assertTrue(report.luts() < 2_000, "a few hundred LUTs: " + report);
    }

    @Test
    void aTileTooLargeForTheCommandsFieldsIsRefused() {
        TlmmConfig huge = new TlmmConfig("huge", 28, 16, 4, 128, 28, 1 << 24, 8, 1 << 20, 1 << 12, 32, 4);
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> CommandUnitSizes.of(huge));
        assertTrue(e.getMessage().contains("more than the command's 32-bit fields hold"), e.getMessage());
    }
}
