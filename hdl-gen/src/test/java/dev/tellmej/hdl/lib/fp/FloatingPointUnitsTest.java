package dev.tellmej.hdl.lib.fp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.ResourceReport;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.testing.DesignVerifier;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every floating-point unit elaborates deterministically and is {@code verilator --lint-only -Wall} clean; the
 * primitive units also synthesize with Yosys to the DSP48E2 count their Javadoc states. (The composite
 * functions take minutes in Yosys and are synthesized by {@code tellme report elementwise}; bit-exactness is
 * the sim module's job.)
 */
class FloatingPointUnitsTest {
    /** A unit and the DSP48E2 slices it should map to, or null to lint only. */
    private record Unit(String name, Supplier<? extends Module> top, Integer dsps) {}

    private static final List<Unit> UNITS = List.of(
            new Unit("fp32-mul", Fp32Mul::new, 2),
            new Unit("fp32-add", Fp32Add::new, 0),
            new Unit("fp16-to-fp32", Fp16ToFp32::new, 0),
            new Unit("fp32-to-fp16", Fp32ToFp16::new, 0),
            new Unit("bf16-to-fp32", Bf16ToFp32::new, 0),
            new Unit("fp32-to-bf16", Fp32ToBf16::new, 0),
            new Unit("int32-to-fp32", Int32ToFp32::new, 0),
            new Unit("fp32-to-int8", Fp32ToInt8::new, 0),
            new Unit("fp32-compare", Fp32Compare::new, 0),
            new Unit("fp32-max", Fp32Max::new, 0),
            new Unit("fp-scale2", () -> new FpScale2(10), 0),
            new Unit("fp-relu2", FpRelu2::new, 2),
            new Unit("fp-exp", FpExp::new, null),
            new Unit("fp-reciprocal", FpReciprocal::new, null),
            new Unit("fp-rsqrt", FpRsqrt::new, null),
            new Unit("fp-silu", FpSilu::new, null));

    @TestFactory
    Stream<DynamicTest> everyUnitIsLintCleanAndDeterministic() {
        return UNITS.stream().map(unit -> DynamicTest.dynamicTest(unit.name(), () -> {
            Design<?> first = Hdl.elaborate(() -> unit.top().get());
            Design<?> second = Hdl.elaborate(() -> unit.top().get());
            DesignVerifier.assertDeterministic(first, second);
            if (unit.dsps() == null) {
                DesignVerifier.lint(first, "fp-" + unit.name());
                return;
            }
            ResourceReport report = DesignVerifier.verify(first, "fp-" + unit.name());
            assertEquals(unit.dsps().intValue(), report.dsp(), report.toString());
            assertTrue(report.flipFlops() > 0, report.toString());
        }));
    }
}
