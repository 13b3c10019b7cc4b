package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TellmeMainTest {
    private record Outcome(int exitCode, String out, String err) {}

    private static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TellmeMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Outcome outcome = run("--help");
        assertEquals(0, outcome.exitCode());
        assertTrue(outcome.out().contains("Commands:"), outcome.out());
        assertTrue(outcome.out().contains("demo"), outcome.out());
    }

    @Test
    void versionNamesTheProjectAndTheJvm() {
        Outcome outcome = run("--version");
        assertEquals(0, outcome.exitCode());
        assertTrue(outcome.out().startsWith("tellme 0."), outcome.out());
        assertTrue(outcome.out().contains("Java 25"), outcome.out());
    }

    @Test
    void unknownCommandFails() {
        Outcome outcome = run("no-such-command");
        assertEquals(2, outcome.exitCode());
        assertTrue(outcome.err().contains("no-such-command"), outcome.err());
    }

    @Test
    void demoChecksTheRealToolchainAndSaysWhatIsNotBuilt() {
        Outcome outcome = run("demo");
        assertEquals(0, outcome.exitCode(), outcome.out());
        assertTrue(outcome.out().contains("verilator"), outcome.out());
        assertTrue(outcome.out().contains("Verilator 5."), outcome.out());
        for (PipelineStage stage : PipelineStage.values()) {
            assertTrue(outcome.out().contains(stage.description()), stage.name());
        }
    }
}
