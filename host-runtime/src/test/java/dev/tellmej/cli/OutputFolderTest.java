package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder rule of {@code tellme rtl --out}, on nested output such as {@code --accelerator} writes. */
class OutputFolderTest {
    private static Map<String, String> files(String... namesAndTexts) {
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTexts.length; i += 2) {
            files.put(namesAndTexts[i], namesAndTexts[i + 1]);
        }
        return files;
    }

    @Test
    void replacingOutputDeletesTheFoldersItEmptiesAndKeepsTheUsersFiles(@TempDir Path dir) throws IOException {
        OutputFolder.RTL.write(dir, files("a/x.v", "x1", "b/y.v", "y1", "c/z.v", "z1"), false);
        Path notes = Files.writeString(dir.resolve("c/notes.txt"), "mine");

        OutputFolder.Outcome outcome = OutputFolder.RTL.write(dir, files("a/x.v", "x2"), true);

        assertEquals(List.of(dir.resolve("b/y.v"), dir.resolve("c/z.v")), outcome.removed());
        assertEquals("x2", Files.readString(dir.resolve("a/x.v")));
        assertTrue(Files.notExists(dir.resolve("b")), "a folder left empty goes");
        assertEquals("mine", Files.readString(notes), "a folder holding a user's file stays, with the file");
        assertEquals(List.of("a/x.v"), OutputFolder.readMarker(dir.resolve(OutputFolder.RTL.marker())));
    }

    @Test
    void aRefusedWriteChangesNothing(@TempDir Path dir) throws IOException {
        OutputFolder.RTL.write(dir, files("a/x.v", "x1"), false);
        Path theirs = Files.writeString(Files.createDirectories(dir.resolve("b")).resolve("y.v"), "theirs");
        String marker = Files.readString(dir.resolve(OutputFolder.RTL.marker()));

        CommandFailedException refused = assertThrows(CommandFailedException.class,
                () -> OutputFolder.RTL.write(dir, files("a/x.v", "x2", "b/y.v", "y2"), true));

        assertTrue(refused.getMessage().contains("b/y.v exists and was not written by 'tellme rtl'"), refused.getMessage());
        assertEquals("theirs", Files.readString(theirs));
        assertEquals("x1", Files.readString(dir.resolve("a/x.v")));
        assertEquals(marker, Files.readString(dir.resolve(OutputFolder.RTL.marker())));
    }

    @Test
    void aFileInsteadOfAFolderIsRefused(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("out"), "a file");
        CommandFailedException refused = assertThrows(CommandFailedException.class,
                () -> OutputFolder.RTL.write(file, files("x.v", "x"), true));
        assertEquals(file + " is not a folder", refused.getMessage());
        assertEquals("a file", Files.readString(file));
    }
}
