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
        int code = TellmeMain.configure(new CommandLine(command), new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    /** The paths a folder's marker lists. */
    private static List<String> marker(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve(OutputFolder.RTL.marker())).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
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
        assertTrue(outcome.out().contains("kv260, sim-small, kv260-half, l16"), outcome.out());
    }

    @Test
    void emitsAFusedUnitForANamedConfiguration(@TempDir Path dir) throws IOException {
        Outcome outcome = run(new RtlCommand(), "rms-max", "--config", "sim-small", "--out", dir.toString());
        assertEquals(0, outcome.exitCode(), outcome.err());
        String files = Files.readString(dir.resolve("rms-max.f"));
        assertTrue(files.endsWith("RmsNormMax_l16_w4_n256_fp16.v\n"), files);
        assertTrue(files.contains("FpScale2_n9.v") && files.contains("Fp32Mul.v") && files.contains("Fp16Square.v"),
                files);
        assertTrue(outcome.out().contains("top RmsNormMax_l16_w4_n256_fp16"), outcome.out());
    }

    @Test
    void aFolderHoldingAUsersFileIsRefusedAndLeftAlone(@TempDir Path dir) throws IOException {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "mine");
        for (String[] args : new String[][] {{"counter", "--out", dir.toString()},
                {"counter", "--out", dir.toString(), "--force"}}) {
            Outcome outcome = run(new RtlCommand(), args);
            assertEquals(1, outcome.exitCode(), String.join(" ", args));
            assertTrue(outcome.err().startsWith("tellme: " + dir + " is not empty and was not written by 'tellme rtl'"),
                    outcome.err());
            assertTrue(outcome.err().contains("Choose a new or empty folder"), outcome.err());
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(notes), files.toList(), "nothing written, nothing deleted");
        }
        assertEquals("mine", Files.readString(notes));
    }

    @Test
    void aNewFolderIsCreatedAndMarked(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("a/b");
        Outcome outcome = run(new RtlCommand(), "stream-pipeline", "--out", out.toString());
        assertEquals(0, outcome.exitCode(), outcome.err());
        assertEquals(List.of("SyncFifo_w16_d16.v", "StreamPipeline_w16_d16.v", "stream-pipeline.f"), marker(out));
    }

    @Test
    void aRerunNeedsForceAndThenReplacesOnlyItsOwnFiles(@TempDir Path dir) throws IOException {
        assertEquals(0, run(new RtlCommand(), "stream-pipeline", "--out", dir.toString()).exitCode());
        Path notes = Files.writeString(dir.resolve("notes.txt"), "mine");
        Outcome again = run(new RtlCommand(), "stream-pipeline", "--out", dir.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().startsWith("tellme: " + dir + " holds the output of an earlier 'tellme rtl'\n"
                + "Add --force to replace it"), again.err());

        Outcome forced = run(new RtlCommand(), "stream-pipeline", "--out", dir.toString(), "--force");
        assertEquals(0, forced.exitCode(), forced.err());
        assertEquals("mine", Files.readString(notes));

        // Another design replaces the earlier output: its files go, the user's file stays.
        Outcome other = run(new RtlCommand(), "counter", "--out", dir.toString(), "--force");
        assertEquals(0, other.exitCode(), other.err());
        assertTrue(other.out().contains("removed " + dir.resolve("StreamPipeline_w16_d16.v")), other.out());
        assertTrue(Files.notExists(dir.resolve("StreamPipeline_w16_d16.v")));
        assertEquals("mine", Files.readString(notes));
        List<String> listed = marker(dir);
        assertTrue(listed.contains("counter.f") && listed.stream().noneMatch(n -> n.startsWith("Stream")), listed.toString());
        try (var files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            List<String> expected = new ArrayList<>(listed);
            expected.add(OutputFolder.RTL.marker());
            expected.add("notes.txt");
            assertEquals(expected.stream().sorted().toList(), names);
        }
    }

    @Test
    void aUsersFileWithAGeneratedNameIsNeverOverwritten(@TempDir Path dir) throws IOException {
        assertEquals(0, run(new RtlCommand(), "stream-pipeline", "--out", dir.toString()).exitCode());
        Outcome first = run(new RtlCommand(), "counter", "--out", dir.resolve("probe").toString());
        assertEquals(0, first.exitCode(), first.err());
        String name = marker(dir.resolve("probe")).getFirst();
        Path mine = Files.writeString(dir.resolve(name), "my own " + name);
        Outcome outcome = run(new RtlCommand(), "counter", "--out", dir.toString(), "--force");
        assertEquals(1, outcome.exitCode());
        assertTrue(outcome.err().startsWith("tellme: " + mine + " exists and was not written by 'tellme rtl'"),
                outcome.err());
        assertEquals("my own " + name, Files.readString(mine));
        assertTrue(Files.exists(dir.resolve("StreamPipeline_w16_d16.v")), "a refused run changes nothing");
    }

    @Test
    void aMarkerNamingAFileOutsideTheFolderIsRefused(@TempDir Path dir) throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path outside = Files.writeString(dir.resolve("precious.v"), "keep");
        Files.writeString(out.resolve(OutputFolder.RTL.marker()), "# tampered\n../precious.v\n");
        Outcome outcome = run(new RtlCommand(), "counter", "--out", out.toString(), "--force");
        assertEquals(1, outcome.exitCode());
        assertTrue(outcome.err().contains("'../precious.v' is not a file inside the folder"), outcome.err());
        assertEquals("keep", Files.readString(outside));
    }
}
