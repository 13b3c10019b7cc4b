package dev.tellmej.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tellmej.device.ReferenceDevice;
import dev.tellmej.host.server.OpenAiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server survives device faults: a DDR error response in the middle of a generation (500, the device closed
 * and opened again) and NaN logits (500 naming a probable corrupt model); the next request gets the right answer.
 */
class ServerFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REQUEST = "{\"prompt\": \"Once upon a time\", \"max_tokens\": 20, \"temperature\": 0}";

    @TempDir
    Path dir;

    private static HttpResponse<String> post(OpenAiServer server, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode health(OpenAiServer server) throws Exception {
        return JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()
                + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void aDdrErrorAndNanLogitsAreErrorsAndTheNextRequestIsRight() throws Exception {
        StudentImage student = new StudentImage(dir, 64);
        String expected;
        try (DeviceSession clean = student.session()) {
            expected = clean.generate(new GenerationRequest(student.encoder.withBos("Once upon a time"), 20,
                    SamplingParams.greedy(), java.util.List.of(), true), TokenListener.NONE, () -> false).text();
        }
        // The first device fails its 6th call with SLVERR; the one opened after it returns NaN logits at its
        // 4th call; the third is healthy.
        AtomicInteger opened = new AtomicInteger();
        DeviceSlot slot = new DeviceSlot(() -> {
            int n = opened.getAndIncrement();
            var device = ReferenceDevice.open(student.image, 1);
            return new DeviceSession(n == 0 ? new FaultyDevice(device, 5, FaultyDevice.Fault.DDR_ERROR)
                    : n == 1 ? new FaultyDevice(device, 3, FaultyDevice.Fault.NAN_LOGITS) : device,
                    student.encoder.tokenizer());
        });
        try (OpenAiServer server = OpenAiServer.start("127.0.0.1", 0, slot, student.encoder, "student")) {
            HttpResponse<String> ddr = post(server, REQUEST);
            assertEquals(500, ddr.statusCode(), ddr.body());
            JsonNode error = JSON.readTree(ddr.body()).get("error");
            assertEquals("device_fault", error.get("code").asText());
            assertTrue(error.get("message").asText().contains("SLVERR"), ddr.body());
            assertEquals(1, health(server).get("device_reopened").asInt());

            HttpResponse<String> nan = post(server, REQUEST);
            assertEquals(500, nan.statusCode(), nan.body());
            error = JSON.readTree(nan.body()).get("error");
            assertEquals("corrupt_model", error.get("code").asText());
            assertTrue(error.get("message").asText().contains("NaN") && error.get("message").asText()
                    .contains("corrupt model"), nan.body());

            // NaN logits say nothing against the device: it stays open, and answers the next request right.
            assertEquals(1, health(server).get("device_reopened").asInt());
            HttpResponse<String> afterNan = post(server, REQUEST);
            assertEquals(200, afterNan.statusCode(), afterNan.body());
            assertEquals(expected, JSON.readTree(afterNan.body()).at("/choices/0/text").asText());
            assertEquals(2, opened.get());
            JsonNode h = health(server);
            assertEquals(2, h.get("failed").asInt(), h.toString());
        }
    }
}
