package dev.tellmej.model.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON for safetensors headers and Hugging Face config files, read with Jackson's streaming parser.
 * Objects become {@code LinkedHashMap<String, Object>} (in the file's order), arrays {@code List<Object>}, numbers
 * {@code Long} when integral and in range else {@code Double}, plus {@code String}, {@code Boolean} and
 * {@code null}. Duplicate keys, trailing commas, comments and trailing text are errors, and nesting is limited,
 * so a hostile header cannot overflow the stack.
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

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    private Json() {}

    /** Parses one JSON value that must fill the whole text (surrounding whitespace allowed). */
    public static Object parse(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new JsonException(0, "no JSON value");
            }
            Object value = value(parser, first);
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw new JsonException(offset(parser.currentTokenLocation()), "unexpected trailing characters");
            }
            return value;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new JsonException(at == null ? 0 : offset(at), e.getOriginalMessage());
        } catch (IOException e) {
            // A String source cannot fail to read.
            throw new IllegalStateException(e);
        }
    }

    private static int offset(JsonLocation location) {
        long chars = location.getCharOffset();
        return chars < 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, chars);
    }

    /** A Long, or a Double when the integer does not fit one (no ternary: it would widen every Long). */
    private static Object integer(JsonParser parser) throws IOException {
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return parser.getDoubleValue();
        }
        return parser.getLongValue();
    }

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String key = parser.currentName();
                    object.put(key, value(parser, parser.nextToken()));
                }
                yield object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    array.add(value(parser, t));
                }
                yield array;
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> integer(parser);
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new JsonException(offset(parser.currentTokenLocation()), "unexpected " + token);
        };
    }
}
