package dev.tellmej.host;

import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text to prompt tokens, with a model's control tokens ({@code <|im_start|>}, {@code <|eot_id|>}) written in the
 * text taken as those tokens rather than spelled out piece by piece, and the chat template the model's GGUF
 * names.
 */
public final class PromptEncoder {
    /** GGUF {@code tokenizer.ggml.token_type} of control and user-defined tokens. */
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;

    private final Tokenizer tokenizer;
    private final Map<String, Integer> specials;
    private final ChatTemplate template;

    public PromptEncoder(Tokenizer tokenizer, Map<String, Integer> specials, ChatTemplate template) {
        this.tokenizer = tokenizer;
        // Longest first, so that a special token that contains another is matched whole.
        Map<String, Integer> ordered = new LinkedHashMap<>();
        specials.entrySet().stream().filter(e -> !e.getKey().isEmpty())
                .sorted(Comparator.comparingInt((Map.Entry<String, Integer> e) -> -e.getKey().length()))
                .forEach(e -> ordered.put(e.getKey(), e.getValue()));
        this.specials = ordered;
        this.template = template;
    }

    /** The encoder of a GGUF's tokenizer: its control tokens and its chat template's family. */
    public static PromptEncoder of(Tokenizer tokenizer, GgufFile gguf) {
        Map<String, Integer> specials = new LinkedHashMap<>();
        if (gguf.value("tokenizer.ggml.token_type").isPresent() && gguf.value("tokenizer.ggml.tokens").isPresent()) {
            List<String> tokens = gguf.getStringArray("tokenizer.ggml.tokens");
            int[] types = gguf.getIntArray("tokenizer.ggml.token_type");
            for (int i = 0; i < Math.min(tokens.size(), types.length); i++) {
                String t = tokens.get(i);
                // Only marker-like control tokens: <s>, </s> and <unk> are never written in a prompt's text.
                if ((types[i] == CONTROL || types[i] == USER_DEFINED) && t.length() > 3 && t.startsWith("<")
                        && t.endsWith(">") && i != tokenizer.bos() && i != tokenizer.eos()) {
                    specials.put(t, i);
                }
            }
        }
        return new PromptEncoder(tokenizer, specials,
                ChatTemplate.detect(gguf.optString("tokenizer.chat_template").orElse(null)));
    }

    /** The tokenizer. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The chat template's family. */
    public ChatTemplate template() {
        return template;
    }

    /** BOS, then {@code text}'s tokens. */
    public int[] withBos(String text) {
        int[] body = encode(text);
        int[] out = new int[body.length + 1];
        out[0] = tokenizer.bos();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** {@code text}'s tokens (no BOS), control tokens written in it taken as those tokens. */
    public int[] encode(String text) {
        List<int[]> parts = new ArrayList<>();
        int from = 0;
        int at = 0;
        while (at < text.length()) {
            String hit = null;
            for (String s : specials.keySet()) {
                if (text.startsWith(s, at)) {
                    hit = s;
                    break;
                }
            }
            if (hit == null) {
                at++;
                continue;
            }
            if (at > from) {
                parts.add(tokenizer.encode(text.substring(from, at)));
            }
            parts.add(new int[] {specials.get(hit)});
            at += hit.length();
            from = at;
        }
        if (from < text.length()) {
            parts.add(tokenizer.encode(text.substring(from)));
        }
        return parts.stream().flatMapToInt(Arrays::stream).toArray();
    }
}
