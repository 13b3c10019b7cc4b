package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.model.safetensors.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tellme report timing}: one small unit of the sim-small kernel (its DDR data reader, a few seconds of Yosys)
 * synthesized with its netlist, analysed, and analysed again from the netlist alone.
 */
class ReportTimingCommandTest {
    private static final List<String> RESULT = List.of("config", "unit", "top", "netlist", "synthesisMinutes",
            "analysisSeconds", "timing");
    private static final List<String> REPORT = List.of("top", "model", "clocks", "modules", "worstPaths",
            "unregistered", "dspRegistersAbsorbed", "warnings");

    @Test
    void aUnitIsSynthesizedAnalysedAndAnalysedAgainFromItsNetlist(@TempDir Path dir) throws IOException {
        EdaTool.YOSYS.require();
        Path report = dir.resolve("reader.md");
        Path work = dir.resolve("work");
        TellmeRun run = TellmeRun.of("report", "timing", "--config", "sim-small", "--unit", "data_reader", "--json",
                "--out", report.toString(), "--work", work.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("synthesizing AxiBurstReader_w64_b16_o4 (sim-small, hierarchical)"), run.err());

        Map<?, ?> result = (Map<?, ?>) Json.parse(run.out());
        assertEquals(RESULT, List.copyOf(result.keySet()));
        assertEquals("sim-small", result.get("config"));
        assertEquals("data_reader", result.get("unit"));
        assertEquals("AxiBurstReader_w64_b16_o4", result.get("top"));
        Path netlist = Path.of((String) result.get("netlist"));
        assertEquals(work.resolve("yosys-AxiBurstReader_w64_b16_o4.json"), netlist);
        Map<?, ?> timing = (Map<?, ?>) result.get("timing");
        assertEquals(REPORT, List.copyOf(timing.keySet()));
        List<?> clocks = (List<?>) timing.get("clocks");
        assertEquals(List.of(300L, 250L), clocks.stream().map(c -> ((Number) ((Map<?, ?>) c).get("mhz")).longValue())
                .toList());
        List<?> modules = (List<?>) timing.get("modules");
        Map<?, ?> reader = modules.stream().map(m -> (Map<?, ?>) m)
                .filter(m -> m.get("module").equals("AxiBurstReader_w64_b16_o4")).findFirst().orElseThrow();
        assertEquals(2, ((List<?>) reader.get("verdicts")).size());
        assertTrue(((Number) reader.get("lutLevels")).intValue() >= 1, reader.toString());
        assertTrue(((Map<?, ?>) reader.get("start")).get("source").toString().matches("\\w+\\.java:\\d+"),
                "named by its Java line: " + reader);
        List<?> paths = (List<?>) timing.get("worstPaths");
        assertTrue(!paths.isEmpty() && paths.size() <= 10, paths.toString());
        Map<?, ?> worst = (Map<?, ?>) paths.getFirst();
        assertEquals(((Number) reader.get("periodNs")).doubleValue(), ((Number) worst.get("periodNs")).doubleValue(),
                1e-9, "the unit's module holds its worst path");
        assertTrue(!((List<?>) worst.get("javaSources")).isEmpty(), worst.toString());

        String markdown = Files.readString(report);
        assertTrue(markdown.startsWith("# Timing risk: sim-small, unit data_reader\n"), markdown);
        assertTrue(markdown.contains("**A proxy, not timing.**"), markdown);
        assertTrue(markdown.contains("| 300 MHz | 3.33 ns | 6 |"), markdown);
        assertTrue(markdown.contains("| `AxiBurstReader_w64_b16_o4` | 1 |"), markdown);
        assertTrue(markdown.contains("scripts/tellme report timing --config sim-small --unit data_reader"), markdown);

        // The netlist again, without Yosys: the same figures.
        TellmeRun again = TellmeRun.of("report", "timing", "--config", "sim-small", "--unit", "data_reader", "--json",
                "--netlist", netlist.toString(), "--out", dir.resolve("again.md").toString());
        assertEquals(0, again.exitCode(), again.err());
        Map<?, ?> reanalysed = (Map<?, ?>) Json.parse(again.out());
        assertEquals(0.0, ((Number) reanalysed.get("synthesisMinutes")).doubleValue());
        assertEquals(timing.get("modules"), ((Map<?, ?>) reanalysed.get("timing")).get("modules"));
        assertEquals(timing.get("worstPaths"), ((Map<?, ?>) reanalysed.get("timing")).get("worstPaths"));
    }

    @Test
    void anUnknownUnitOrAMissingNetlistIsRefusedBeforeYosysRuns(@TempDir Path dir) {
        TellmeRun unit = TellmeRun.of("report", "timing", "--config", "sim-small", "--unit", "data_raeder");
        assertEquals(2, unit.exitCode());
        assertTrue(unit.err().contains("the kernel has no unit 'data_raeder'; did you mean 'data_reader'?"), unit.err());

        TellmeRun netlist = TellmeRun.of("report", "timing", "--config", "sim-small", "--netlist",
                dir.resolve("none.json").toString());
        assertEquals(2, netlist.exitCode());
        assertTrue(netlist.err().contains("is not a file; give the yosys-TOP.json an earlier run wrote"), netlist.err());
    }

    @Test
    void theReportGroupListsIt() {
        TellmeRun outcome = TellmeRun.of("report");
        assertEquals(0, outcome.exitCode());
        assertTrue(outcome.out().contains("timing"), outcome.out());
    }
}
