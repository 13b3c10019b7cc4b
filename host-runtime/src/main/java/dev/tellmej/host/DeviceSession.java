package dev.tellmej.host;

import dev.tellmej.device.Device;
import dev.tellmej.device.DeviceCounters;
import dev.tellmej.model.tokenizer.StreamingDecoder;
import dev.tellmej.model.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Generates text on a {@link Device}, keeping track of the tokens its KV cache holds: a prompt that extends them
 * (the next turn of a chat, a request that repeats the previous conversation) runs only its new tokens. One
 * generation at a time: callers share a session through a {@link DeviceSlot}.
 *
 * <p>Every generated token is checked: NaN, infinite or all-equal logits end the generation with a
 * {@link CorruptLogitsException}. Any exception leaves the session empty (the device reset), so the next request
 * starts clean.
 */
public final class DeviceSession implements AutoCloseable {
    private final Device device;
    private final Tokenizer tokenizer;
    private final int contextLimit;
    /** The tokens at positions 0 .. cachedCount - 1 of the device's KV cache. */
    private int[] cached = new int[16];
    private int cachedCount;

    /** A session that may use every position of the device's context. */
    public DeviceSession(Device device, Tokenizer tokenizer) {
        this(device, tokenizer, Integer.MAX_VALUE);
    }

    /** A session that uses at most {@code contextLimit} positions of the device's context ({@code -c}). */
    public DeviceSession(Device device, Tokenizer tokenizer, int contextLimit) {
        if (contextLimit < 1) {
            throw new IllegalArgumentException("the context must hold at least one position, got " + contextLimit);
        }
        this.device = device;
        this.tokenizer = tokenizer;
        this.contextLimit = contextLimit;
    }

