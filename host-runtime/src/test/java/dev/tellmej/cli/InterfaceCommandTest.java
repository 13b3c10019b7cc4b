package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.CHeaderWriter;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.accel.protocol.KernelXmlWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tellme interface}: tellme.h and kernel.xml for a build, into a folder it owns. */
class InterfaceCommandTest {
    private static List<String> marker(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve(OutputFolder.INTERFACE.marker())).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
    }

    @Test
    void writesTheHeaderAndTheKernelXmlOfTheBuild(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("sim-small");
        TellmeRun run = TellmeRun.of("interface", "--config", "sim-small", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        AcceleratorConfig config = AcceleratorConfig.simSmall();
        assertEquals(CHeaderWriter.write(config), Files.readString(out.resolve("tellme.h")));
        assertEquals(KernelXmlWriter.write(KernelInterface.of(config), "sim-small"),
                Files.readString(out.resolve("kernel.xml")));
        assertEquals(List.of("tellme.h", "kernel.xml"), marker(out));
        assertTrue(run.out().contains("wrote " + out.resolve("tellme.h")), run.out());
        assertTrue(run.out().endsWith("tellme (sim-small): 9 arguments, 3 AXI4 master ports, 18 registers after the"
                + " control block\n"), run.out());
    }

    @Test
    void theDefaultBuildIsKv260AndARerunNeedsForce(@TempDir Path dir) throws IOException {
        assertEquals(0, TellmeRun.of("interface", "--out", dir.toString()).exitCode());
        assertTrue(Files.readString(dir.resolve("tellme.h")).contains("#define TELLME_CONFIG_NAME                  \"kv260\""));
        Path notes = Files.writeString(dir.resolve("notes.txt"), "mine");

        TellmeRun again = TellmeRun.of("interface", "--out", dir.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().startsWith("tellme: " + dir + " holds the output of an earlier 'tellme interface'\n"
                + "Add --force to replace it: 'tellme interface' then deletes only the files .tellme-interface lists."),
                again.err());

        TellmeRun forced = TellmeRun.of("interface", "--config", "sim-small", "--out", dir.toString(), "--force");
        assertEquals(0, forced.exitCode(), forced.err());
        assertTrue(Files.readString(dir.resolve("tellme.h")).contains("\"sim-small\""));
        assertEquals("mine", Files.readString(notes));
    }

    @Test
    void aFolderOfAnotherCommandOrOfTheUserIsRefused(@TempDir Path dir) throws IOException {
        Path rtl = dir.resolve("rtl");
        assertEquals(0, TellmeRun.of("rtl", "counter", "--out", rtl.toString()).exitCode());
        TellmeRun refused = TellmeRun.of("interface", "--out", rtl.toString(), "--force");
        assertEquals(1, refused.exitCode());
        assertTrue(refused.err().startsWith("tellme: " + rtl + " is not empty and was not written by 'tellme interface'"
                + " (it has no .tellme-interface)"), refused.err());
        assertTrue(Files.notExists(rtl.resolve("tellme.h")));

        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("tellme.h"), "my header");
        TellmeRun theirs = TellmeRun.of("interface", "--out", mine.toString(), "--force");
        assertEquals(1, theirs.exitCode());
        assertEquals("my header", Files.readString(mine.resolve("tellme.h")));
    }

    @Test
    void usageErrorsNameTheProblem() {
        TellmeRun noOut = TellmeRun.of("interface");
        assertEquals(2, noOut.exitCode());
        assertEquals("tellme: --out DIR is required: the folder for tellme.h and kernel.xml",
                noOut.err().lines().findFirst().orElse(""));
        assertTrue(noOut.err().contains("Try 'tellme interface --help' for the options."), noOut.err());
        TellmeRun badConfig = TellmeRun.of("interface", "--config", "kv26", "--out", "x");
        assertEquals(2, badConfig.exitCode());
        assertTrue(badConfig.err().startsWith("tellme: unknown configuration 'kv26'; did you mean 'kv260'?"),
                badConfig.err());
    }
}
