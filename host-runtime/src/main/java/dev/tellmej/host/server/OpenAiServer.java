package dev.tellmej.host.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tellmej.device.CallRefusedException;
import dev.tellmej.host.ContextFullException;
import dev.tellmej.host.CorruptLogitsException;
import dev.tellmej.host.DeviceSlot;
import dev.tellmej.host.GenerationRequest;
import dev.tellmej.host.GenerationResult;
import dev.tellmej.host.PromptEncoder;
import dev.tellmej.host.StopReason;
import dev.tellmej.host.Timings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code tellme serve}: an HTTP server with OpenAI's completion endpoints on one device. Requests queue for the
 * device and run one at a time ({@link DeviceSlot}); {@code stream: true} answers as server-sent events, and a
 * client that goes away mid-stream stops its generation at the next token, freeing the device; one that leaves
 * a request without {@code stream} is noticed between tokens too ({@link ClientProbe}). Every failure
 * is a JSON error (400 for the request's fault, 500/503 for the server's) and the server goes on serving.
 *
 * <p>Endpoints: {@code POST /v1/completions}, {@code POST /v1/chat/completions}, {@code GET /v1/models},
 * {@code GET /health}.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bodies above this are refused: a prompt of a million characters is not a request, it is a mistake. */
    private static final int MAX_BODY_BYTES = 8 << 20;

    private final HttpServer http;
    private final ExecutorService executor;
    private final DeviceSlot slot;
    private final PromptEncoder encoder;
    private final String modelId;
    private final AtomicLong cancelled = new AtomicLong();

    private OpenAiServer(HttpServer http, ExecutorService executor, DeviceSlot slot, PromptEncoder encoder,
                         String modelId) {
        this.http = http;
        this.executor = executor;
        this.slot = slot;
        this.encoder = encoder;
        this.modelId = modelId;
    }

    /**
     * Starts serving on {@code host:port} (port 0: any free one).
     *
     * @param slot    the device the requests share
     * @param encoder the model's prompt encoder and chat template
     * @param modelId the name {@code /v1/models} gives and responses carry
     */
    public static OpenAiServer start(String host, int port, DeviceSlot slot, PromptEncoder encoder, String modelId)
            throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 64);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(executor);
        OpenAiServer server = new OpenAiServer(http, executor, slot, encoder, modelId);
        http.createContext("/", server::handle);
        http.start();
        return server;
    }

    /** The port it listens on. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://host:port}. */
    public String url() {
        return "http://" + http.getAddress().getHostString() + ":" + port();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            try {
                route(exchange);
            } catch (ApiException e) {
                sendError(exchange, e);
            } catch (ContextFullException e) {
                sendError(exchange, new ApiException(400, "invalid_request_error", null, "context_length_exceeded",
                        e.getMessage()));
            } catch (CallRefusedException e) {
                sendError(exchange, new ApiException(400, "invalid_request_error", null, e.code().name()
                        .toLowerCase(java.util.Locale.ROOT), e.getMessage()));
            } catch (CorruptLogitsException e) {
                sendError(exchange, new ApiException(500, "server_error", null, "corrupt_model", e.getMessage()));
            } catch (DeviceSlot.InterruptedQueueException e) {
                sendError(exchange, new ApiException(503, "server_error", null, "shutting_down", e.getMessage()));
            } catch (RuntimeException e) {
                sendError(exchange, new ApiException(500, "server_error", null, "device_fault", "the device failed: "
                        + e.getMessage() + " (it is opened again for the next request)"));
            }
        } catch (IOException e) {
            // The client went away while we answered: nothing left to tell it.
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        switch (path) {
            case "/health" -> {
                requireMethod(method, "GET");
                sendJson(exchange, 200, health());
            }
            case "/v1/models" -> {
                requireMethod(method, "GET");
                sendJson(exchange, 200, models());
            }
            case "/v1/completions" -> {
                requireMethod(method, "POST");
                complete(exchange, ApiRequest.completion(body(exchange)), false);
            }
            case "/v1/chat/completions" -> {
                requireMethod(method, "POST");
                complete(exchange, ApiRequest.chat(body(exchange)), true);
            }
            default -> throw new ApiException(404, "invalid_request_error", null, "not_found", "no endpoint " + path
                    + " (there are /v1/completions, /v1/chat/completions, /v1/models and /health)");
        }
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new ApiException(405, "invalid_request_error", null, "method_not_allowed", "use " + expected
                    + ", not " + method);
        }
    }

    private static JsonNode body(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "invalid_request_error", null, "too_large", "the body is over "
                    + MAX_BODY_BYTES + " bytes");
        }
        JsonNode body;
        try {
            body = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(null, "the body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")" : ""));
        }
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest(null, "the body must be a JSON object");
        }
        return body;
    }

    private ObjectNode health() {
        DeviceSlot.Status s = slot.status();
        ObjectNode out = JSON.createObjectNode();
        out.put("status", "ok");
        out.put("device", s.device());
        out.put("context_length", s.context());
        ObjectNode queue = out.putObject("queue");
        queue.put("policy", "one request at a time on the device, in arrival order");
        queue.put("busy", s.busy());
        queue.put("waiting", s.waiting());
        out.put("served", s.served());
        out.put("failed", s.failed());
        out.put("cancelled", cancelled.get());
        out.put("device_reopened", s.reopened());
        return out;
    }

    private ObjectNode models() {
        ObjectNode out = JSON.createObjectNode();
        out.put("object", "list");
        ObjectNode model = out.putArray("data").addObject();
        model.put("id", modelId);
        model.put("object", "model");
        model.put("created", 0);
        model.put("owned_by", "tellme");
        model.put("chat_template", encoder.template().toString());
        model.put("context_length", slot.status().context());
        return out;
    }

    private void complete(HttpExchange exchange, ApiRequest request, boolean chat) throws IOException {
        int[] prompt;
        List<String> stops = new ArrayList<>(request.stops());
        if (chat) {
            prompt = encoder.withBos(encoder.template().render(request.messages()));
            stops.addAll(encoder.template().stops());
        } else {
            prompt = encoder.withBos(request.prompt());
        }
        GenerationRequest generation = new GenerationRequest(prompt, request.maxTokens(), request.sampling(), stops,
                true);
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID();
        long created = Instant.now().getEpochSecond();
        if (!request.stream()) {
            // Nothing is written before the answer, so the connection itself is asked whether the client is there.
            ClientProbe client = ClientProbe.of(exchange);
            GenerationResult result = slot.run(session -> session.generate(generation, (t, token) -> true, client));
            if (result.stopReason() == StopReason.CANCELLED) {
                cancelled.incrementAndGet();
                return;
            }
            sendJson(exchange, 200, response(id, created, chat, result));
            return;
        }
        EventStream events = new EventStream(exchange);
        try {
            GenerationResult result = slot.run(session -> session.generate(generation, (text, token) -> {
                if (text.isEmpty()) {
                    return true;
                }
                // The chat stream opens with the assistant's role, sent with the first text so that a request
                // refused before it (a prompt beyond the context) is still a plain 400.
                if (chat && !events.started() && !events.send(chunk(id, created, true, null, "assistant", null))) {
                    return false;
                }
                return events.send(chunk(id, created, chat, text, null, null));
            }, events::closed));
            if (result.stopReason() == StopReason.CANCELLED) {
                cancelled.incrementAndGet();
                return;
            }
            ObjectNode last = chunk(id, created, chat, chat ? null : "", null, result.stopReason().finishReason());
            last.set("usage", usage(result));
            last.set("timings", timings(result.timings()));
            events.send(last);
            events.done();
        } catch (RuntimeException e) {
            // The headers are sent: the error is the stream's last event.
            ApiException api = e instanceof ContextFullException
                    ? new ApiException(400, "invalid_request_error", null, "context_length_exceeded", e.getMessage())
                    : e instanceof ApiException a ? a
                    : new ApiException(500, "server_error", null, e instanceof CorruptLogitsException ? "corrupt_model"
                    : "device_fault", e.getMessage());
            if (!events.started()) {
                throw e;
            }
            events.send(error(api));
            events.done();
        }
    }

    private ObjectNode response(String id, long created, boolean chat, GenerationResult result) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", id);
        out.put("object", chat ? "chat.completion" : "text_completion");
        out.put("created", created);
        out.put("model", modelId);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", result.text());
        } else {
            choice.put("text", result.text());
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", result.stopReason().finishReason());
        out.set("usage", usage(result));
        out.set("timings", timings(result.timings()));
        out.put("stop_reason", result.stopReason().label());
        return out;
    }

    private ObjectNode chunk(String id, long created, boolean chat, String text, String role, String finish) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", id);
        out.put("object", chat ? "chat.completion.chunk" : "text_completion");
        out.put("created", created);
        out.put("model", modelId);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (role != null) {
                delta.put("role", role);
            }
            if (text != null) {
                delta.put("content", text);
            }
        } else {
            choice.put("text", text);
            choice.putNull("logprobs");
        }
        if (finish != null) {
            choice.put("finish_reason", finish);
        } else {
            choice.putNull("finish_reason");
        }
        return out;
    }

    private static ObjectNode usage(GenerationResult result) {
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", result.promptTokens());
        usage.put("completion_tokens", result.tokens().length);
        usage.put("total_tokens", result.promptTokens() + result.tokens().length);
        usage.putObject("prompt_tokens_details").put("cached_tokens", result.cachedTokens());
        return usage;
    }

    private static ObjectNode timings(Timings t) {
        ObjectNode out = JSON.createObjectNode();
        out.put("prompt_n", t.promptTokens());
        out.put("prompt_ms", t.promptMillis());
        out.put("prompt_per_second", t.promptTokensPerSecond());
        out.put("predicted_n", t.generatedTokens());
        out.put("predicted_ms", t.generationMillis());
        out.put("predicted_per_token_ms", t.millisPerToken());
        out.put("predicted_per_second", t.generationTokensPerSecond());
        out.put("device_instructions", t.instructions());
        out.put("device_cycles", t.cycles());
        out.put("device_ddr_bytes", t.ddrBytes());
        return out;
    }

    private static ObjectNode error(ApiException e) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode error = out.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        if (e.param() != null) {
            error.put("param", e.param());
        } else {
            error.putNull("param");
        }
        if (e.code() != null) {
            error.put("code", e.code());
        } else {
            error.putNull("code");
        }
        return out;
    }

    private static void sendError(HttpExchange exchange, ApiException e) throws IOException {
        sendJson(exchange, e.status(), error(e));
    }

    private static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Server-sent events on one exchange; a failed write marks the client gone. */
    private static final class EventStream {
        private final HttpExchange exchange;
        private OutputStream out;
        private volatile boolean closed;

        EventStream(HttpExchange exchange) {
            this.exchange = exchange;
        }

        boolean started() {
            return out != null;
        }

        boolean closed() {
            return closed;
        }

        /** Sends one event; false when the client is gone. */
        boolean send(JsonNode event) {
            return write("data: " + event + "\n\n");
        }

        void done() {
            write("data: [DONE]\n\n");
        }

        private boolean write(String text) {
            if (closed) {
                return false;
            }
            try {
                if (out == null) {
                    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
                    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
                    exchange.sendResponseHeaders(200, 0);
                    out = exchange.getResponseBody();
                }
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
                return true;
            } catch (IOException e) {
                closed = true;
                return false;
            }
        }
    }

    /** Stops accepting requests, lets running ones end (at most {@code graceSeconds}), and closes the device. */
    public void stop(int graceSeconds) {
        http.stop(graceSeconds);
        executor.shutdownNow();
        slot.close();
    }

    @Override
    public void close() {
        stop(0);
    }
}
