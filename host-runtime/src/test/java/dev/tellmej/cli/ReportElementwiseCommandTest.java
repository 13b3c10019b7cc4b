package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tellme report elementwise} on two small units (the full report takes minutes of Yosys). */
class ReportElementwiseCommandTest {
    private record Outcome(int exitCode, String out, String err) {}

    private static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TellmeMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void writesAMarkdownTableOfYosysFigures(@TempDir Path dir) throws IOException {
        Path report = dir.resolve("report.md");
        Outcome outcome = run("report", "elementwise", "--units", "fp32-max,fp16-to-fp32", "--out", report.toString(),
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
        Outcome outcome = run("report", "elementwise", "--units", "fp128-add");
        assertEquals(2, outcome.exitCode());
        assertTrue(outcome.err().contains("unknown unit 'fp128-add'") && outcome.err().contains("rms-max"), outcome.err());
    }

    @Test
    void theReportGroupListsItsSubcommands() {
        Outcome outcome = run("report");
        assertEquals(0, outcome.exitCode());
        assertTrue(outcome.out().contains("elementwise"), outcome.out());
    }
}