    public Device device() {
        return device;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** KV-cache positions the session may use: the device's, or fewer when limited. */
    public int context() {
        return Math.min(device.context(), contextLimit);
    }

    /** Tokens the KV cache holds now. */
    public int cachedTokens() {
        return cachedCount;
    }

    /** Empties the KV cache. */
    public void reset() {
        cachedCount = 0;
        device.reset();
    }

    /**
     * Runs the request's prompt (the part the cache does not hold) and generates.
     *
     * @param listener  gets the text as it is produced; returning false cancels
     * @param cancelled polled before every device call: true cancels (Ctrl-C, a client gone)
     * @throws ContextFullException  when the prompt (or, with {@code reserveTokens}, the prompt and the tokens
     *                               asked for) does not fit the context; nothing was run
     * @throws CorruptLogitsException when the device returns NaN, infinite or all-equal logits
     */
    public GenerationResult generate(GenerationRequest request, TokenListener listener, BooleanSupplier cancelled) {
        int[] prompt = request.prompt();
        int context = context();
        if (prompt.length > context) {
            throw new ContextFullException("the prompt is " + prompt.length + " tokens, but the context holds "
                    + context + " positions: shorten the prompt or use a longer context", prompt.length, context);
        }
        if (request.reserveTokens() && request.maxTokens() > 0 && prompt.length + request.maxTokens() > context) {
            throw new ContextFullException("the prompt (" + prompt.length + " tokens) and the " + request.maxTokens()
                    + " tokens asked for need " + (prompt.length + request.maxTokens()) + " positions, but the"
                    + " context holds " + context + ": ask for at most " + (context - prompt.length)
                    + " tokens or shorten the prompt", prompt.length + request.maxTokens(), context);
        }
        try {
            return run(request, listener, cancelled);
        } catch (RuntimeException e) {
            forget();
            throw e;
        }
    }

    private GenerationResult run(GenerationRequest request, TokenListener listener, BooleanSupplier cancelled) {
        int[] prompt = request.prompt();
        int reuse = reusablePrefix(prompt);
        if (reuse == 0) {
            reset();
        }
        int[] fresh = Arrays.copyOfRange(prompt, reuse, prompt.length);
        int[] history = Arrays.copyOf(prompt, prompt.length + Math.max(16, Math.min(request.maxTokens(), context()) + 1));
        int historyCount = prompt.length;
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        for (int id : prompt) {
            decoder.accept(id);
        }
        StopStrings stops = new StopStrings(request.stops());
        TokenSampler sampler = new TokenSampler(request.sampling());
        StringBuilder text = new StringBuilder();
        long instructions = 0;
        long ddrBytes = 0;
        long cycles = 0;
        long ddrBusyCycles = 0;
        long stallCycles = 0;

        long start = System.nanoTime();
        float[] logits = device.prefill(fresh);
        long prefillEnd = System.nanoTime();
        append(fresh);
        DeviceCounters c = device.counters();
        instructions += c.instructions();
        ddrBytes += c.ddrBytesRead() + c.ddrBytesWritten();
        cycles += c.cycles();
        ddrBusyCycles += c.ddrBusyCycles();
        stallCycles += c.stallCycles();
        CorruptLogitsException.check(logits, device.position(), device.describe());

        int generated = 0;
        int decodeCalls = 0;
        int[] out = new int[16];
        StopReason reason;
        long lastToken = prefillEnd;
        while (true) {
            if (request.maxTokens() >= 0 && generated >= request.maxTokens()) {
                reason = StopReason.N_REACHED;
                break;
            }
            if (cancelled.getAsBoolean()) {
                reason = StopReason.CANCELLED;
                break;
            }
            int token = sampler.sample(logits, history, historyCount);
            if (token == tokenizer.eos() || token == tokenizer.bos()) {
                reason = StopReason.END_OF_TEXT;
                break;
            }
            if (historyCount == history.length) {
                history = Arrays.copyOf(history, history.length * 2);
            }
            history[historyCount++] = token;
            if (generated == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[generated++] = token;
            lastToken = System.nanoTime();
            String piece = stops.accept(decoder.accept(token));
            text.append(piece);
            if (!listener.accept(piece, token)) {
                reason = StopReason.CANCELLED;
                break;
            }
            if (stops.matched()) {
                reason = StopReason.STOP_STRING;
                break;
            }
            if (request.maxTokens() >= 0 && generated >= request.maxTokens()) {
                reason = StopReason.N_REACHED;
                break;
            }
            if (device.position() >= context()) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            if (cancelled.getAsBoolean()) {
                reason = StopReason.CANCELLED;
                break;
            }
            logits = device.decode(token);
            decodeCalls++;
            append(new int[] {token});
            c = device.counters();
            instructions += c.instructions();
            ddrBytes += c.ddrBytesRead() + c.ddrBytesWritten();
            cycles += c.cycles();
            ddrBusyCycles += c.ddrBusyCycles();
            stallCycles += c.stallCycles();
            CorruptLogitsException.check(logits, device.position(), device.describe());
        }
        if (reason != StopReason.STOP_STRING && reason != StopReason.CANCELLED) {
            String rest = stops.flush() + decoder.flush();
            if (!rest.isEmpty()) {
                text.append(rest);
                listener.accept(rest, -1);
            }
        }
        Timings timings = new Timings(fresh.length, (prefillEnd - start) / 1e6, generated,
                (lastToken - prefillEnd) / 1e6, decodeCalls, instructions, ddrBytes, cycles, ddrBusyCycles,
                stallCycles);
        return new GenerationResult(text.toString(), Arrays.copyOf(out, generated), reason, prompt.length, reuse,
                timings);
    }

    /** How many of the prompt's first tokens the cache holds, when the prompt extends the cache (else 0). */
    private int reusablePrefix(int[] prompt) {
        if (cachedCount == 0 || cachedCount >= prompt.length || device.position() != cachedCount) {
            return 0;
        }
        return Arrays.equals(cached, 0, cachedCount, prompt, 0, cachedCount) ? cachedCount : 0;
    }

    private void append(int[] tokens) {
        if (cachedCount + tokens.length > cached.length) {
            cached = Arrays.copyOf(cached, Math.max(cached.length * 2, cachedCount + tokens.length));
        }
        System.arraycopy(tokens, 0, cached, cachedCount, tokens.length);
        cachedCount += tokens.length;
    }

    /** After a failure: nothing is known about the cache any more. */
    private void forget() {
        cachedCount = 0;
        try {
            device.reset();
        } catch (RuntimeException ignored) {
            // A device that cannot even reset is reopened by its slot.
        }
    }

    /** Closes the device. */
    @Override
    public void close() {
        device.close();
    }
}
