package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tellme report elementwise} on two small units (the full report takes minutes of Yosys). */
class ReportElementwiseCommandTest {
    @Test
    void writesAMarkdownTableOfYosysFigures(@TempDir Path dir) throws IOException {
        Path report = dir.resolve("report.md");
        TellmeRun outcome = TellmeRun.of("report", "elementwise", "--units", "fp32-max,fp16-to-fp32", "--out", report.toString(),
                "--work", dir.resolve("work").toString());
        assertEquals(0, outcome.exitCode(), outcome.err());
        String text = Files.readString(report);
        assertTrue(text.contains("| unit | NUMERICS | module | L | latency (cycles) | DSP48E2 | LUT | FF |"), text);
        assertTrue(text.contains("| fp32-max | N2.4 | `Fp32Max` | 1 | 1 | 0 |"), text);
        assertTrue(text.contains("| fp16-to-fp32 | N4.1 | `Fp16ToFp32` | 1 | 1 | 0 |"), text);
        assertTrue(outcome.err().contains("synthesizing fp32-max"), outcome.err());
    }

    @Test
    void anUnknownUnitIsRefused() {
        TellmeRun outcome = TellmeRun.of("report", "elementwise", "--units", "fp128-add");
        assertEquals(2, outcome.exitCode());
        assertTrue(outcome.err().contains("unknown unit 'fp128-add'") && outcome.err().contains("rms-max"), outcome.err());
    }

    @Test
    void theReportGroupListsItsSubcommands() {
        TellmeRun outcome = TellmeRun.of("report");
        assertEquals(0, outcome.exitCode());
        assertTrue(outcome.out().contains("elementwise"), outcome.out());
    }
}
