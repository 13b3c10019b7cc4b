package dev.tellmej.sim;

import dev.tellmej.hdl.lib.Stream;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Random;

/**
 * Feeds words into an input stream of the design, keeping the handshake rules (valid stays high, the
 * payload unchanged, until the design takes the word) and inserting seeded random idle cycles: after
 * each transfer, and while idle, it presents the next queued word with probability
 * {@code validProbability} per cycle. Payloads are packed bits, the first declared leaf least
 * significant (as {@code Hdl.asBits} packs them).
 *
 * <pre>{@code
 * StreamDriver in = new StreamDriver(sim, top.in, new Random(seed), 0.7);
 * in.push(1, 2, 3);
 * sim.runUntil(in::idle, 100);
 * }</pre>
 */
public final class StreamDriver implements CycleListener {
    private final StreamPorts ports;
    private final Random random;
    private final double validProbability;
    private final ArrayDeque<BigInteger> queue = new ArrayDeque<>();
    private boolean presenting;
    private long sent;

    /**
     * Registers with {@code sim} as a cycle listener and drives valid low.
     *
     * @param validProbability chance per cycle of presenting a queued word (1: no idle cycles)
     */
    public StreamDriver(SimModel sim, Stream<?> stream, Random random, double validProbability) {
        if (!(validProbability > 0 && validProbability <= 1)) {
            throw new IllegalArgumentException("validProbability must be in (0, 1], got " + validProbability);
        }
        this.ports = new StreamPorts(sim, stream);
        this.random = random;
        this.validProbability = validProbability;
        ports.valid.set(0);
        sim.onCycle(this);
    }

    /** Queues words to send, in order. */
    public void push(long... words) {
        for (long word : words) {
            queue.add(BigInteger.valueOf(word));
        }
    }

    /** Queues a word of any width. */
    public void push(BigInteger word) {
        queue.add(word);
    }

    /** Words queued and not yet taken by the design (including the one presented). */
    public int pending() {
        return queue.size();
    }

    /** Words the design has taken. */
    public long sent() {
        return sent;
    }

    /** True when every queued word was taken. */
    public boolean idle() {
        return queue.isEmpty();
    }

    @Override
    public void beforeEdge(SimModel sim, long cycle) {
        if (presenting && ports.ready.get() != 0) {
            queue.poll();
            presenting = false;
            sent++;
        }
    }

    @Override
    public void afterEdge(SimModel sim, long cycle) {
        if (!presenting && !queue.isEmpty() && random.nextDouble() < validProbability) {
            ports.write(queue.peek());
            presenting = true;
        }
        ports.valid.set(presenting ? 1 : 0);
    }
}
