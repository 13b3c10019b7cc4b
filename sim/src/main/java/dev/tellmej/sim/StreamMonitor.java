package dev.tellmej.sim;

import dev.tellmej.hdl.lib.Stream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Takes words from an output stream of the design, raising ready with probability
 * {@code readyProbability} per cycle (seeded), and records every transfer in order. It also registers a
 * native {@link ProtocolChecker} on the stream, so the design dropping valid or changing the payload
 * while stalled fails the test.
 */
public final class StreamMonitor implements CycleListener {
    private final StreamPorts ports;
    private final Random random;
    private final double readyProbability;
    private final List<BigInteger> received = new ArrayList<>();

    /**
     * Registers with {@code sim} as a cycle listener and drives ready for the first cycle.
     *
     * @param readyProbability chance per cycle of accepting (1: never stalls the design)
     */
    public StreamMonitor(SimModel sim, Stream<?> stream, Random random, double readyProbability) {
        if (!(readyProbability > 0 && readyProbability <= 1)) {
            throw new IllegalArgumentException("readyProbability must be in (0, 1], got " + readyProbability);
        }
        this.ports = new StreamPorts(sim, stream);
        this.random = random;
        this.readyProbability = readyProbability;
        ProtocolChecker.stream(sim, stream);
        ports.ready.set(random.nextDouble() < readyProbability);
        sim.onCycle(this);
    }

    /** The payloads received so far, in order, as packed bits. */
    public List<BigInteger> received() {
        return List.copyOf(received);
    }

    /** The payloads received so far, as longs (payloads up to 64 bits). */
    public long[] receivedLongs() {
        return received.stream().mapToLong(BigInteger::longValue).toArray();
    }

    /** Transfers so far. */
    public int count() {
        return received.size();
    }

    @Override
    public void beforeEdge(SimModel sim, long cycle) {
        if (ports.ready.get() != 0 && ports.valid.get() != 0) {
            received.add(ports.read());
        }
    }

    @Override
    public void afterEdge(SimModel sim, long cycle) {
        ports.ready.set(random.nextDouble() < readyProbability);
    }
}
