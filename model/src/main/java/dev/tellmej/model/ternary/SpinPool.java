package dev.tellmej.model.ternary;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A tiny fixed pool for the many short parallel loops of one decode step: a matrix product takes tens of
 * microseconds, and on a virtual machine waking a parked thread can take far longer than that. Workers
 * therefore spin between jobs and park only after {@link #SPIN_NANOS} without work (so an idle model costs no
 * CPU). Work is handed out in small chunks from a shared counter, so a thread that gets less memory bandwidth
 * simply takes fewer chunks. The calling thread works too. One caller at a time. (Falling back to the calling
 * thread alone when a worker stalls was tried and measured slower: the JVM's own threads set it off on an idle
 * machine.)
 */
final class SpinPool {
    /** How long an idle worker waits for work (spinning, then yielding) before parking. */
    static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How long a waiting thread spins before it starts yielding its core to whoever else needs it. */
    static final long YIELD_AFTER_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** Chunks per thread and job: enough to balance uneven threads, few enough to keep the counter cold. */
    private static final int CHUNKS_PER_THREAD = 8;

    private final Thread[] workers;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger next = new AtomicInteger();
    private volatile TlmmKernel.RowRange job;
    private volatile int size;
    private volatile int chunk;
    private volatile boolean closed;
    private volatile Throwable failure;

    SpinPool(int threads) {
        workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = Thread.ofPlatform().daemon().name("tlmm-worker-" + (w + 1)).unstarted(this::work);
            workers[w].start();
        }
    }

    /** Runs body over [0, n) in chunks on every thread, and returns when all of [0, n) is done. */
    void run(int n, TlmmKernel.RowRange body) {
        job = body;
        size = n;
        chunk = Math.max(1, n / ((workers.length + 1) * CHUNKS_PER_THREAD));
        failure = null;
        next.set(0);
        pending.set(workers.length);
        generation.incrementAndGet();
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        Throwable own = null;
        try {
            drain(body, n, chunk);
        } catch (Throwable t) {
            own = t;
            next.set(n);
        }
        long waitStart = System.nanoTime();
        while (pending.get() != 0) {
            pause(waitStart);
        }
        Throwable t = own != null ? own : failure;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    private void drain(TlmmKernel.RowRange body, int n, int chunk) {
        for (int from; (from = next.getAndAdd(chunk)) < n; ) {
            body.run(from, Math.min(n, from + chunk));
        }
    }

    private void work() {
        long seen = 0;
        long idleSince = System.nanoTime();
        while (!closed) {
            long g = generation.get();
            if (g == seen) {
                if (System.nanoTime() - idleSince > SPIN_NANOS) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
                } else {
                    pause(idleSince);
                }
                continue;
            }
            seen = g;
            try {
                drain(job, size, chunk);
            } catch (Throwable t) {
                failure = t;
                next.set(size);
            }
            pending.decrementAndGet();
            idleSince = System.nanoTime();
        }
    }

    /**
     * One step of a wait that began at {@code since}: spin at first; later yield, so that on an oversubscribed
     * machine (another build running, say) a waiting thread does not hold a core the awaited one needs.
     */
    private static void pause(long since) {
        if (System.nanoTime() - since < YIELD_AFTER_NANOS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}
