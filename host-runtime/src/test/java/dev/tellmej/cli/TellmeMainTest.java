package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.EmbeddedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TellmeMainTest {
    @Test
    void helpListsTheCommands() {
        TellmeRun outcome = TellmeRun.of("--help");
        assertEquals(0, outcome.exitCode());
        assertTrue(outcome.out().contains("Commands:"), outcome.out());
        assertTrue(outcome.out().contains("demo"), outcome.out());
    }

    @Test
    void versionNamesTheProjectAndTheJvm() {
        TellmeRun outcome = TellmeRun.of("--version");
        assertEquals(0, outcome.exitCode());
        assertTrue(outcome.out().startsWith("tellme 0."), outcome.out());
        assertTrue(outcome.out().contains("Java 25"), outcome.out());
    }

    @Test
    void unknownCommandFails() {
        TellmeRun outcome = TellmeRun.of("no-such-command");
        assertEquals(2, outcome.exitCode());
        assertTrue(outcome.err().contains("no-such-command"), outcome.err());
    }

    @Test
    void demoChecksTheRealToolchainAndRunsTheStudentThroughTheKernel() {
        TellmeRun outcome = TellmeRun.of("demo");
        assertEquals(0, outcome.exitCode(), outcome.out());
        assertTrue(outcome.out().contains("verilator"), outcome.out());
        assertTrue(outcome.out().contains("Verilator 5."), outcome.out());
        for (PipelineStage stage : PipelineStage.values()) {
            assertTrue(outcome.out().contains(stage.description()), stage.name());
        }
        assertTrue(outcome.out().contains("Once upon a time, there was a little girl named Lily."), outcome.out());
        assertTrue(outcome.out().contains("[n reached]") && outcome.out().contains("generation:"), outcome.out());
        assertTrue(outcome.out().contains("on rtl (kernel tellme in Verilator)"), outcome.out());
        assertTrue(outcome.out().contains("Kernel cycles: the prompt's prefill "), outcome.out());
        assertTrue(outcome.out().contains("Cross-check: the reference device"), outcome.out());
        assertTrue(outcome.out().contains("KV260 projection"), outcome.out());
    }

    @Test
    void runStreamsTheEmbeddedStudentAndEndsWithTheSpeed() {
        TellmeRun outcome = TellmeRun.of("run", "--steps", "30", "--path", "exact", "--temp", "0");
        assertEquals(0, outcome.exitCode(), outcome.err());
        assertTrue(outcome.out().startsWith("Once upon a time, there was a little girl named Lily."), outcome.out());
        assertTrue(outcome.out().endsWith("\n\n[n reached]\n"), outcome.out());
        assertTrue(outcome.err().contains("/    30 tokens") && outcome.err().contains("tokens/s"), outcome.err());
    }

    /** The embedded float teacher, as a file. */
    private static String teacher(Path dir) {
        return EmbeddedModel.STORIES_260K.extractTo(dir).toString();
    }

    @Test
    void runOnTheFloatTeacherWithSampling(@TempDir Path dir) {
        TellmeRun outcome = TellmeRun.of("run", "--model", teacher(dir), "--path", "float",
                "--prompt", "Lily had a dog", "--steps", "20", "--temperature", "0.8", "--top-k", "40", "--top-p", "0.9",
                "--seed", "3");
        assertEquals(0, outcome.exitCode(), outcome.err());
        assertTrue(outcome.out().startsWith("Lily had a dog"), outcome.out());
        TellmeRun again = TellmeRun.of("run", "--model", teacher(dir), "--path", "float",
                "--prompt", "Lily had a dog", "--steps", "20", "--temperature", "0.8", "--top-k", "40", "--top-p", "0.9",
                "--seed", "3");
        assertEquals(outcome.out().lines().findFirst(), again.out().lines().findFirst(), "seeded runs repeat");
    }

    @Test
    void badRunInputIsOneClearLine(@TempDir Path dir) throws IOException {
        TellmeRun missing = TellmeRun.of("run", "--model", "/no/such/model.gguf");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().startsWith("tellme: model file not found: /no/such/model.gguf"), missing.err());
        TellmeRun path = TellmeRun.of("run", "--path", "fast");
        assertEquals(2, path.exitCode());
        assertTrue(path.err().contains("unknown path 'fast'"), path.err());
        Path notAModel = Files.write(dir.resolve("weights.bin"), new byte[96]);
        TellmeRun malformed = TellmeRun.of("run", "--model", notAModel.toString());
        assertEquals(1, malformed.exitCode());
        assertTrue(malformed.err().contains("magic at byte 0"), malformed.err());
        assertTrue(!malformed.err().contains("\tat "), "no stack trace: " + malformed.err());
        TellmeRun floatByDefault = TellmeRun.of("run", "--model", teacher(dir), "--steps", "3");
        assertEquals(0, floatByDefault.exitCode(), floatByDefault.err());
        assertTrue(floatByDefault.err().contains("float path"), "a float model defaults to the float path");
        TellmeRun floatOnExact = TellmeRun.of("run", "--model", teacher(dir), "--path", "exact");
        assertEquals(2, floatOnExact.exitCode());
        assertTrue(floatOnExact.err().contains("ternary"), floatOnExact.err());
    }

    @Test
    void benchModelRunsOnASmallSyntheticModel(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        TellmeRun outcome = TellmeRun.of("bench", "model", "--layers", "1", "--vocab", "512", "--runs", "1", "--tokens", "2",
                "--warmup", "1", "--cache-dir", dir.toString());
        assertEquals(0, outcome.exitCode(), outcome.err());
        assertTrue(outcome.out().contains("tokens/s") && outcome.out().contains("GMAC/s"), outcome.out());
        assertTrue(outcome.out().contains("1 layers, hidden 1536, FFN 4096"), outcome.out());
    }

    @Test
    void benchNllReportsBothPaths(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        TellmeRun outcome = TellmeRun.of("bench", "model", "--nll", "--sequences", "2", "--length", "48", "--cache-dir", dir.toString());
        assertEquals(0, outcome.exitCode(), outcome.err());
        assertTrue(outcome.out().contains("float W1.58 A8 path") && outcome.out().contains("hardware-exact path"),
                outcome.out());
    }
}
