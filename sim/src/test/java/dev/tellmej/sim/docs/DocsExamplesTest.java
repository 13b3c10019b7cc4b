package dev.tellmej.sim.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every Java block of docs/sim.md is a region of SimGuideExamplesTest, so the guide shows code that runs. */
class DocsExamplesTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void theGuidesJavaBlocksAreCompiledExamples() throws IOException {
        Path root = Path.of(System.getProperty("tellme.repo.root", ".."));
        String guide = Files.readString(root.resolve("docs/sim.md"));
        String examples = normalize(Files.readString(
                Path.of("src/test/java/dev/tellmej/sim/docs/SimGuideExamplesTest.java")));
        List<String> blocks = new ArrayList<>();
        Matcher matcher = JAVA_BLOCK.matcher(guide);
        while (matcher.find()) {
            blocks.add(matcher.group(1));
        }
        assertTrue(blocks.size() >= 5, "the guide has " + blocks.size() + " Java blocks");
        for (String block : blocks) {
            assertTrue(examples.contains(normalize(block)), "docs/sim.md shows code that is not in"
                    + " SimGuideExamplesTest:\n" + block);
        }
    }

    /** Lines stripped of indentation, blank lines dropped: the guide may indent differently. */
    private static String normalize(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.lines().toList()) {
            if (!line.isBlank()) {
                out.append(line.strip()).append('\n');
            }
        }
        return out.toString();
    }
}
