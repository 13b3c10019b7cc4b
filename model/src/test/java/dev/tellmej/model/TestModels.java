package dev.tellmej.model;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model files the tests read, all inside the repository: the two embedded models (extracted once into
 * {@code target/test-models}, as model readers map files) and the test data beside this class in
 * {@code src/test/resources/dev/tellmej/model/testdata} (provenance in its {@code PROVENANCE.md}).
 */
public final class TestModels {
    private TestModels() {}

    /**
     * A file by its name in the provenance tables: {@code stories260K.gguf} and
     * {@code stories260K-ternary-qat.gguf} (embedded), or a test data file such as {@code kat/kat_i2s_256.bin}.
     */
    public static Path file(String name) {
        for (EmbeddedModel model : EmbeddedModel.values()) {
            if (model.fileName().equals(name)) {
                return model.extractTo(testClasses().resolveSibling("test-models"));
            }
        }
        return testData(name);
    }

    /** A file of the test data folder. */
    public static Path testData(String name) {
        URL url = TestModels.class.getResource("testdata/" + name);
        if (url == null) {
            throw new IllegalStateException("test data file " + name + " is missing from"
                    + " model/src/test/resources/dev/tellmej/model/testdata");
        }
        try {
            Path file = Path.of(url.toURI());
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(file + " is not a file");
            }
            return file;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate test data " + url, e);
        }
    }

    /** The folder the test classes were loaded from ({@code model/target/test-classes}). */
    private static Path testClasses() {
        try {
            return Path.of(TestModels.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the test classes", e);
        }
    }
}
