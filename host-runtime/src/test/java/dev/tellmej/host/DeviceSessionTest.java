package dev.tellmej.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generation on the reference device: stop reasons, stop strings, the KV cache kept between chat turns. */
class DeviceSessionTest {
    @TempDir
    static Path dir;
    static StudentImage student;

    @BeforeAll
    static void pack() {
        student = new StudentImage(dir, 128);
    }

    private static GenerationRequest greedy(String prompt, int n, List<String> stops) {
        return new GenerationRequest(student.encoder.withBos(prompt), n, SamplingParams.greedy(), stops, false);
    }

    @Test
    void everyStopReason() {
        try (DeviceSession s = student.session()) {
            GenerationResult n = s.generate(greedy("Once upon a time", 10, List.of()), TokenListener.NONE, () -> false);
            assertEquals(StopReason.N_REACHED, n.stopReason());
            assertEquals(10, n.tokens().length);
            assertEquals(9, n.timings().decodeCalls());

            GenerationResult full = s.generate(greedy("Once upon a time", -1, List.of()), TokenListener.NONE,
                    () -> false);
            assertTrue(full.stopReason() == StopReason.CONTEXT_FULL || full.stopReason() == StopReason.END_OF_TEXT);
            if (full.stopReason() == StopReason.CONTEXT_FULL) {
                assertEquals(128, full.promptTokens() + full.tokens().length - 1, "every position used");
            }

            int at = n.text().indexOf("girl");
            GenerationResult stop = s.generate(greedy("Once upon a time", 10, List.of("girl")), TokenListener.NONE,
                    () -> false);
            assertEquals(StopReason.STOP_STRING, stop.stopReason());
            assertEquals(n.text().substring(0, at), stop.text());

            int[] heard = {0};
            GenerationResult cancelled = s.generate(greedy("Once upon a time", 10, List.of()), (t, tok) -> ++heard[0] < 3,
                    () -> false);
            assertEquals(StopReason.CANCELLED, cancelled.stopReason());
            assertEquals(3, cancelled.tokens().length);

            ContextFullException tooLong = assertThrows(ContextFullException.class, () -> s.generate(greedy(
                    "Once upon a time ".repeat(40), 1, List.of()), TokenListener.NONE, () -> false));
            assertTrue(tooLong.getMessage().contains("the context holds 128 positions"), tooLong.getMessage());
            GenerationResult after = s.generate(greedy("Once upon a time", 10, List.of()), TokenListener.NONE,
                    () -> false);
            assertEquals(n.text(), after.text(), "the session is usable after a refused request");
        }
    }

    @Test
    void stopStringsSplitAcrossPiecesNeverReachTheOutput() {
        StopStrings stops = new StopStrings(List.of("User:"));
        StringBuilder out = new StringBuilder();
        for (String piece : List.of("Hello", " Us", "e", "r", ": there")) {
            out.append(stops.accept(piece));
        }
        assertEquals("Hello ", out.toString());
        assertTrue(stops.matched());
        StopStrings none = new StopStrings(List.of("User:"));
        assertEquals("a U", none.accept("a U") + none.flush());
    }

    @Test
    void chatTurnsRunOnlyTheirOwnTokensAndCtrlCStopsOnlyTheAnswer() {
        try (DeviceSlot slot = new DeviceSlot(student::session)) {
            ChatSession chat = new ChatSession(slot, student.encoder, SamplingParams.greedy(), 6, null);
            GenerationResult first = chat.say("Hi", TokenListener.NONE);
            assertEquals(0, first.cachedTokens());
            int afterFirst = chat.historyTokens();
            GenerationResult second = chat.say("Tell", TokenListener.NONE);
            assertTrue(second.cachedTokens() > 0, "the second turn reuses the KV cache");
            // Only the turn's own tokens ran: the unfed last answer token, the end of turn and the new message.
            assertEquals(second.promptTokens() - second.cachedTokens(), second.timings().promptTokens());
            assertTrue(second.timings().promptTokens() < afterFirst, second.timings().toString());

            List<String> pieces = new ArrayList<>();
            GenerationResult stopped = chat.say("More", (text, token) -> {
                pieces.add(text);
                if (pieces.size() == 2) {
                    chat.interrupt(); // what the Ctrl-C handler does
                }
                return true;
            });
            assertEquals(StopReason.CANCELLED, stopped.stopReason());
            assertEquals(2, stopped.tokens().length);
            GenerationResult next = chat.say("Again", TokenListener.NONE);
            assertTrue(next.stopReason() != StopReason.CANCELLED && next.cachedTokens() > 0, next.toString());
        }
    }

    @Test
    void corruptLogitsAreNamed() {
        CorruptLogitsException nan = assertThrows(CorruptLogitsException.class,
                () -> CorruptLogitsException.check(new float[] {1, Float.NaN, 2}, 5, "dev"));
        assertTrue(nan.getMessage().contains("1 NaN and 0 infinite of 3 logits (the first is logit 1)"),
                nan.getMessage());
        CorruptLogitsException equal = assertThrows(CorruptLogitsException.class,
                () -> CorruptLogitsException.check(new float[] {0, 0, 0}, 5, "dev"));
        assertTrue(equal.getMessage().contains("all 3 logits are equal") && equal.getMessage().contains("corrupt"),
                equal.getMessage());
        CorruptLogitsException.check(new float[] {0, 1, 0}, 5, "dev");
    }

    @Test
    void chatTemplatesAreRecognizedByTheirMarkers() {
        assertEquals(ChatTemplate.CHATML, ChatTemplate.detect("{% for m in messages %}<|im_start|>{{ m.role }}"));
        assertEquals(ChatTemplate.LLAMA3, ChatTemplate.detect("<|start_header_id|>{{ role }}<|end_header_id|>"));
        assertEquals(ChatTemplate.SIMPLE, ChatTemplate.detect(null));
        List<ChatMessage> conversation = List.of(new ChatMessage("user", "Hi"), new ChatMessage("assistant", "Hello"),
                new ChatMessage("user", "Bye"));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n"
                + "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n", ChatTemplate.CHATML.render(conversation));
        assertEquals("User: Hi\nAssistant: Hello\nUser: Bye\nAssistant:", ChatTemplate.SIMPLE.render(conversation));
    }
}
