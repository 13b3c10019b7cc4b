package dev.tellmej.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The command lines of docs/host.md's {@code sh} blocks, so that the tests run what the guide shows. */
final class HostDocExamples {
    private static final Pattern SH_BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern WORD = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)");

    private HostDocExamples() {}

    /** Every line of the guide's sh blocks that starts with {@code prefix}, split into words as a shell would. */
    static List<List<String>> lines(String prefix) {
        String guide;
        try {
            guide = Files.readString(Path.of(System.getProperty("tellme.repo.root", "..")).resolve("docs/host.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<List<String>> out = new ArrayList<>();
        Matcher block = SH_BLOCK.matcher(guide);
        while (block.find()) {
            for (String line : block.group(1).lines().toList()) {
                if (line.startsWith(prefix)) {
                    List<String> words = new ArrayList<>();
                    Matcher w = WORD.matcher(line);
                    while (w.find()) {
                        words.add(w.group(1) != null ? w.group(1) : w.group(2) != null ? w.group(2) : w.group(3));
                    }
                    out.add(words);
                }
            }
        }
        return out;
    }
}
