package dev.tellmej.accel.lmhead;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.testing.DesignVerifier;
import org.junit.jupiter.api.Test;

/**
 * The LM head of both builds elaborates deterministically and is lint clean; impossible shapes are refused. Its
 * behaviour is tested in Verilator in accel-sim ({@code LmHeadUnitTest}).
 */
class LmHeadGeneratorTest {
    @Test
    void bothBuildsAreLintCleanAndDeterministic() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Design<LmHeadUnit> first = Hdl.elaborate(() -> LmHeadUnit.of(config));
            DesignVerifier.assertDeterministic(first, Hdl.elaborate(() -> LmHeadUnit.of(config)));
            DesignVerifier.lint(first, "lm-head-" + config.name());
        }
    }

    @Test
    void aHiddenSizeOfPartBeatsIsRefused() {
        AxiBurstConfig port = AxiBurstConfig.of(Axi4Config.of(128), 32, 4);
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> new LmHeadShape(4, port, 100, 32000));
        assertTrue(e.getMessage().contains("positive multiple of the port's 16 bytes"), e.getMessage());
    }
}
