package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tellme serve} on the reference device and the embedded student, driven with the JDK's HTTP client: every
 * endpoint, streaming, stop strings, queued concurrent requests, a client that leaves mid-stream, malformed
 * requests; after each, the next request is answered correctly.
 */
class ServeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Pattern URL = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");

    @TempDir
    static Path dir;
    private static Thread serve;
    private static String url;
    private static final StringWriter OUT = new StringWriter();
    private static final StringWriter ERR = new StringWriter();

    @BeforeAll
    static void startServer() throws Exception {
        TellmeRun pack = TellmeRun.of("pack", "--config", "sim-small", "-o", dir.resolve("s.tlmi").toString());
        assertEquals(0, pack.exitCode(), pack.err());
        serve = Thread.ofPlatform().name("tellme-serve").start(() -> TellmeMain.run(new PrintWriter(OUT, true),
                new PrintWriter(ERR, true), "serve", "--device", "reference", "--image",
                dir.resolve("s.tlmi").toString(), "--port", "0"));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (url == null && System.nanoTime() < deadline && serve.isAlive()) {
            Matcher m = URL.matcher(OUT.toString());
            if (m.find()) {
                url = m.group(1);
            }
            Thread.sleep(20);
        }
        assertTrue(url != null, "the server did not start: " + OUT + ERR);
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        serve.interrupt();
        serve.join(10_000);
        assertFalse(serve.isAlive(), "serve ends when interrupted");
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static String completion(String prompt, int maxTokens) {
        return "{\"prompt\": " + JSON.valueToTree(prompt) + ", \"max_tokens\": " + maxTokens
                + ", \"temperature\": 0}";
    }

    /** The greedy completion everyone must get for the student's favourite start. */
    private static String reference() throws Exception {
        return ok(post("/v1/completions", completion("Once upon a time", 24))).at("/choices/0/text").asText();
    }

    @Test
    void healthAndModels() throws Exception {
        JsonNode health = get("/health");
        assertEquals("ok", health.get("status").asText());
        assertTrue(health.get("device").asText().startsWith("reference: "), health.toString());
        assertTrue(health.at("/queue/policy").asText().contains("one request at a time"), health.toString());
        JsonNode models = get("/v1/models");
        assertEquals("list", models.get("object").asText());
        assertEquals("stories260K-ternary-qat", models.at("/data/0/id").asText());
    }

    @Test
    void completionsCountTokensAndSayWhyTheyStopped() throws Exception {
        JsonNode r = ok(post("/v1/completions", completion("Once upon a time", 24)));
        assertEquals("text_completion", r.get("object").asText());
        String text = r.at("/choices/0/text").asText();
        assertTrue(text.startsWith(", there was a little girl named Lily."), text);
        assertEquals("length", r.at("/choices/0/finish_reason").asText());
        assertEquals(24, r.at("/usage/completion_tokens").asInt());
        assertEquals(r.at("/usage/prompt_tokens").asInt() + 24, r.at("/usage/total_tokens").asInt());
        assertEquals(text, reference(), "greedy completions repeat");
        // Seeded sampling repeats too.
        String sampled = "{\"prompt\": \"Lily\", \"max_tokens\": 16, \"temperature\": 0.9, \"seed\": 7}";
        assertEquals(ok(post("/v1/completions", sampled)).at("/choices/0/text"),
                ok(post("/v1/completions", sampled)).at("/choices/0/text"));
    }

    @Test
    void stopStringsEndTheTextBeforeThem() throws Exception {
        String full = reference();
        int at = full.indexOf("Lily");
        JsonNode r = ok(post("/v1/completions", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 24,"
                + " \"temperature\": 0, \"stop\": [\"Lily\", \"zzz\"]}"));
        assertEquals(full.substring(0, at), r.at("/choices/0/text").asText());
        assertEquals("stop", r.at("/choices/0/finish_reason").asText());
    }

    @Test
    void chatStreamsTheSameAnswerAsItReturns() throws Exception {
        String body = "{\"messages\": [{\"role\": \"system\", \"content\": \"A story.\"}, {\"role\": \"user\","
                + " \"content\": \"Tell me about a cat\"}], \"max_tokens\": 20, \"temperature\": 0";
        JsonNode whole = ok(post("/v1/chat/completions", body + "}"));
        assertEquals("chat.completion", whole.get("object").asText());
        assertEquals("assistant", whole.at("/choices/0/message/role").asText());
        String content = whole.at("/choices/0/message/content").asText();
        assertFalse(content.isEmpty());

        HttpResponse<String> stream = post("/v1/chat/completions", body + ", \"stream\": true}");
        assertEquals(200, stream.statusCode());
        assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElse(""));
        StringBuilder streamed = new StringBuilder();
        List<String> events = stream.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6))
                .toList();
        assertEquals("[DONE]", events.getLast());
        assertEquals("assistant", JSON.readTree(events.getFirst()).at("/choices/0/delta/role").asText());
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode delta = JSON.readTree(e).at("/choices/0/delta/content");
            if (!delta.isMissingNode()) {
                streamed.append(delta.asText());
            }
        }
        assertEquals(content, streamed.toString());
        JsonNode last = JSON.readTree(events.get(events.size() - 2));
        assertEquals(whole.at("/choices/0/finish_reason"), last.at("/choices/0/finish_reason"));
        assertEquals(whole.at("/usage/completion_tokens"), last.at("/usage/completion_tokens"));
    }

    @Test
    void concurrentRequestsQueueAndGetWhatTheyWouldAlone() throws Exception {
        List<String> prompts = List.of("Once upon a time", "Lily and Ben", "The cat", "One day, a big dog");
        List<String> alone = new ArrayList<>();
        for (String p : prompts) {
            alone.add(ok(post("/v1/completions", completion(p, 20))).at("/choices/0/text").asText());
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(prompts.size())) {
            List<Future<String>> together = new ArrayList<>();
            for (String p : prompts) {
                together.add(pool.submit((Callable<String>) () ->
                        ok(post("/v1/completions", completion(p, 20))).at("/choices/0/text").asText()));
            }
            for (int i = 0; i < prompts.size(); i++) {
                assertEquals(alone.get(i), together.get(i).get(), "request " + i + " was interleaved with another");
            }
        }
    }

    @Test
    void aClientThatLeavesMidStreamFreesTheDevice() throws Exception {
        JsonNode before = get("/health");
        long cancelledBefore = before.get("cancelled").asLong();
        int context = before.get("context_length").asInt();
        HttpResponse<InputStream> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Once\", \"max_tokens\": " + (context - 4)
                        + ", \"temperature\": 0, \"stream\": true}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (BufferedReader events = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertTrue(events.readLine().startsWith("data: "));
        }
        // The generation notices at its next write; it would otherwise run until the context is full.
        long deadline = System.nanoTime() + 20_000_000_000L;
        JsonNode health = get("/health");
        while (health.get("cancelled").asLong() == cancelledBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
            health = get("/health");
        }
        assertEquals(cancelledBefore + 1, health.get("cancelled").asLong(), health.toString());
        assertTrue(health.get("served").asLong() > before.get("served").asLong(), health.toString());
        assertTrue(reference().startsWith(", there was a little girl named Lily."));
    }

    @Test
    void aClientThatLeavesAWaitingRequestFreesTheDevice() throws Exception {
        JsonNode before = get("/health");
        long cancelledBefore = before.get("cancelled").asLong();
        int context = before.get("context_length").asInt();
        // Its own HTTP/1.1 client: cancelling the request closes the connection, which is what the server sees.
        HttpClient leaving = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<String>> pending = leaving.sendAsync(HttpRequest.newBuilder(
                URI.create(url + "/v1/completions")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"prompt\": \"Once\", \"max_tokens\": " + (context - 4) + ", \"temperature\": 1.5, \"seed\": 7}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!get("/health").at("/queue/busy").asBoolean() && !pending.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(pending.isDone(), "the request ended before the client could leave it: " + (pending.isDone()
                ? pending.get().body() : ""));
        pending.cancel(true);
        JsonNode health = get("/health");
        while (health.get("cancelled").asLong() == cancelledBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
            health = get("/health");
        }
        assertEquals(cancelledBefore + 1, health.get("cancelled").asLong(), health.toString());
        // The device is free at once: the next request is answered, and right.
        long next = System.nanoTime();
        String text = reference();
        double seconds = (System.nanoTime() - next) / 1e9;
        assertTrue(text.startsWith(", there was a little girl named Lily."), text);
        assertTrue(seconds < 10, "the next request took " + seconds + " s (the left one started "
                + (next - sent) / 1e9 + " s before it)");
        leaving.close();
    }

    /** The guide's curl examples (docs/host.md), sent to this server. */
    @Test
    void theGuidesCurlExamplesAreAnswered() throws Exception {
        List<List<String>> examples = HostDocExamples.lines("curl ");
        assertTrue(examples.size() >= 4, examples.toString());
        for (List<String> curl : examples) {
            String target = curl.stream().filter(w -> w.startsWith("127.0.0.1:8080")).findFirst().orElseThrow();
            String path = target.substring("127.0.0.1:8080".length());
            int data = curl.indexOf("-d");
            if (data < 0) {
                get(path);
                continue;
            }
            HttpResponse<String> r = post(path, curl.get(data + 1));
            assertEquals(200, r.statusCode(), curl + ": " + r.body());
            if (curl.get(data + 1).contains("\"stop\"")) {
                assertEquals("stop", JSON.readTree(r.body()).at("/choices/0/finish_reason").asText(), r.body());
            }
        }
    }

    @Test
    void badRequestsAreJsonErrorsAndTheServerGoesOn() throws Exception {
        record Case(String path, String body, int status, String says) {}
        for (Case c : List.of(
                new Case("/v1/completions", "{\"prompt\": ", 400, "not valid JSON"),
                new Case("/v1/completions", "[1, 2]", 400, "must be a JSON object"),
                new Case("/v1/completions", "{\"max_tokens\": 3}", 400, "'prompt' is required"),
                new Case("/v1/completions", "{\"prompt\": \"a\", \"temperature\": \"hot\"}", 400, "'temperature'"),
                new Case("/v1/completions", "{\"prompt\": \"a\", \"n\": 2}", 400, "'n' must be 1"),
                new Case("/v1/chat/completions", "{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}", 400,
                        "messages[0].role"),
                new Case("/v1/completions", "{\"prompt\": \"Once\", \"max_tokens\": 100000}", 400,
                        "the context holds"),
                new Case("/v1/completions", "{\"prompt\": " + JSON.valueToTree("Once upon a time ".repeat(400))
                        + ", \"max_tokens\": 1}", 400, "the context holds"),
                new Case("/v1/nothing", "{}", 404, "no endpoint"))) {
            HttpResponse<String> r = post(c.path(), c.body());
            assertEquals(c.status(), r.statusCode(), c + ": " + r.body());
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertTrue(error.get("message").asText().contains(c.says()), c + ": " + r.body());
            assertTrue(reference().startsWith(", there was a little girl named Lily."), "after " + c);
        }
    }
}
