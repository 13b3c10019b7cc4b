package dev.tellmej.model.tokenizer;

import dev.tellmej.model.gguf.GgufFile;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Text to token ids and back. */
public sealed interface Tokenizer permits SentencePieceTokenizer, ByteBpeTokenizer {
    /** Token ids for {@code text}, without BOS or EOS. */
    int[] encode(String text);

    /**
     * The bytes token {@code id} contributes to the text. {@code previous} is the token before it (-1 at the
     * start), because SentencePiece drops the leading space of the first piece after BOS.
     */
    byte[] tokenBytes(int id, int previous);

    int vocabSize();

    /** Beginning-of-sequence id. */
    int bos();

    /** End-of-sequence id. */
    int eos();

    /** The text of a token sequence (invalid UTF-8 becomes U+FFFD). */
    default String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        for (int id : ids) {
            out.writeBytes(tokenBytes(id, previous));
            previous = id;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The tokenizer stored in a GGUF file's metadata ({@code tokenizer.ggml.model} llama or gpt2). */
    static Tokenizer fromGguf(GgufFile file) {
        String model = file.getString("tokenizer.ggml.model");
        return switch (model) {
            case "llama" -> SentencePieceTokenizer.fromGguf(file);
            case "gpt2" -> ByteBpeTokenizer.fromGguf(file);
            default -> throw file.malformed("tokenizer.ggml.model", "tokenizer " + model
                    + " is not supported (llama, gpt2)");
        };
    }
}
