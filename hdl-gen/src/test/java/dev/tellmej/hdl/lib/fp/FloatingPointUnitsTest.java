package dev.tellmej.hdl.lib.fp;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.ResourceReport;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.check.LatencyMismatchException;
import dev.tellmej.hdl.testing.DesignVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
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
            new Unit("fp32-mul", Fp32Mul::new, 4),
            new Unit("fp32-add", Fp32Add::new, 4),
            new Unit("fp16-to-fp32", Fp16ToFp32::new, 0),
            new Unit("fp32-to-fp16", Fp32ToFp16::new, 0),
            new Unit("bf16-to-fp32", Bf16ToFp32::new, 0),
            new Unit("fp32-to-bf16", Fp32ToBf16::new, 0),
            new Unit("int32-to-fp32", Int32ToFp32::new, 0),
            new Unit("int21-to-fp32", () -> new Int32ToFp32(21), 0),
            new Unit("fp16-square", Fp16Square::new, 1),
            new Unit("fp16-product", Fp16Product::new, 1),
            new Unit("fp32-to-int8", Fp32ToInt8::new, 0),
            new Unit("fp32-compare", Fp32Compare::new, 0),
            new Unit("fp32-max", Fp32Max::new, 0),
            new Unit("fp-scale2", () -> new FpScale2(10), 0),
            new Unit("fp-relu2", FpRelu2::new, 4),
            new Unit("inverse-of-count", InverseOfCount::new, 0),
            new Unit("fp-exp", FpExp::new, null),
            new Unit("fp-reciprocal", FpReciprocal::new, null),
            new Unit("fp-rsqrt", FpRsqrt::new, null),
            new Unit("fp-reciprocal-shared", () -> new FpReciprocal(FpSchedule.SHARED), null),
            new Unit("fp-rsqrt-shared", () -> new FpRsqrt(FpSchedule.SHARED), null),
            new Unit("fp-silu", FpSilu::new, null));

    /** Every unit's documented latency, by class name. */
    private static final Map<String, Integer> LATENCIES = Map.ofEntries(
            Map.entry("Fp32Add", Fp32Add.LATENCY), Map.entry("Fp32Mul", Fp32Mul.LATENCY),
            Map.entry("Fp16ToFp32", Fp16ToFp32.LATENCY), Map.entry("Bf16ToFp32", Bf16ToFp32.LATENCY),
            Map.entry("Fp16Square", Fp16Square.LATENCY), Map.entry("Fp16Product", Fp16Product.LATENCY),
            Map.entry("Fp32ToFp16", Fp32ToFp16.LATENCY), Map.entry("Fp32ToBf16", Fp32ToBf16.LATENCY),
            Map.entry("Int32ToFp32", Int32ToFp32.LATENCY), Map.entry("Fp32ToInt8", Fp32ToInt8.LATENCY),
            Map.entry("Fp32Compare", Fp32Compare.LATENCY), Map.entry("Fp32Max", Fp32Max.LATENCY),
            Map.entry("FpScale2", FpScale2.LATENCY), Map.entry("FpChord", FpChord.LATENCY),
            Map.entry("FpExp", FpExp.LATENCY),
            Map.entry("FpReciprocal", FpReciprocal.LATENCY), Map.entry("FpRsqrt", FpRsqrt.LATENCY),
            Map.entry("FpSilu", FpSilu.LATENCY), Map.entry("FpRelu2", FpRelu2.LATENCY),
            Map.entry("InverseOfCount", InverseOfCount.LATENCY));

    /**
     * The composite units (chord, exp, reciprocal, rsqrt, SiLU, ReLU²) derive their latency from their pipelines
     * and compare it with {@code LATENCY} as they elaborate (a {@link LatencyMismatchException} otherwise), and
     * every {@code LATENCY} is the figure docs/elementwise.md gives. (The Verilator tests check each unit's
     * {@code out_valid} at exactly that cycle.)
     */
    @Test
    void derivedLatenciesAreTheDocumentedOnes() throws IOException {
        for (Supplier<? extends Module> unit : List.<Supplier<? extends Module>>of(FpChord::new, FpExp::new,
                FpReciprocal::new, FpRsqrt::new, FpSilu::new, FpRelu2::new)) {
            assertDoesNotThrow(() -> Hdl.elaborate(unit::get));
        }
        Map<String, Integer> documented = new TreeMap<>();
        Matcher row = Pattern.compile("^\\| ((?:`\\w+`(?:, )?)+) \\|[^|]*\\|[^|]*\\| ([\\d, ]+) \\|", Pattern.MULTILINE)
                .matcher(Files.readString(Path.of("..", "docs", "elementwise.md")));
        while (row.find()) {
            List<String> names = Pattern.compile("`(\\w+)`").matcher(row.group(1)).results()
                    .map(r -> r.group(1)).toList();
            String[] figures = row.group(2).split(", ");
            for (int i = 0; i < names.size(); i++) {
                documented.put(names.get(i), Integer.parseInt(figures[figures.length == 1 ? 0 : i].strip()));
            }
        }
        assertEquals(new TreeMap<>(LATENCIES), documented,
                "docs/elementwise.md's library table against the LATENCY constants");
    }

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
