package dev.tellmej.cli;

import dev.tellmej.host.ChatSession;
import dev.tellmej.host.ContextFullException;
import dev.tellmej.host.CorruptLogitsException;
import dev.tellmej.host.DeviceSlot;
import dev.tellmej.host.GenerationResult;
import dev.tellmej.host.StopReason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.utils.Signals;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tellme chat}: an interactive conversation. The KV cache keeps the conversation between turns, so each
 * turn runs only its own tokens; Ctrl-C stops the current answer, not the session; end of input (Ctrl-D) or
 * {@code /exit} ends it, {@code /reset} starts over.
 */
@Command(name = "chat", description = "Chat with the model interactively (the KV cache keeps the conversation).")
final class ChatCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DeviceOptions deviceOptions;

    @Mixin
    SamplingOptions samplingOptions;

    @Range(min = -1, max = 1 << 20)
    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", defaultValue = "-1",
            description = "the longest answer in tokens; -1 = until end of text or context full (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = {"-sys", "--system-prompt"}, paramLabel = "TEXT", description = "a system message to start with")
    String system;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        var sampling = samplingOptions.params(cl);
        DeviceOptions.Backend backend = deviceOptions.open(cl, err);
        try (DeviceSlot slot = new DeviceSlot(backend.sessions())) {
            slot.open();
            ChatSession chat = new ChatSession(slot, backend.encoder(), sampling, maxTokens, system);
            err.printf(Locale.ROOT, "tellme chat on %s, chat template %s, seed %d%n", slot.status().device(),
                    chat.template(), sampling.seed());
            err.println("Ctrl-C stops an answer; /reset starts over; /exit or end of input (Ctrl-D) ends the chat.");
            err.flush();
            AtomicBoolean answering = new AtomicBoolean();
            Object previous = ProgressBar.onTerminal() ? Signals.register("INT", () -> {
                if (answering.get()) {
                    chat.interrupt();
                } else {
                    System.exit(130);
                }
            }) : null;
            try {
                loop(chat, out, err, answering);
            } finally {
                if (previous != null) {
                    Signals.unregister("INT", previous);
                }
            }
        }
        return 0;
    }

    private static void loop(ChatSession chat, PrintWriter out, PrintWriter err, AtomicBoolean answering) {
        BufferedReader in = new BufferedReader(new InputStreamReader(TellmeMain.stdin(), StandardCharsets.UTF_8));
        while (true) {
            out.print("> ");
            out.flush();
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read standard input", e);
            }
            if (line == null || line.strip().equals("/exit") || line.strip().equals("/quit")) {
                out.println();
                out.flush();
                return;
            }
            if (line.strip().equals("/reset")) {
                chat.reset();
                err.println("(the conversation is forgotten)");
                err.flush();
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            answering.set(true);
            try {
                GenerationResult result = chat.say(line, (piece, token) -> {
                    out.print(piece);
                    out.flush();
                    return !out.checkError();
                });
                out.println();
                if (result.stopReason() == StopReason.CANCELLED) {
                    out.println("[stopped]");
                } else if (result.stopReason() == StopReason.CONTEXT_FULL) {
                    out.println("[context full: /reset to start over]");
                }
                out.flush();
                if (out.checkError()) {
                    return;
                }
            } catch (ContextFullException e) {
                ErrorReporter.print(err, e.getMessage(), "Type /reset to start a new conversation.");
            } catch (CorruptLogitsException e) {
                ErrorReporter.print(err, e.getMessage(), "Check the model file; the session goes on.");
            } catch (RuntimeException e) {
                ErrorReporter.print(err, "the device failed: " + e.getMessage(),
                        "The device is opened again for the next message; the conversation is kept.");
            } finally {
                answering.set(false);
            }
        }
    }
}
