package dev.tellmej.cli;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.DesignEntry;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.examples.Examples;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RtlCommandTest {
    private record Outcome(int exitCode, String out, String err) {}

    private static Outcome run(RtlCommand command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    /** A design with a latch and an undriven output. */
    static final class Broken extends Module {
        Broken() {
            UInt a = in("a", uint(4));
            UInt y = out("y", uint(4));
            out("z", uint(4));
            when(a.orR(), () -> y.set(a));
        }
    }

    @Test
    void listNamesEveryExample() {
        Outcome outcome = run(new RtlCommand(), "--list");
        assertEquals(0, outcome.exitCode());
        for (DesignEntry entry : Examples.entries()) {
            assertTrue(outcome.out().contains(entry.name()), entry.name());
        }
    }

    @Test
    void emitsVerilogAndAFileList(@TempDir Path dir) throws IOException {
        Outcome outcome = run(new RtlCommand(), "stream-pipeline", "--out", dir.toString());
        assertEquals(0, outcome.exitCode(), outcome.err());
        assertEquals("SyncFifo_w16_d16.v\nStreamPipeline_w16_d16.v\n", Files.readString(dir.resolve("stream-pipeline.f")));
        assertTrue(Files.readString(dir.resolve("StreamPipeline_w16_d16.v")).contains("module StreamPipeline_w16_d16 ("));
        assertTrue(outcome.out().contains("wrote " + dir.resolve("stream-pipeline.f")), outcome.out());
    }

    @Test
    void unknownDesignsAndConfigurationsFail() {
        Outcome unknown = run(new RtlCommand(), "no-such-design", "--out", "x");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown design 'no-such-design'"), unknown.err());
        Outcome badConfig = run(new RtlCommand(), "bram-buffer", "--config", "huge", "--out", "x");
        assertEquals(2, badConfig.exitCode());
        assertTrue(badConfig.err().contains("ramb36, ramb18"), badConfig.err());
    }

    @Test
    void aFailingCheckExitsNonZeroWithEveryMessage(@TempDir Path dir) {
        List<DesignEntry> catalog = new ArrayList<>(Examples.entries());
        catalog.add(DesignEntry.of("broken", "a design with errors", Broken::new));
        Outcome outcome = run(new RtlCommand(() -> catalog), "broken", "--out", dir.toString());
        assertEquals(1, outcome.exitCode());
        assertTrue(outcome.err().contains("2 design error(s) in broken"), outcome.err());
        assertTrue(outcome.err().contains("RtlCommandTest.java:") && outcome.err().contains("latch"), outcome.err());
        assertTrue(outcome.err().contains("undriven"), outcome.err());
    }

    @Test
    void listNamesTheFloatingPointAndElementwiseUnitsWithTheirConfigurations() {
        Outcome outcome = run(new RtlCommand(), "--list");
        assertEquals(0, outcome.exitCode());
        for (DesignEntry entry : dev.tellmej.hdl.lib.fp.FloatingPointDesigns.entries()) {
            assertTrue(outcome.out().contains(entry.name()), entry.name());
        }
        for (DesignEntry entry : dev.tellmej.accel.elementwise.ElementwiseDesigns.entries()) {
            assertTrue(outcome.out().contains(entry.name()), entry.name());
        }
        assertTrue(outcome.out().contains("kv260, kv260-half, l16, sim-small"), outcome.out());
    }

    @Test
    void emitsAFusedUnitForANamedConfiguration(@TempDir Path dir) throws IOException {
        Outcome outcome = run(new RtlCommand(), "rms-max", "--config", "sim-small", "--out", dir.toString());
        assertEquals(0, outcome.exitCode(), outcome.err());
        String files = Files.readString(dir.resolve("rms-max.f"));
        assertTrue(files.endsWith("RmsNormMax_l16_w4_n64_fp16.v\n"), files);
        assertTrue(files.contains("FpRsqrt.v") && files.contains("Fp32Mul.v"), files);
        assertTrue(outcome.out().contains("top RmsNormMax_l16_w4_n64_fp16"), outcome.out());
    }
}
