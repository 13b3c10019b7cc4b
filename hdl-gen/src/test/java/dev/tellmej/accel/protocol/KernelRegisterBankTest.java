package dev.tellmej.accel.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.ir.SignalRole;
import dev.tellmej.hdl.lib.axi.Axi4LiteRegisterBank;
import dev.tellmej.hdl.testing.DesignVerifier;
import org.junit.jupiter.api.Test;

/**
 * The kernel's {@code s_axi_control} bank, built from {@link KernelInterface#registerMap()} for every named build,
 * has one port per register (arguments out, status in) and passes {@code verilator --lint-only -Wall}.
 */
class KernelRegisterBankTest {
    @Test
    void theRegisterBankOfEveryBuildIsLintClean() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            KernelInterface kernel = KernelInterface.of(config);
            Design<Axi4LiteRegisterBank> design = Hdl.elaborate(() -> new Axi4LiteRegisterBank(kernel.registerMap()));
            for (KernelRegister r : kernel.registers()) {
                assertEquals(r.role().isArgument() ? SignalRole.OUTPUT : SignalRole.INPUT,
                        design.top().register(r.name()).signal().role(), r.name());
                assertEquals(r.width(), design.top().register(r.name()).width(), r.name());
            }
            DesignVerifier.lint(design, "kernel-register-bank-" + config.name());
        }
    }
}
