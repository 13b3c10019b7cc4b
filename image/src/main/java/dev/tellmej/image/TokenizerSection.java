package dev.tellmej.image;

import dev.tellmej.model.ModelFileException;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufReader;
import dev.tellmej.model.gguf.GgufValue;
import dev.tellmej.model.gguf.GgufWriter;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * The image's tokenizer section: a GGUF file with the model's {@code general.architecture} and every
 * {@code tokenizer.*} key, and no tensors. GGUF is used because the project already reads and writes it, and
 * its tokenizer readers then need no second format.
 */
public final class TokenizerSection {
    private TokenizerSection() {}

    /** The section's bytes for the tokenizer in {@code model}'s metadata. */
    public static byte[] encode(GgufFile model) {
        GgufWriter w = new GgufWriter();
        for (Map.Entry<String, GgufValue> e : model.metadata().entrySet()) {
            if (e.getKey().startsWith("tokenizer.") || e.getKey().equals("general.architecture")) {
                w.put(e.getKey(), e.getValue());
            }
        }
        return w.toBytes();
    }

    /**
     * The tokenizer stored in {@code image}, or null when it has none.
     *
     * @throws MalformedImageException when the section does not hold a tokenizer
     */
    public static Tokenizer read(MemoryImage image) {
        Section s = image.header().section(ImagePlan.TOKENIZER);
        if (s == null) {
            return null;
        }
        MemorySegment bytes = image.bytes().asSlice(s.offset(), s.size());
        try {
            GgufFile gguf = GgufReader.read(image.path(), bytes);
            return Tokenizer.fromGguf(gguf);
        } catch (ModelFileException e) {
            throw new MalformedImageException(image.path(), "section tokenizer", s.offset(), e.getMessage());
        }
    }
}
