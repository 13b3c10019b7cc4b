package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.KernelShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tellme report accelerator}. The whole kernel takes Yosys hours on kv260 and more than ten minutes on
 * sim-small, so the synthesis here is one unit of the sim-small kernel, as the kernel instantiates it.
 */
class ReportAcceleratorCommandTest {
    @Test
    void theDequantizerOfTheSimSmallKernelHasTwoDspsPerMultiplyOfItsLanesAndFactor(@TempDir Path dir)
            throws IOException {
        Path report = dir.resolve("dequantizer.md");
        TellmeRun run = TellmeRun.of("report", "accelerator", "--config", "sim-small", "--unit", "dequantizer",
                "--hierarchical", "--json", "--out", report.toString(), "--work", dir.resolve("work").toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("synthesizing Dequantizer_l4 (sim-small, hierarchical)"), run.err());

        // N8 in the Dequantizer: a binary32 multiply per lane and two for the factor, each two DSP48E2 (24 x 24
        // bits on 27 x 18 multipliers); the lanes are the buffers' words of W, from the build.
        int lanes = KernelShape.of(AcceleratorConfig.simSmall()).lanes();
        Map<?, ?> result = (Map<?, ?>) dev.tellmej.model.safetensors.Json.parse(run.out());
        assertEquals("sim-small", result.get("config"));
        assertEquals("dequantizer", result.get("unit"));
        assertEquals("hierarchical", result.get("synthesis"));
        Map<?, ?> counts = (Map<?, ?>) result.get("counts");
        assertEquals(2L * (lanes + 2), number(counts, "dsp"), counts.toString());
        assertEquals(0L, number(counts, "uram"), counts.toString());
        assertEquals(0L, number(counts, "ramb36") + number(counts, "ramb18"), counts.toString());

        List<?> parts = (List<?>) result.get("parts");
        long multiplies = parts.stream().map(p -> (Map<?, ?>) p).filter(p -> p.get("module").equals("Fp32Mul"))
                .peek(p -> assertEquals(2L, number((Map<?, ?>) p.get("counts"), "dsp"), p.toString())).count();
        assertEquals(lanes + 2, multiplies, parts.toString());
        for (String field : List.of("dsp", "luts", "flipFlops", "lutMemory")) {
            long sum = parts.stream().mapToLong(p -> number((Map<?, ?>) ((Map<?, ?>) p).get("counts"), field)).sum();
            assertEquals(number(counts, field), sum, field + ": the parts and the unit's own logic make the whole");
        }

        List<?> lines = (List<?>) result.get("lines");
        Map<?, ?> dsp = (Map<?, ?>) lines.get(2);
        assertEquals("DSP48E2", dsp.get("resource"));
        assertEquals(1_248L, number(dsp, "budget"));
        assertEquals("pass", dsp.get("verdict"));
        assertEquals(true, result.get("fits"));

        String markdown = Files.readString(report);
        assertTrue(markdown.contains(String.format("| DSP48E2 | %d | 1,248 |", 2 * (lanes + 2))), markdown);
        assertTrue(markdown.contains("| **PASS** |"), markdown);
        assertTrue(markdown.contains("| (top) | `Dequantizer_l4` |"), markdown);
    }

    @Test
    void anUnknownBuildOrUnitIsRefusedBeforeYosysRuns() {
        TellmeRun build = TellmeRun.of("report", "accelerator", "--config", "kv26");
        assertEquals(2, build.exitCode());
        assertTrue(build.err().contains("unknown configuration 'kv26'; did you mean 'kv260'?"), build.err());

        TellmeRun unit = TellmeRun.of("report", "accelerator", "--config", "sim-small", "--unit", "tlm");
        assertEquals(2, unit.exitCode());
        assertTrue(unit.err().contains("the kernel has no unit 'tlm'; did you mean 'tlmm'?"), unit.err());
        assertTrue(unit.err().contains("attention") && unit.err().contains("lm_head"), unit.err());
    }

    @Test
    void theReportGroupListsIt() {
        TellmeRun outcome = TellmeRun.of("report");
        assertEquals(0, outcome.exitCode());
        assertTrue(outcome.out().contains("accelerator"), outcome.out());
    }

    private static long number(Map<?, ?> object, String field) {
        return ((Number) object.get(field)).longValue();
    }
}
