package dev.tellmej.host;

import dev.tellmej.device.CallRefusedException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One device shared by many requests: they run one at a time, in arrival order (a fair lock is the queue), never
 * interleaved. A request that fails with a device fault (anything but a refused call, a prompt beyond the
 * context or corrupt logits) closes the device; the next request opens it again, so one fault never takes the
 * service down.
 */
public final class DeviceSlot implements AutoCloseable {
    private final Supplier<DeviceSession> opener;
    private final ReentrantLock queue = new ReentrantLock(true);
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong reopened = new AtomicLong();
    private volatile boolean busy;
    private volatile String description = "(not open yet)";
    private volatile int context;
    private DeviceSession session;

    /** @param opener opens the device and its tokenizer (called again after a fault) */
    public DeviceSlot(Supplier<DeviceSession> opener) {
        this.opener = opener;
    }

    /** What the queue looks like now, for {@code /health}. */
    public record Status(String device, int context, boolean busy, int waiting, long served, long failed,
                         long reopened) {}

    /** Opens the device now (so that a broken one fails at start, not at the first request). */
    public void open() {
        run(s -> null);
    }

    /**
     * Runs {@code work} on the session when its turn comes.
     *
     * @throws InterruptedQueueException when the waiting thread is interrupted (the request is dropped)
     */
    public <T> T run(Function<DeviceSession, T> work) {
        waiting.incrementAndGet();
        try {
            queue.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedQueueException();
        } finally {
            waiting.decrementAndGet();
        }
        busy = true;
        try {
            if (session == null) {
                session = opener.get();
                description = session.device().describe();
                context = session.context();
            }
            T result = work.apply(session);
            served.incrementAndGet();
            return result;
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            if (isDeviceFault(e)) {
                closeSession();
                reopened.incrementAndGet();
            }
            throw e;
        } finally {
            busy = false;
            queue.unlock();
        }
    }

    /** True for failures that leave the device in an unknown state (its KV cache, its buffers, its link). */
    static boolean isDeviceFault(RuntimeException e) {
        return !(e instanceof CallRefusedException || e instanceof ContextFullException
                || e instanceof CorruptLogitsException || e instanceof IllegalArgumentException);
    }

    public Status status() {
        return new Status(description, context, busy, waiting.get(), served.get(), failed.get(), reopened.get());
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.device().close();
            } catch (RuntimeException ignored) {
                // Closing a faulty device may fail too; it is dropped either way.
            }
            session = null;
        }
    }

    /** Waiting for the device was interrupted (the server is stopping). */
    public static final class InterruptedQueueException extends RuntimeException {
        InterruptedQueueException() {
            super("interrupted while waiting for the device");
        }
    }

    @Override
    public void close() {
        queue.lock();
        try {
            closeSession();
        } finally {
            queue.unlock();
        }
    }
}
