package dev.tellmej.accel.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.hdl.ClockDomainConfig;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.ElaborationOptions;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.testing.DesignVerifier;
import org.junit.jupiter.api.Test;

/**
 * The kernel of both builds elaborates deterministically as a Vitis RTL kernel (ap_clk, ap_rst_n, the
 * interface's ports) and is lint clean. Its behaviour is tested in Verilator in accel-sim ({@code KernelTest}).
 */
class KernelGeneratorTest {
    static final ElaborationOptions VITIS = new ElaborationOptions(ClockDomainConfig.VITIS_KERNEL);

    @Test
    void bothBuildsAreLintCleanAndDeterministic() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Design<TellmeKernel> first = Hdl.elaborate(VITIS, () -> TellmeKernel.of(config));
            DesignVerifier.assertDeterministic(first, Hdl.elaborate(VITIS, () -> TellmeKernel.of(config)));
            DesignVerifier.lint(first, "kernel-" + config.name());
        }
    }

    @Test
    void theTopIsNamedAndPortedAsTheInterfaceSays() {
        AcceleratorConfig config = AcceleratorConfig.kv260();
        Design<TellmeKernel> design = Hdl.elaborate(VITIS, () -> TellmeKernel.of(config));
        KernelInterface iface = KernelInterface.of(config);
        assertEquals(iface.kernelName(), design.topName());
        assertEquals(iface.ports().stream().map(p -> p.name()).toList(), design.top().ports.keySet().stream().toList());
    }

    @Test
    void aPortTooNarrowForAnInstructionIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KernelShape(
                AcceleratorConfig.kv260(), KernelInterface.of(AcceleratorConfig.kv260()), 32, 4, 8,
                dev.tellmej.hdl.lib.fp.FpFormat.FP16));
        assertTrue(e.getMessage().contains("whole beats"), e.getMessage());
    }
}
