package dev.tellmej.host.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tellmej.host.ChatMessage;
import dev.tellmej.host.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A completion request's fields, checked: each wrong field is a 400 that names it. OpenAI's fields
 * ({@code max_tokens}, {@code temperature}, {@code top_p}, {@code seed}, {@code stop}, {@code stream}, {@code n})
 * and llama.cpp's extensions ({@code top_k}, {@code min_p}, {@code repeat_penalty}).
 *
 * @param maxTokens -1 when absent and the endpoint has no default (chat: until end of text or context full)
 */
record ApiRequest(String prompt, List<ChatMessage> messages, int maxTokens, SamplingParams sampling,
                  List<String> stops, boolean stream) {
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    /** A {@code /v1/completions} body. */
    static ApiRequest completion(JsonNode body) {
        JsonNode p = body.get("prompt");
        String prompt;
        if (p == null || p.isNull()) {
            throw ApiException.badRequest("prompt", "'prompt' is required");
        } else if (p.isTextual()) {
            prompt = p.asText();
        } else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            prompt = p.get(0).asText();
        } else {
            throw ApiException.badRequest("prompt", "'prompt' must be a string (or an array of one string)");
        }
        return new ApiRequest(prompt, null, intField(body, "max_tokens", 16), sampling(body), stops(body),
                bool(body, "stream"));
    }

    /** A {@code /v1/chat/completions} body. */
    static ApiRequest chat(JsonNode body) {
        JsonNode m = body.get("messages");
        if (m == null || !m.isArray() || m.isEmpty()) {
            throw ApiException.badRequest("messages", "'messages' must be a non-empty array of {role, content}");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            JsonNode message = m.get(i);
            String where = "messages[" + i + "]";
            if (!message.isObject() || !message.path("role").isTextual()) {
                throw ApiException.badRequest(where, where + " must be an object with a string 'role'");
            }
            String role = message.get("role").asText();
            if (!ROLES.contains(role)) {
                throw ApiException.badRequest(where + ".role", where + ".role is '" + role
                        + "'; tellme knows system, user and assistant");
            }
            messages.add(new ChatMessage(role, content(message.get("content"), where)));
        }
        int maxTokens = intField(body, body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens", -1);
        return new ApiRequest(null, messages, maxTokens, sampling(body), stops(body), bool(body, "stream"));
    }

    /** A string, or an array of {type: text, text} parts. */
    private static String content(JsonNode c, String where) {
        if (c != null && c.isTextual()) {
            return c.asText();
        }
        if (c != null && c.isArray()) {
            StringBuilder s = new StringBuilder();
            for (JsonNode part : c) {
                if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
                    throw ApiException.badRequest(where + ".content", where + ".content: only text parts are"
                            + " supported");
                }
                s.append(part.get("text").asText());
            }
            return s.toString();
        }
        throw ApiException.badRequest(where + ".content", where + ".content must be a string");
    }

    private static SamplingParams sampling(JsonNode body) {
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.canConvertToInt() && n.isIntegralNumber() && n.asInt() == 1)) {
            throw ApiException.badRequest("n", "'n' must be 1: the server makes one choice per request");
        }
        double temperature = number(body, "temperature", 1.0, 0, 2);
        double topP = number(body, "top_p", 1.0, 0, 1);
        if (topP == 0) {
            throw ApiException.badRequest("top_p", "'top_p' must be in (0, 1]");
        }
        int topK = intField(body, "top_k", 0);
        double minP = number(body, "min_p", 0, 0, 0.999);
        double penalty = number(body, "repeat_penalty", 1, 1, 100);
        JsonNode seed = body.get("seed");
        long s;
        if (seed == null || seed.isNull()) {
            s = new SplittableRandom().nextLong(Long.MAX_VALUE);
        } else if (seed.isIntegralNumber() && seed.canConvertToLong()) {
            s = seed.asLong();
        } else {
            throw ApiException.badRequest("seed", "'seed' must be an integer");
        }
        return new SamplingParams((float) temperature, topK, (float) topP, (float) minP, (float) penalty, 64, s);
    }

    private static List<String> stops(JsonNode body) {
        JsonNode stop = body.get("stop");
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (stop.isArray() && stop.size() <= 4) {
            List<String> out = new ArrayList<>();
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw ApiException.badRequest("stop", "'stop' must be a string or an array of up to 4 strings");
                }
                out.add(s.asText());
            }
            return out;
        }
        throw ApiException.badRequest("stop", "'stop' must be a string or an array of up to 4 strings");
    }

    private static int intField(JsonNode body, String name, int fallback) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw ApiException.badRequest(name, "'" + name + "' must be a non-negative integer");
        }
        return v.asInt();
    }

    private static double number(JsonNode body, String name, double fallback, double min, double max) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            throw ApiException.badRequest(name, "'" + name + "' must be a number from " + min + " to " + max);
        }
        return v.asDouble();
    }

    private static boolean bool(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest(name, "'" + name + "' must be true or false");
        }
        return v.asBoolean();
    }
}
