package dev.tellmej.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.model.TestModels;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufReader;
import dev.tellmej.model.gguf.GgufWriter;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    private static final long SEED = 424242;

    /** Random text: ASCII words, Latin-1, CJK, emoji, newlines and tabs. */
    static String randomText(SplittableRandom r, int length) {
        int[][] ranges = {{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {' ', ' '}, {0xC0, 0xFF}, {0x4E00, 0x4E80},
            {0x1F600, 0x1F640}, {'\n', '\n'}, {'\t', '\t'}, {'!', '/'}, {0x0410, 0x044F}};
        StringBuilder b = new StringBuilder();
        while (b.length() < length) {
            int[] range = ranges[r.nextInt(ranges.length)];
            b.appendCodePoint(r.nextInt(range[0], range[1] + 1));
        }
        return b.toString();
    }

    @Test
    void sentencePieceMatchesTheGoldenPromptAndRoundTrips() {
        try (GgufFile file = GgufFile.open(TestModels.file("stories260K.gguf"))) {
            Tokenizer tok = Tokenizer.fromGguf(file);
            assertEquals(512, tok.vocabSize());
            int[] ids = tok.encode("Once upon a time, there was a little girl named Lily.");
            assertArrayEquals(new int[] {403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426}, ids);
            SplittableRandom r = new SplittableRandom(SEED);
            for (int i = 0; i < 200; i++) {
                String text = randomText(r, 1 + r.nextInt(40));
                int[] encoded = tok.encode(text);
                int[] withBos = new int[encoded.length + 1];
                withBos[0] = tok.bos();
                System.arraycopy(encoded, 0, withBos, 1, encoded.length);
                // After BOS the dummy prefix space is dropped, as llama2.c does.
                assertEquals(text, tok.decode(withBos), "seed " + SEED + " case " + i);
            }
        }
    }

    @Test
    void streamingDecoderHoldsBackSplitCharacters() {
        try (GgufFile file = GgufFile.open(TestModels.file("stories260K.gguf"))) {
            Tokenizer tok = Tokenizer.fromGguf(file);
            int[] ids = tok.encode("é🦙 ok");
            StreamingDecoder d = new StreamingDecoder(tok);
            StringBuilder out = new StringBuilder();
            d.accept(tok.bos());
            for (int id : ids) {
                String piece = d.accept(id);
                assertEquals(-1, piece.indexOf('\uFFFD'), "never emits half a character");
                out.append(piece);
            }
            out.append(d.flush());
            assertEquals("é🦙 ok", out.toString());
        }
    }

    /** A toy byte-level BPE: the 256 byte symbols plus merges learned greedily from a corpus. */
    static GgufFile toyBpe(String corpus, int merges) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(ByteBpeTokenizer.spell(new byte[] {(byte) b}));
        }
        List<String> mergeList = new ArrayList<>();
        List<List<String>> words = new ArrayList<>();
        Matcher m = ByteBpeTokenizer.LLAMA3_SPLIT.matcher(corpus);
        while (m.find()) {
            List<String> symbols = new ArrayList<>();
            ByteBpeTokenizer.spell(m.group().getBytes(StandardCharsets.UTF_8)).codePoints()
                    .forEach(cp -> symbols.add(Character.toString(cp)));
            words.add(symbols);
        }
        for (int k = 0; k < merges; k++) {
            Map<String, Integer> counts = new HashMap<>();
            for (List<String> w : words) {
                for (int i = 0; i + 1 < w.size(); i++) {
                    counts.merge(w.get(i) + " " + w.get(i + 1), 1, Integer::sum);
                }
            }
            String best = counts.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                    .map(Map.Entry::getKey).orElse(null);
            if (best == null) {
                break;
            }
            String[] pair = best.split(" ", 2);
            mergeList.add(best);
            tokens.add(pair[0] + pair[1]);
            for (List<String> w : words) {
                for (int i = 0; i + 1 < w.size(); i++) {
                    if (w.get(i).equals(pair[0]) && w.get(i + 1).equals(pair[1])) {
                        w.set(i, pair[0] + pair[1]);
                        w.remove(i + 1);
                    }
                }
            }
        }
        tokens.add("<|begin_of_text|>");
        int[] types = new int[tokens.size()];
        java.util.Arrays.fill(types, 1);
        types[types.length - 1] = 3;
        byte[] bytes = new GgufWriter().putString("tokenizer.ggml.model", "gpt2").putStrings("tokenizer.ggml.tokens", tokens)
                .putStrings("tokenizer.ggml.merges", mergeList).putInts("tokenizer.ggml.token_type", types)
                .putU32("tokenizer.ggml.bos_token_id", tokens.size() - 1).putU32("tokenizer.ggml.eos_token_id", tokens.size() - 1)
                .toBytes();
        return GgufReader.read(Path.of("toy-bpe.gguf"), MemorySegment.ofArray(bytes));
    }

    @Test
    void byteLevelBpeRoundTripsRandomUnicode() {
        String corpus = "the cat sat on the mat. the dog's toy isn't there; they'll see 12345 cats!\n\n  the end";
        try (GgufFile file = toyBpe(corpus, 40)) {
            Tokenizer tok = Tokenizer.fromGguf(file);
            int[] ids = tok.encode("the cat");
            assertEquals(2, ids.length, "\"the\" and \" cat\" are learned words");
            assertEquals("the cat", tok.decode(ids));
            assertEquals("", tok.decode(new int[] {tok.bos()}), "control tokens decode to nothing");
            SplittableRandom r = new SplittableRandom(SEED);
            for (int i = 0; i < 300; i++) {
                String text = randomText(r, 1 + r.nextInt(60));
                assertEquals(text, tok.decode(tok.encode(text)), "seed " + SEED + " case " + i);
            }
        }
    }

    @Test
    void llama3PreTokenizerSplitsLikeTheReference() {
        List<String> parts = new ArrayList<>();
        Matcher m = ByteBpeTokenizer.LLAMA3_SPLIT.matcher("Hello world's 12345  x\n\n!!");
        while (m.find()) {
            parts.add(m.group());
        }
        assertEquals(List.of("Hello", " world", "'s", " ", "123", "45", " ", " x", "\n\n", "!!"), parts);
    }
}
