package dev.tellmej.accel.tlmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.eda.YosysFormal;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.testing.FormalChecks;
import org.junit.jupiter.api.Test;

/**
 * Every weight port of the sim-small TLMM engine keeps the AXI4 protocol against any slave and any command,
 * consistent or not (docs/verification.md).
 */
class TlmmFormalTest {
    @Test
    void everyWeightPortKeepsTheProtocolWhateverTheCommand() {
        TlmmConfig config = AcceleratorConfig.simSmall().tlmmConfig();
        // Depth 28: bmc3 took about 90 s here, 120 s since the weight loader registers its ports' loads (the solver's
        // time moves by a quarter from run to run); since the burst readers drive AR from a register slice (a timing
        // fix), depth 40 ran for more than 9 minutes without an answer. -Dtellme.formal.tlmmDepth=N goes deeper.
        var result = FormalChecks.requirePass(Hdl.elaborate(() -> new TlmmEngine(config)), "tlmm-sim-small",
                config.outstandingBursts(), Integer.getInteger("tellme.formal.tlmmDepth", 28), false);
        assertEquals(YosysFormal.Outcome.BOUNDED_PASS, result.outcome());
    }
}
