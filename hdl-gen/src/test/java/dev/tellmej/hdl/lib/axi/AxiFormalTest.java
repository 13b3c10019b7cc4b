package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.YosysFormal;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.testing.FormalChecks;
import org.junit.jupiter.api.Test;

/**
 * The library's AXI ports satisfy the project's AXI4 and AXI4-Lite properties (docs/verification.md) against
 * every legal slave or master, checked by Yosys and ABC: the burst engines to depths covering two full
 * bursts with stalls, the register bank for all time.
 */
class AxiFormalTest {
    /** 32-bit beats, 4-beat bursts, 2 in flight, 16-bit addresses, 8-bit beat counts: small enough to go deep. */
    static final AxiBurstConfig PORT = AxiBurstConfig.of(new Axi4Config(16, 32, 0), 4, 2).withLengthBits(8);

    @Test
    void theBurstReaderKeepsTheProtocol() {
        var result = FormalChecks.requirePass(Hdl.elaborate(() -> new AxiBurstReader(PORT)), "axi-burst-reader",
                2, 20, false);
        assertEquals(YosysFormal.Outcome.BOUNDED_PASS, result.outcome());
    }

    @Test
    void theBurstWriterKeepsTheProtocol() {
        var result = FormalChecks.requirePass(Hdl.elaborate(() -> new AxiBurstWriter(PORT)), "axi-burst-writer",
                2, 20, false);
        assertEquals(YosysFormal.Outcome.BOUNDED_PASS, result.outcome());
    }

    /** A broken master: it raises ARVALID every other cycle, whether or not the slave took the request. */
    static final class DroppingMaster extends dev.tellmej.hdl.Module {
        final Axi4 axi = out("m_axi", Axi4.master(PORT.axi()));

        DroppingMaster() {
            dev.tellmej.hdl.Bool toggle = reg("toggle", bool(), 0);
            toggle.set(toggle.not());
            axi.arvalid.set(toggle);
            axi.araddr.set(0);
            axi.arlen.set(0);
            axi.arsize.set(PORT.axi().fullSize());
            axi.arburst.set(AxiAddress.BURST_INCR);
            axi.rready.set(true);
            axi.tieOffWriteChannels();
        }
    }

    @Test
    void aMasterThatDropsArvalidFailsWithTheRuleNamedAndATrace() {
        var result = FormalChecks.check(Hdl.elaborate(DroppingMaster::new), "axi-dropping-master", 2, 8, false);
        assertEquals(YosysFormal.Outcome.FAILED, result.outcome());
        YosysFormal.Failure failure = result.failure().orElseThrow();
        assertEquals("check_m_axi.a3_2_1_arvalid_held", failure.property());
        assertEquals("tellme_axi4_master_check.sv", failure.file());
        assertTrue(failure.line() > 0 && java.nio.file.Files.exists(failure.vcd()), failure.toString());
    }

    @Test
    void theRegisterBankIsProvenForAllTime() {
        RegisterMap map = RegisterMap.builder(6).control().readWrite("size", 0x10, 32).readOnly("status", 0x18, 32)
                .build();
        var result = FormalChecks.requirePass(Hdl.elaborate(() -> new Axi4LiteRegisterBank(map)), "axi4lite-bank",
                1, 20, true);
        assertEquals(YosysFormal.Outcome.PROVEN, result.outcome());
    }
}
