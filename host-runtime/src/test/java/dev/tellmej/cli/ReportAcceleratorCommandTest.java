package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.kernel.KernelReport;
import dev.tellmej.accel.kernel.KernelShape;
import dev.tellmej.accel.sim.AcceleratorBenchmark;
import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ResourceReport;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tellme report accelerator}. The whole kernel takes Yosys hours on kv260 and more than ten minutes on
 * sim-small, so the synthesis here is one unit of the sim-small kernel, as the kernel instantiates it; the report in
 * a folder is made from a saved synthesis of the whole sim-small kernel (made up, under the key of today's
 * Verilog, so that {@code --reuse} takes it) and a made-up bench result.
 */
class ReportAcceleratorCommandTest {
    @Test
    void theDequantizerOfTheSimSmallKernelHasFourDspsPerMultiplyOfItsLanesAndItsFactorsOne(@TempDir Path dir)
            throws IOException {
        Path report = dir.resolve("dequantizer.md");
        TellmeRun run = TellmeRun.of("report", "accelerator", "--config", "sim-small", "--unit", "dequantizer",
                "--hierarchical", "--json", "--out", report.toString(), "--work", dir.resolve("work").toString());
        assertEquals(0, run.exitCode(), run.err());
        // The kernel's dequantizer takes the TLMM's accumulators at their width (TlmmConfig.accumulatorBits).
        String dequantizer = "Dequantizer_l4_a" + AcceleratorConfig.simSmall().tlmmConfig().accumulatorBits();
        assertTrue(run.err().contains("synthesizing " + dequantizer + " (sim-small, hierarchical)"), run.err());

        // N8 in the Dequantizer: a binary32 multiply per lane and one for both of the factor's (Fp32SharedOps),
        // each four DSP48E2 (24 x 24 bits on two 27 x 18 multipliers, and its normalizing and underflow shifts as
        // products on one each); the lanes are the buffers' words of W, from the build.
        int lanes = KernelShape.of(AcceleratorConfig.simSmall()).lanes();
        long dspsPerMultiply = 4;
        Map<?, ?> result = (Map<?, ?>) dev.tellmej.model.safetensors.Json.parse(run.out());
        assertEquals("sim-small", result.get("config"));
        assertEquals("dequantizer", result.get("unit"));
        assertEquals("hierarchical", result.get("synthesis"));
        Map<?, ?> counts = (Map<?, ?>) result.get("counts");
        assertEquals(dspsPerMultiply * (lanes + 1), number(counts, "dsp"), counts.toString());
        assertEquals(0L, number(counts, "uram"), counts.toString());
        assertEquals(0L, number(counts, "ramb36") + number(counts, "ramb18"), counts.toString());

        List<?> parts = (List<?>) result.get("parts");
        long multiplies = parts.stream().map(p -> (Map<?, ?>) p).filter(p -> p.get("module").equals("Fp32Mul"))
                .peek(p -> assertEquals(dspsPerMultiply, number((Map<?, ?>) p.get("counts"), "dsp"), p.toString()))
                .count();
        assertEquals(lanes + 1, multiplies, parts.toString());
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
        assertTrue(markdown.contains(String.format("| DSP48E2 | %d | 1,248 |", dspsPerMultiply * (lanes + 1))),
                markdown);
        assertTrue(markdown.contains("| **PASS** |"), markdown);
        assertTrue(markdown.contains("| (top) | `" + dequantizer + "` |"), markdown);
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

    @Test
    void theReportInAFolderIsAPageAndItsPlotsFromTheSavedBenchAndSynthesisAndNeverOverwritesAnotherRun(
            @TempDir Path dir) throws IOException {
        Path cache = dir.resolve("cache");
        AcceleratorConfig config = AcceleratorConfig.simSmall();
        SavedSynthesis.Key key = SavedSynthesis.key(config, KernelReport.elaborate(config), null,
                KernelReport.Synthesis.HIERARCHICAL, EdaTool.YOSYS.version().banner());
        SavedSynthesis.save(SavedSynthesis.file(cache, "sim-small", null, KernelReport.Synthesis.HIERARCHICAL),
                new SavedSynthesis.Saved(key, "2001-02-03 04:05 UTC", kernel()));
        SavedProjection.save(SavedProjection.file(cache, "sim-small"), bench());
        Path out = dir.resolve("report");

        TellmeRun run = TellmeRun.of("report", "accelerator", "--config", "sim-small", "--hierarchical", "--reuse",
                "--cache-dir", cache.toString(), "--out", out.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("reusing the synthesis saved at"), run.err());
        Map<?, ?> result = (Map<?, ?>) dev.tellmej.model.safetensors.Json.parse(run.out());
        assertEquals("accelerator-sim-small.md", result.get("markdown"));
        assertEquals(23_456L, number((Map<?, ?>) ((Map<?, ?>) result.get("kernel")).get("counts"), "luts"));
        Map<?, ?> synthesis = (Map<?, ?>) result.get("synthesis");
        assertEquals("2001-02-03 04:05 UTC", synthesis.get("produced_at"));
        assertTrue(((String) synthesis.get("detail")).contains(SavedSynthesis.shortHash(key.verilog_sha256())));
        List<?> figures = (List<?>) result.get("figures");
        assertEquals(5, figures.size());
        String page = Files.readString(out.resolve("accelerator-sim-small.md"));
        for (Object f : figures) {
            String file = (String) ((Map<?, ?>) f).get("file");
            BufferedImage image = ImageIO.read(out.resolve(file).toFile());
            assertEquals(960, image.getWidth(), file);
            assertTrue(page.contains("](" + file + ")"), file);
        }
        assertTrue(page.contains("| 100 MHz | 4.0 GB/s | 64 | 1234.6 |"), page);
        assertTrue(page.contains("| LUT | 23,456 |"), page);
        assertTrue(Files.readString(out.resolve(".tellme-report-accelerator")).contains("accelerator-sim-small.md"));

        // A second run refuses the folder without --force, and --force replaces only its own files.
        Files.writeString(out.resolve("notes.txt"), "mine");
        TellmeRun again = TellmeRun.of("report", "accelerator", "--config", "sim-small", "--hierarchical", "--reuse",
                "--cache-dir", cache.toString(), "--out", out.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("holds the output of an earlier 'tellme report accelerator'"), again.err());
        TellmeRun forced = TellmeRun.of("report", "accelerator", "--config", "sim-small", "--hierarchical", "--reuse",
                "--cache-dir", cache.toString(), "--out", out.toString(), "--force");
        assertEquals(0, forced.exitCode(), forced.err());
        assertTrue(forced.out().contains("wrote the sim-small report to " + out), forced.out());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
    }

    @Test
    void withoutABenchResultTheFolderReportSaysWhatToRunBeforeAnySynthesis(@TempDir Path dir) {
        TellmeRun run = TellmeRun.of("report", "accelerator", "--config", "sim-small", "--hierarchical",
                "--cache-dir", dir.resolve("cache").toString(), "--out", dir.resolve("report").toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("tellme: no 'tellme bench accelerator' result at "
                + dir.resolve("cache").resolve("bench-accelerator-sim-small.json")), run.err());
        assertTrue(run.err().contains("Run 'tellme bench accelerator --config sim-small' first"), run.err());
        assertTrue(!run.err().contains("synthesizing") && !Files.exists(dir.resolve("report")), run.err());

        TellmeRun unit = TellmeRun.of("report", "accelerator", "--config", "sim-small", "--unit", "tlmm", "--out",
                dir.resolve("report").toString());
        assertEquals(2, unit.exitCode());
        assertTrue(unit.err().contains("is a folder, for the report of the whole kernel"), unit.err());
    }

    @Test
    void aSavedSynthesisIsReusedOnlyForTheSameKeyAndItsVerilogHashIgnoresSourceLineNumbersOnly(@TempDir Path dir) {
        SavedSynthesis.Key key = new SavedSynthesis.Key("sim-small", "aa", null, KernelReport.Synthesis.HIERARCHICAL,
                "bb", "Yosys 0.23");
        Path file = SavedSynthesis.file(dir, "sim-small", null, KernelReport.Synthesis.HIERARCHICAL);
        assertEquals("report-accelerator-sim-small-hierarchical.json", file.getFileName().toString());
        assertTrue(SavedSynthesis.find(file, key) instanceof SavedSynthesis.Lookup.Unusable u
                && u.reason().startsWith("no synthesis saved at"));
        SavedSynthesis.save(file, new SavedSynthesis.Saved(key, "now", kernel()));
        assertTrue(SavedSynthesis.find(file, key) instanceof SavedSynthesis.Lookup.Found found
                && found.saved().result().equals(kernel()), "read back as written");
        SavedSynthesis.Key otherVerilog = new SavedSynthesis.Key("sim-small", "aa", null,
                KernelReport.Synthesis.HIERARCHICAL, "cc", "Yosys 0.23");
        assertTrue(SavedSynthesis.find(file, otherVerilog) instanceof SavedSynthesis.Lookup.Unusable u
                && u.reason().contains("was made from other Verilog"));
        SavedSynthesis.Key otherYosys = new SavedSynthesis.Key("sim-small", "aa", null,
                KernelReport.Synthesis.HIERARCHICAL, "bb", "Yosys 0.40");
        assertTrue(SavedSynthesis.find(file, otherYosys) instanceof SavedSynthesis.Lookup.Unusable u
                && u.reason().contains("another Yosys"));

        String verilog = "reg a; // Fp32Add.java:56\nassign b = a; // Fp32Add.java:57\n";
        assertEquals(SavedSynthesis.verilogSha256(Map.of("A.v", verilog)),
                SavedSynthesis.verilogSha256(Map.of("A.v", verilog.replace(":56", ":60"))));
        assertTrue(!SavedSynthesis.verilogSha256(Map.of("A.v", verilog)).equals(
                SavedSynthesis.verilogSha256(Map.of("A.v", verilog.replace("assign b = a", "assign b = !a")))));
    }

    /** A made-up synthesis of the whole sim-small kernel. */
    private static KernelReport.Result kernel() {
        ResourceReport.Counts counts = new ResourceReport.Counts(3, 4, 1, 4.5, 77, 23_456, 22_000, 1_456, 12_345);
        List<KernelReport.Line> lines = List.of(
                new KernelReport.Line("URAM288", 3, 64, 64, KernelReport.Verdict.PASS, 60),
                new KernelReport.Line("RAMB36 (RAMB36E2 + RAMB18E2 / 2)", 4.5, 144, 144, KernelReport.Verdict.PASS,
                        98.5),
                new KernelReport.Line("DSP48E2", 77, 1_248, 1_248, KernelReport.Verdict.PASS, 610),
                new KernelReport.Line("LUT (rough)", 23_456, 117_120, 110_000, KernelReport.Verdict.PASS, 98_000),
                new KernelReport.Line("FF", 12_345, 234_240, null, null, 137_000));
        return new KernelReport.Result("sim-small", null, "tellme", KernelReport.Synthesis.HIERARCHICAL, counts,
                lines, true, List.of(new KernelReport.Part(KernelReport.TOP_PART, "tellme", counts)),
                Map.of("LUT6", 100), 1.5);
    }

    /** A made-up projection of sim-small: 100 MHz, 4 GB/s, contexts 32 and 64, prompts 16 and 64. */
    private static AcceleratorBenchmark.Result bench() {
        List<AcceleratorBenchmark.DecodeLine> decode = List.of(
                new AcceleratorBenchmark.DecodeLine(100, 4, 32, 1_500.25, 3_000, 0.5, 0.6, 0.5, 66_655, 1_333_333,
                        0.667),
                new AcceleratorBenchmark.DecodeLine(100, 4, 64, 1_234.56, 2_500, 0.49, 0.6, 0.49, 81_000, 1_600_000,
                        0.81));
        List<AcceleratorBenchmark.PrefillLine> prefill = List.of(
                new AcceleratorBenchmark.PrefillLine(100, 4, 16, 4_000, 0.004, 40_000, 0.1, 0.1, 400_000, 100_000),
                new AcceleratorBenchmark.PrefillLine(100, 4, 64, 3_000, 0.0213, 40_000, 0.1, 0.1, 2_130_000, 100_000));
        List<AcceleratorBenchmark.Term> breakdown = List.of(
                new AcceleratorBenchmark.Term(0, "LINEAR 64x64 STORE", 5, 5_000, 200_000, 6_000, 0.5),
                new AcceleratorBenchmark.Term(1, "ATTENTION", 5, 2_000, 6_000, 3_000, 0.2),
                new AcceleratorBenchmark.Term(2, "LM_HEAD 512x64", 1, 10_000, 300_000, 107, 0.3));
        return new AcceleratorBenchmark.Result("sim-small", "a made-up model", 5, 1, 100, decode, prefill, breakdown,
                List.of(), List.of(), null, List.of(), AcceleratorBenchmark.REFERENCES,
                new AcceleratorBenchmark.Simulation(1, 2, 3, 4, 5, "nothing"));
    }

    private static long number(Map<?, ?> object, String field) {
        return ((Number) object.get(field)).longValue();
    }
}
