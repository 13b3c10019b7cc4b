package dev.tellmej.model.tokenizer;

import dev.tellmej.model.gguf.GgufFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE of the GPT-2 / Llama-3 family: text is split by the Llama-3 pre-tokenizer pattern, each piece's
 * UTF-8 bytes are spelled with the GPT-2 byte-to-character map, and adjacent symbols are merged by the rank of
 * their pair in the merge list (lowest rank first, leftmost on ties) until no ranked pair is left. Special
 * tokens are not recognized inside text; they are added by id.
 */
public final class ByteBpeTokenizer implements Tokenizer {
    /** The Llama-3 pre-tokenizer pattern, with Unicode classes for \s as the original (Rust) regex has. */
    public static final Pattern LLAMA3_SPLIT = Pattern.compile(
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final int TYPE_CONTROL = 3;

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        // GPT-2's map: printable Latin-1 bytes stand for themselves; the other 68 bytes are moved to 256 + k.
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private final String[] tokens;
    private final int[] types;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, Integer> ranks = new HashMap<>();
    private final int bos;
    private final int eos;

    /**
     * @param merges pairs "left right" in priority order
     * @param types  GGUF token types (3 = control, decoded as nothing), or null
     */
    public ByteBpeTokenizer(List<String> tokens, List<String> merges, int[] types, int bos, int eos) {
        this.tokens = tokens.toArray(String[]::new);
        this.types = types == null ? new int[this.tokens.length] : types.clone();
        this.bos = bos;
        this.eos = eos;
        for (int i = 0; i < this.tokens.length; i++) {
            ids.putIfAbsent(this.tokens[i], i);
        }
        for (int r = 0; r < merges.size(); r++) {
            String m = merges.get(r);
            int space = m.indexOf(' ', 1);
            if (space < 0) {
                throw new IllegalArgumentException("merge #" + r + " \"" + m + "\" is not two symbols");
            }
            ranks.putIfAbsent(m.substring(0, space) + "\u0000" + m.substring(space + 1), r);
        }
        for (int b = 0; b < 256; b++) {
            if (!ids.containsKey(String.valueOf(BYTE_TO_CHAR[b]))) {
                throw new IllegalArgumentException("the vocabulary has no token for byte " + b);
            }
        }
    }

    /** From GGUF metadata ({@code tokenizer.ggml.tokens}, {@code merges}, {@code token_type}). */
    public static ByteBpeTokenizer fromGguf(GgufFile file) {
        List<String> tokens = file.getStringArray("tokenizer.ggml.tokens");
        List<String> merges = file.getStringArray("tokenizer.ggml.merges");
        int[] types = file.value("tokenizer.ggml.token_type").isPresent()
                ? file.getIntArray("tokenizer.ggml.token_type") : null;
        if (types != null && types.length != tokens.size()) {
            throw file.malformed("tokenizer.ggml.token_type", types.length + " types for " + tokens.size() + " tokens");
        }
        try {
            return new ByteBpeTokenizer(tokens, merges, types, (int) file.getLong("tokenizer.ggml.bos_token_id", 0),
                    (int) file.getLong("tokenizer.ggml.eos_token_id", 0));
        } catch (IllegalArgumentException e) {
            throw file.malformed("tokenizer.ggml.merges", e.getMessage());
        }
    }

    /** The GPT-2 spelling of raw bytes. */
    public static String spell(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            out.append(BYTE_TO_CHAR[b & 0xFF]);
        }
        return out.toString();
    }

    @Override
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = LLAMA3_SPLIT.matcher(text);
        while (m.find()) {
            String piece = spell(m.group().getBytes(StandardCharsets.UTF_8));
            Integer whole = ids.get(piece);
            if (whole != null) {
                out.add(whole);
                continue;
            }
            List<String> symbols = new ArrayList<>();
            piece.codePoints().forEach(cp -> symbols.add(Character.toString(cp)));
            while (symbols.size() > 1) {
                int bestRank = Integer.MAX_VALUE;
                int bestAt = -1;
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    Integer rank = ranks.get(symbols.get(i) + "\u0000" + symbols.get(i + 1));
                    if (rank != null && rank < bestRank) {
                        bestRank = rank;
                        bestAt = i;
                    }
                }
                if (bestAt < 0) {
                    break;
                }
                symbols.set(bestAt, symbols.get(bestAt) + symbols.get(bestAt + 1));
                symbols.remove(bestAt + 1);
            }
            for (String s : symbols) {
                Integer id = ids.get(s);
                if (id != null) {
                    out.add(id);
                } else {
                    // A merge result missing from the vocabulary: fall back to its bytes.
                    s.codePoints().forEach(cp -> out.add(ids.get(Character.toString(cp))));
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public byte[] tokenBytes(int id, int previous) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + tokens.length);
        }
        if (types[id] == TYPE_CONTROL) {
            return new byte[0];
        }
        String t = tokens[id];
        byte[] out = new byte[t.length()];
        int n = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                // Not a byte-level spelling (e.g. an added special token): emit its UTF-8.
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out = java.util.Arrays.copyOf(out, out.length + raw.length);
                System.arraycopy(raw, 0, out, n, raw.length);
                n += raw.length;
            } else {
                out[n++] = (byte) b;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    @Override
    public int vocabSize() {
        return tokens.length;
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
