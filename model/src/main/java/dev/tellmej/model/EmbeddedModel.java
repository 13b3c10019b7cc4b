package dev.tellmej.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The small models shipped inside the jar (provenance in {@code embedded/PROVENANCE.md}), so the demo and
 * the tests run without a download.
 */
public enum EmbeddedModel {
    /** Float (F32) stories260K, LLaMA architecture, SentencePiece vocabulary of 512. */
    STORIES_260K("stories260K.gguf", 1_185_376L,
            "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d"),
    /** The BitNet b1.58 student of stories260K: ternary I2_S linears, F32 elsewhere. */
    STORIES_260K_TERNARY("stories260K-ternary-qat.gguf", 337_056L,
            "498f0f0dbc533a4d1618cfa649458122fb0f7c9c5eef0433881ec1c7a6b90b08"),
    /**
     * The same student as a safetensors checkpoint in the bitnet-b1.58-2B-4T packed layout (U8 {@code [out/4, in]}
     * with a multiplying {@code weight_scale}); its tokenizer and configuration come from the GGUF student.
     */
    STORIES_260K_TERNARY_SAFETENSORS("stories260K-ternary-qat.safetensors", 330_364L,
            "0df2edf02ff09804f93709ec658db6f8cbc2769f6a96ace6110a19520fcc18a3");

    private static final String RESOURCE_DIR = "/dev/tellmej/model/embedded/";

    private final String fileName;
    private final long sizeBytes;
    private final String sha256;

    EmbeddedModel(String fileName, long sizeBytes, String sha256) {
        this.fileName = fileName;
        this.sizeBytes = sizeBytes;
        this.sha256 = sha256;
    }

    /** The file's name, as in the shared models folder. */
    public String fileName() {
        return fileName;
    }

    /** Its size in bytes. */
    public long sizeBytes() {
        return sizeBytes;
    }

    /** Its SHA-256, lower-case hex, as recorded in the provenance table. */
    public String sha256() {
        return sha256;
    }

    /** Opens the resource; the caller closes the stream. */
    public InputStream open() {
        InputStream stream = EmbeddedModel.class.getResourceAsStream(RESOURCE_DIR + fileName);
        if (stream == null) {
            throw new IllegalStateException("embedded model " + fileName + " is missing from the classpath;"
                    + " rebuild the model module (mvn -pl model package)");
        }
        return stream;
    }

    /**
     * Copies the model to {@code dir/fileName} unless an identical copy is already there, and returns its path.
     * Model readers memory-map files, so a jar resource must become a file first.
     */
    public Path extractTo(Path dir) {
        Path target = dir.resolve(fileName);
        try {
            if (Files.isRegularFile(target) && Files.size(target) == sizeBytes && sha256Of(target).equals(sha256)) {
                return target;
            }
            Files.createDirectories(dir);
            Path partial = Files.createTempFile(dir, fileName, ".part");
            try (InputStream in = open()) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract embedded model " + fileName + " to " + dir, e);
        }
    }

    /** SHA-256 of a file's bytes, lower-case hex. */
    public static String sha256Of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256Of(in);
        }
    }

    /** SHA-256 of a stream's remaining bytes, lower-case hex. */
    public static String sha256Of(InputStream in) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
