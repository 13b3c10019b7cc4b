package dev.tellmej.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedModelTest {
    /** A provenance table row: | `file` | 1,234 | `sha256` | ... */
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| ([0-9,]+) \\| `([0-9a-f]{64})` \\|",
            Pattern.MULTILINE);

    private record Recorded(long bytes, String sha256) {}

    private static Map<String, Recorded> provenance(InputStream markdown) throws IOException {
        String text = new String(markdown.readAllBytes(), StandardCharsets.UTF_8);
        Map<String, Recorded> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(text);
        while (m.find()) {
            rows.put(m.group(1), new Recorded(Long.parseLong(m.group(2).replace(",", "")), m.group(3)));
        }
        return rows;
    }

    @Test
    void embeddedFilesMatchTheirProvenanceRecord() throws IOException {
        Map<String, Recorded> table;
        try (InputStream in = EmbeddedModel.class.getResourceAsStream("/dev/tellmej/model/embedded/PROVENANCE.md")) {
            table = provenance(in);
        }
        assertEquals(EmbeddedModel.values().length, table.size(), "one provenance row per embedded model: " + table);
        for (EmbeddedModel model : EmbeddedModel.values()) {
            assertEquals(new Recorded(model.sizeBytes(), model.sha256()), table.get(model.fileName()), model.fileName());
            try (InputStream in = model.open()) {
                byte[] bytes = in.readAllBytes();
                assertEquals(model.sizeBytes(), bytes.length, model.fileName());
                assertEquals(model.sha256(), EmbeddedModel.sha256Of(new java.io.ByteArrayInputStream(bytes)),
                        model.fileName());
            }
        }
    }

    @Test
    void testDataMatchesItsProvenanceRecord() throws IOException {
        Map<String, Recorded> table;
        try (InputStream in = Files.newInputStream(TestModels.testData("PROVENANCE.md"))) {
            table = provenance(in);
        }
        assertFalse(table.isEmpty(), "testdata/PROVENANCE.md has no rows");
        for (Map.Entry<String, Recorded> row : table.entrySet()) {
            Path file = TestModels.testData(row.getKey());
            assertEquals(row.getValue(), new Recorded(Files.size(file), EmbeddedModel.sha256Of(file)), row.getKey());
        }
        try (var files = Files.walk(TestModels.testData("PROVENANCE.md").getParent())) {
            Path root = TestModels.testData("PROVENANCE.md").getParent();
            files.filter(Files::isRegularFile).map(f -> root.relativize(f).toString().replace('\\', '/'))
                    .filter(name -> !name.equals("PROVENANCE.md"))
                    .forEach(name -> assertEquals(true, table.containsKey(name), name + " has no provenance row"));
        }
    }

    @Test
    void extractionIsIdempotent(@TempDir Path dir) throws IOException {
        Path first = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        long stamp = Files.getLastModifiedTime(first).toMillis();
        Path second = EmbeddedModel.STORIES_260K_TERNARY.extractTo(dir);
        assertEquals(first, second);
        assertEquals(stamp, Files.getLastModifiedTime(second).toMillis());
        assertEquals(EmbeddedModel.STORIES_260K_TERNARY.sizeBytes(), Files.size(second));
    }
}
