package dev.tellmej.model.tokenizer;

import dev.tellmej.model.gguf.GgufFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece-style BPE as llama2.c runs it: pieces with U+2581 for spaces, a dummy prefix space, one token
 * per character (or its {@code <0xNN>} byte tokens when the character is not a piece), then repeated merging of
 * the adjacent pair whose merged piece has the highest score (the leftmost on ties).
 */
public final class SentencePieceTokenizer implements Tokenizer {
    private static final String SPACE = "\u2581";
    /** GGUF token types. */
    private static final int TYPE_NORMAL = 1;
    private static final int TYPE_CONTROL = 3;
    private static final int TYPE_BYTE = 6;

    private final String[] pieces;
    private final float[] scores;
    private final int[] types;
    private final Map<String, Integer> ids = new HashMap<>();
    private final int[] byteTokens = new int[256];
    private final int bos;
    private final int eos;
    private final int unk;

    /**
     * @param types GGUF token types (1 normal, 2 unknown, 3 control, 6 byte), or null to infer byte tokens
     *              from their {@code <0xNN>} spelling
     */
    public SentencePieceTokenizer(List<String> pieces, float[] scores, int[] types, int bos, int eos, int unk) {
        if (scores.length != pieces.size() || (types != null && types.length != pieces.size())) {
            throw new IllegalArgumentException("pieces, scores and types differ in length");
        }
        this.pieces = pieces.toArray(String[]::new);
        this.scores = scores.clone();
        this.types = new int[pieces.size()];
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
        java.util.Arrays.fill(byteTokens, -1);
        for (int i = 0; i < this.pieces.length; i++) {
            String piece = this.pieces[i];
            int byteValue = byteValue(piece);
            this.types[i] = types != null ? types[i] : byteValue >= 0 ? TYPE_BYTE
                    : (i == bos || i == eos) ? TYPE_CONTROL : TYPE_NORMAL;
            if (this.types[i] == TYPE_BYTE && byteValue >= 0) {
                byteTokens[byteValue] = i;
            } else {
                ids.putIfAbsent(piece, i);
            }
        }
    }

    /** From GGUF metadata ({@code tokenizer.ggml.*}). */
    public static SentencePieceTokenizer fromGguf(GgufFile file) {
        List<String> tokens = file.getStringArray("tokenizer.ggml.tokens");
        float[] scores = file.value("tokenizer.ggml.scores").isPresent() ? file.getFloatArray("tokenizer.ggml.scores")
                : new float[tokens.size()];
        int[] types = file.value("tokenizer.ggml.token_type").isPresent()
                ? file.getIntArray("tokenizer.ggml.token_type") : null;
        if (scores.length != tokens.size() || (types != null && types.length != tokens.size())) {
            throw file.malformed("tokenizer.ggml.scores", "has " + scores.length + " scores / "
                    + (types == null ? "no" : types.length) + " types for " + tokens.size() + " tokens");
        }
        int bos = (int) file.getLong("tokenizer.ggml.bos_token_id", 1);
        int eos = (int) file.getLong("tokenizer.ggml.eos_token_id", 2);
        int unk = (int) file.getLong("tokenizer.ggml.unknown_token_id", 0);
        for (String key : List.of("tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")) {
            long id = file.getLong(key, 0);
            if (id < 0 || id >= tokens.size()) {
                throw file.malformed(key, "token id " + id + " is outside the vocabulary of " + tokens.size());
            }
        }
        return new SentencePieceTokenizer(tokens, scores, types, bos, eos, unk);
    }

    private static int byteValue(String piece) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            try {
                return Integer.parseInt(piece.substring(3, 5), 16);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> tokens = new ArrayList<>();
        if (text.isEmpty()) {
            return new int[0];
        }
        String normalized = SPACE + text.replace(" ", SPACE);
        normalized.codePoints().forEach(cp -> {
            String ch = Character.toString(cp);
            Integer id = ids.get(ch);
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
                    int t = byteTokens[b & 0xFF];
                    tokens.add(t >= 0 ? t : unk);
                }
            }
        });
        while (true) {
            float best = Float.NEGATIVE_INFINITY;
            int bestId = -1;
            int bestAt = -1;
            for (int i = 0; i + 1 < tokens.size(); i++) {
                Integer merged = ids.get(pieces[tokens.get(i)] + pieces[tokens.get(i + 1)]);
                if (merged != null && scores[merged] > best) {
                    best = scores[merged];
                    bestId = merged;
                    bestAt = i;
                }
            }
            if (bestAt < 0) {
                break;
            }
            tokens.set(bestAt, bestId);
            tokens.remove(bestAt + 1);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public byte[] tokenBytes(int id, int previous) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + pieces.length);
        }
        if (types[id] == TYPE_CONTROL) {
            return new byte[0];
        }
        if (types[id] == TYPE_BYTE) {
            int value = byteValue(pieces[id]);
            if (value >= 0) {
                return new byte[] {(byte) value};
            }
        }
        String text = pieces[id].replace(SPACE, " ");
        if (previous == bos && text.startsWith(" ")) {
            text = text.substring(1);
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The piece of a token as stored (with U+2581 for spaces). */
    public String piece(int id) {
        return pieces[id];
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int bos() {
        return bos;
    }

    @Override
    public int eos() {
        return eos;
    }
}
