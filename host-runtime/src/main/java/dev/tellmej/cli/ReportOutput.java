package dev.tellmej.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a {@code tellme report} command delivers its result: the Markdown report written to its file, then either the
 * result as JSON ({@code --json}) or the report and where it went on standard output.
 */
final class ReportOutput {
    private ReportOutput() {}

    /** Writes {@code markdown} to {@code file} (creating its folder), then prints {@code result} or the report. */
    static void deliver(Path file, String markdown, Record result, JsonOption json, PrintWriter console) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, markdown);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        if (json.enabled()) {
            json.print(result);
        } else {
            console.print(markdown);
            console.println("wrote " + file);
            console.flush();
        }
    }
}
