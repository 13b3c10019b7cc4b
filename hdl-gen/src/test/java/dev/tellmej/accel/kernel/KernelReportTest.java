package dev.tellmej.accel.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.ResourceReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link KernelReport}'s budget lines and verdicts from given cell counts (the synthesis is the CLI test's). */
class KernelReportTest {
    private static KernelReport.Result report(Map<String, Integer> cells) {
        return KernelReport.result("kv260", null, "tellme", KernelReport.Synthesis.FLATTENED,
                new ResourceReport("tellme", cells), List.of(), 12.5);
    }

    @Test
    void aKernelExactlyAtTheBudgetPassesEveryLine() {
        // 64 URAM288, 140 RAMB36E2 + 8 RAMB18E2 = 144 tiles, 1,248 DSP48E2, 100,000 + 2,500 x 4 LUTs = 110,000.
        KernelReport.Result r = report(Map.of("URAM288", 64, "RAMB36E2", 140, "RAMB18E2", 8, "DSP48E2", 1_248,
                "LUT6", 100_000, "RAM64M", 2_500, "FDRE", 150_000));
        assertTrue(r.fits(), r.toString());
        assertEquals(List.of(64.0, 144.0, 1_248.0, 110_000.0, 150_000.0),
                r.lines().stream().map(KernelReport.Line::used).toList());
        assertEquals(List.of(64, 144, 1_248, 117_120, 234_240),
                r.lines().stream().map(KernelReport.Line::capacity).toList());
        assertEquals(List.of(60.0, 98.5, 610.0, 98_000.0, 137_000.0),
                r.lines().stream().map(KernelReport.Line::tellme).toList());
        KernelReport.Line ff = r.lines().getLast();
        assertNull(ff.budget(), "issue 13 sets no flip-flop budget");
        assertNull(ff.verdict());
        String markdown = KernelReport.markdown(r);
        assertTrue(markdown.contains("| URAM288 | 64 | 64 | 100.0 % | <= 64 | **PASS** | 60 |"), markdown);
        assertTrue(markdown.contains("| RAMB36 (RAMB36E2 + RAMB18E2 / 2) | 144 | 144 | 100.0 % | <= 144 | **PASS** |"
                + " 98.5 |"), markdown);
        assertTrue(markdown.contains("| FF | 150,000 | 234,240 | 64.0 % | none |  | 137K |"), markdown);
        assertTrue(markdown.contains("Verdict: fits the budget on every line."), markdown);
    }

    @Test
    void halfARamb36OrOneLutTooManyIsOver() {
        KernelReport.Result r = report(Map.of("URAM288", 12, "RAMB36E2", 144, "RAMB18E2", 1, "DSP48E2", 100,
                "LUT6", 110_001));
        assertFalse(r.fits());
        assertEquals(List.of(KernelReport.Verdict.PASS, KernelReport.Verdict.OVER, KernelReport.Verdict.PASS,
                KernelReport.Verdict.OVER), r.lines().stream().limit(4).map(KernelReport.Line::verdict).toList());
        assertEquals(144.5, r.lines().get(1).used());
        String markdown = KernelReport.markdown(r);
        assertTrue(markdown.contains("| RAMB36 (RAMB36E2 + RAMB18E2 / 2) | 144.5 | 144 | 100.3 % | <= 144 | **OVER** |"),
                markdown);
        assertTrue(markdown.contains("Verdict: OVER the budget on RAMB36 (RAMB36E2 + RAMB18E2 / 2), LUT (rough)."),
                markdown);
    }

    @Test
    void thePartsTableListsEachUnitWithItsModule() {
        ResourceReport tlmm = new ResourceReport("TlmmEngine_kv260", Map.of("URAM288", 32, "RAMB36E2", 25,
                "RAMB18E2", 1, "DSP48E2", 3, "LUT6", 40_000, "RAM64M8", 1_000, "FDRE", 16_000));
        ResourceReport own = new ResourceReport("tellme", Map.of("RAMB36E2", 36, "LUT4", 5_000, "FDRE", 9_000));
        KernelReport.Result r = KernelReport.result("kv260", null, "tellme", KernelReport.Synthesis.HIERARCHICAL,
                new ResourceReport("tellme", Map.of("URAM288", 32, "RAMB36E2", 61, "RAMB18E2", 1, "DSP48E2", 3,
                        "LUT6", 40_000, "LUT4", 5_000, "RAM64M8", 1_000, "FDRE", 25_000)),
                List.of(new KernelReport.Part("tlmm", "TlmmEngine_kv260", tlmm.counts()),
                        new KernelReport.Part(KernelReport.TOP_PART, "tellme", own.counts())), 3.0);
        String markdown = KernelReport.markdown(r);
        assertTrue(markdown.contains("`synth_xilinx -family xcup`"), markdown);
        assertTrue(markdown.contains("| tlmm | `TlmmEngine_kv260` | 32 | 25.5 | 3 | 48,000 | 8,000 | 16,000 |"), markdown);
        assertTrue(markdown.contains("| (top) | `tellme` | 0 | 36 | 0 | 5,000 | 0 | 9,000 |"), markdown);
    }
}
