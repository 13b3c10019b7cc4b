package dev.tellmej.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedModelTest {
    @Test
    void embeddedFilesMatchTheirProvenanceRecord() throws IOException {
        for (EmbeddedModel model : EmbeddedModel.values()) {
            try (InputStream in = model.open()) {
                assertEquals(model.sha256(), EmbeddedModel.sha256Of(in), model.fileName());
            }
        }
    }

    @Test
    void embeddedFilesAreTheSharedOnes() throws IOException {
        Path shared = SharedModels.dir();
        for (EmbeddedModel model : EmbeddedModel.values()) {
            Path file = shared.resolve(model.fileName());
            assertEquals(model.sizeBytes(), Files.size(file), model.fileName());
            assertEquals(model.sha256(), EmbeddedModel.sha256Of(file), model.fileName());
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
