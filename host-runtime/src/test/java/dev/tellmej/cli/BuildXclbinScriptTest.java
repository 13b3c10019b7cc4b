package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.board.BuildManifest;
import dev.tellmej.eda.ExternalCommand;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/build-xclbin} on a machine without Vivado (this one, and CI): it writes the packaging files,
 * then stops with exit code 3 and a message that names Vivado, the version the flow was written for and the
 * commands left to run; a second run needs {@code --force} and leaves the user's files alone. The script runs the
 * classes under test ({@code TELLME_CMD}), with every folder that holds a {@code vivado} or {@code v++} taken off
 * the {@code PATH}.
 */
class BuildXclbinScriptTest {
    private static final Path ROOT = Path.of(System.getProperty("tellme.repo.root", ".."));

    @TempDir
    Path dir;

    private static ExternalCommand.Result buildXclbin(String... args) {
        String[] line = new String[args.length + 2];
        line[0] = "bash";
        line[1] = ROOT.resolve("scripts/build-xclbin").toString();
        System.arraycopy(args, 0, line, 2, args.length);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String path = Arrays.stream(System.getenv("PATH").split(File.pathSeparator))
                .filter(d -> !Files.exists(Path.of(d, "vivado")) && !Files.exists(Path.of(d, "v++")))
                .collect(Collectors.joining(File.pathSeparator));
        return ExternalCommand.of(line).timeout(Duration.ofMinutes(2))
                .env("TELLME_CMD", java + " -cp " + System.getProperty("java.class.path") + " "
                        + TellmeMain.class.getName())
                .env("PATH", path)
                .run();
    }

    @Test
    void withoutVivadoItWritesTheFilesAndStopsNamingTheToolAndTheStepsLeft() throws IOException {
        Path out = dir.resolve("kv260");
        ExternalCommand.Result first = buildXclbin("--config", "kv260", "--clock", "275", "--out", out.toString());
        assertEquals(3, first.exitCode(), first.output());
        assertTrue(first.stderr().contains("build-xclbin: Vivado not found on the PATH"), first.stderr());
        assertTrue(first.stderr().contains("Vivado and Vitis 2022.2"), first.stderr());
        assertTrue(first.stderr().contains("vivado -mode batch -notrace -source package_kernel.tcl"), first.stderr());
        assertTrue(first.stderr().contains("v++ --link --target hw --platform xilinx_kv260_base --config link.cfg"),
                first.stderr());
        for (String file : new String[] {"kernel.xml", "package_kernel.tcl", "link.cfg", "shell.json", "tellme.h",
                "rtl/tellme.v", "rtl/accelerator.f", BuildManifest.FILE_NAME}) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file + " was not written: " + first.output());
        }
        assertTrue(Files.readString(out.resolve("link.cfg")).contains("freqHz=275000000:tellme_1.ap_clk"));

        Path mine = out.resolve("notes.txt");
        Files.writeString(mine, "mine");
        ExternalCommand.Result again = buildXclbin("--config", "kv260", "--out", out.toString());
        assertEquals(1, again.exitCode(), again.output());
        assertTrue(again.stderr().contains("earlier 'tellme vitis'") && again.stderr().contains("--force"),
                again.stderr());
        ExternalCommand.Result forced = buildXclbin("--config", "kv260", "--out", out.toString(), "--force");
        assertEquals(3, forced.exitCode(), forced.output());
        assertTrue(Files.readString(out.resolve("link.cfg")).contains("freqHz=300000000:tellme_1.ap_clk"));
        assertEquals("mine", Files.readString(mine), "a file the script did not write is left alone");
    }

    @Test
    void aClockThatIsNotWholeMegahertzIsRefusedBeforeAnythingIsWritten() {
        Path out = dir.resolve("none");
        ExternalCommand.Result result = buildXclbin("--clock", "2.5e8", "--out", out.toString());
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.stderr().contains("--clock takes whole MHz"), result.stderr());
        assertTrue(!Files.exists(out));
    }
}
