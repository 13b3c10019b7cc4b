package dev.tellmej.model.ternary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class SpinPoolTest {
    @Test
    void everyIndexRunsExactlyOnceOnBothThreads() {
        SpinPool pool = new SpinPool(2);
        try {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            for (int job = 0; job < 20; job++) {
                AtomicIntegerArray hits = new AtomicIntegerArray(100);
                pool.run(100, (from, to) -> {
                    threads.add(Thread.currentThread().getName());
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                    try {
                        Thread.sleep(1); // long enough that the worker always gets chunks
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                for (int i = 0; i < 100; i++) {
                    assertEquals(1, hits.get(i), "job " + job + " index " + i);
                }
            }
            assertEquals(2, threads.size(), "both threads worked: " + threads);
        } finally {
            pool.close();
        }
    }

    @Test
    void aFailureInAnyChunkReachesTheCaller() {
        SpinPool pool = new SpinPool(2);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(64, (from, to) -> {
                if (from <= 40 && 40 < to) {
                    throw new IllegalStateException("chunk with 40");
                }
            }));
            assertTrue(e.getMessage().contains("40"));
            int[] sum = {0};
            pool.run(1, (from, to) -> sum[0] += to - from);
            assertEquals(1, sum[0], "the pool still works after a failure");
        } finally {
            pool.close();
        }
    }
}
