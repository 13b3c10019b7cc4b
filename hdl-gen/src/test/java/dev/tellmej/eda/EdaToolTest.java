package dev.tellmej.eda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EdaToolTest {
    @Test
    void everyRequiredToolIsInstalledAndRecentEnough() {
        // A missing tool throws ToolNotFoundException here: the suite fails instead of skipping.
        for (EdaTool tool : EdaTool.required()) {
            EdaTool.ToolVersion version = tool.version();
            assertTrue(version.major() > 0 || version.minor() > 0, () -> tool + " printed " + version.banner());
        }
    }

    @Test
    void verilatorVersionIsParsed() {
        EdaTool.ToolVersion version = EdaTool.VERILATOR.version();
        assertTrue(version.atLeast(5, 6), version.banner());
        assertTrue(version.banner().startsWith("Verilator "), version.banner());
    }

    @Test
    void commandCapturesBothStreamsAndTheExitCode() {
        ExternalCommand.Result result = ExternalCommand.of("sh", "-c", "echo out; echo err >&2; exit 3").run();
        assertEquals(3, result.exitCode());
        assertEquals("out\n", result.stdout());
        assertEquals("err\n", result.stderr());
        ToolFailedException failure = assertThrows(ToolFailedException.class, () -> result.requireSuccess("test"));
        assertEquals(3, failure.exitCode());
        assertTrue(failure.getMessage().contains("exited with 3"), failure.getMessage());
        assertTrue(failure.getMessage().contains("err"), failure.getMessage());
    }

    @Test
    void commandThatOverrunsItsTimeLimitIsKilled() {
        ToolFailedException failure = assertThrows(ToolFailedException.class,
                () -> ExternalCommand.of("sleep", "30").timeout(Duration.ofMillis(200)).run());
        assertEquals(-1, failure.exitCode());
        assertTrue(failure.getMessage().contains("did not finish"), failure.getMessage());
    }

    @Test
    void missingProgramSaysHowToInstall() {
        ToolFailedException failure = assertThrows(ToolFailedException.class,
                () -> ExternalCommand.of("no-such-program-tellmej").run());
        assertTrue(failure.getMessage().contains("scripts/setup"), failure.getMessage());
    }
}
