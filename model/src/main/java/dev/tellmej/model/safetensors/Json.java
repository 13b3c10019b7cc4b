package dev.tellmej.model.safetensors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser for safetensors headers and Hugging Face config files. Objects become
 * {@code LinkedHashMap<String, Object>}, arrays {@code List<Object>}, numbers {@code Long} when integral and in
 * range else {@code Double}, plus {@code String}, {@code Boolean} and {@code null}. Nesting is limited, so a
 * hostile header cannot overflow the stack.
 */
public final class Json {
    /** A syntax error at a character position of the input. */
    public static final class JsonException extends RuntimeException {
        private final int position;

        JsonException(int position, String message) {
            super(message + " at character " + position);
            this.position = position;
        }

        /** Character index in the parsed text. */
        public int position() {
            return position;
        }
    }

    private static final int MAX_DEPTH = 64;
    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON value that must fill the whole text (surrounding whitespace allowed). */
    public static Object parse(String text) {
        Json json = new Json(text);
        json.skipSpace();
        Object value = json.value(0);
        json.skipSpace();
        if (json.pos != text.length()) {
            throw new JsonException(json.pos, "unexpected trailing characters");
        }
        return value;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                break;
            }
            pos++;
        }
    }

    private char peek() {
        if (pos >= text.length()) {
            throw new JsonException(pos, "unexpected end of JSON");
        }
        return text.charAt(pos);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new JsonException(pos, "expected '" + c + "', found '" + peek() + "'");
        }
        pos++;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw new JsonException(pos, "nested deeper than " + MAX_DEPTH);
        }
        char c = peek();
        switch (c) {
            case '{': {
                pos++;
                Map<String, Object> map = new LinkedHashMap<>();
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    return map;
                }
                while (true) {
                    skipSpace();
                    int keyAt = pos;
                    String key = string();
                    if (map.containsKey(key)) {
                        throw new JsonException(keyAt, "duplicate key \"" + key + "\"");
                    }
                    skipSpace();
                    expect(':');
                    skipSpace();
                    map.put(key, value(depth + 1));
                    skipSpace();
                    if (peek() == ',') {
                        pos++;
                        continue;
                    }
                    expect('}');
                    return map;
                }
            }
            case '[': {
                pos++;
                List<Object> list = new ArrayList<>();
                skipSpace();
                if (peek() == ']') {
                    pos++;
                    return list;
                }
                while (true) {
                    skipSpace();
                    list.add(value(depth + 1));
                    skipSpace();
                    if (peek() == ',') {
                        pos++;
                        continue;
                    }
                    expect(']');
                    return list;
                }
            }
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            default:
                return number();
        }
    }

    private void literal(String word) {
        if (!text.startsWith(word, pos)) {
            throw new JsonException(pos, "expected " + word);
        }
        pos += word.length();
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = peek();
            pos++;
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw new JsonException(pos - 1, "control character in string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = peek();
            pos++;
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw new JsonException(pos, "truncated \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(pos + i), 16);
                        if (digit < 0) {
                            throw new JsonException(pos + i, "bad hex digit in \\u escape");
                        }
                        code = code * 16 + digit;
                    }
                    pos += 4;
                    out.append((char) code);
                }
                default -> throw new JsonException(pos - 1, "bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (pos < text.length() && text.charAt(pos) == '-') {
            pos++;
        }
        boolean integral = true;
        int digits = 0;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                integral = false;
            } else {
                break;
            }
            pos++;
        }
        String token = text.substring(start, pos);
        if (digits == 0) {
            throw new JsonException(start, "unexpected character '" + (start < text.length() ? text.charAt(start) : '?') + "'");
        }
        try {
            if (integral && token.length() <= 18) {
                return Long.parseLong(token);
            }
            return Double.parseDouble(token);
        } catch (NumberFormatException e) {
            throw new JsonException(start, "bad number " + token);
        }
    }
}
