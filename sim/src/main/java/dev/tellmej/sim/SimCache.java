package dev.tellmej.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Where built models are kept: {@code ${XDG_CACHE_HOME:-~/.cache}/tellmej/verilator/<key>/}, or the
 * directory named by the system property {@code tellme.sim.cache}. Builds of one key are serialized
 * across threads (a lock per key) and across JVMs (a file lock on {@code <key>.lock}), so parallel test
 * runs build each model once and the others wait, then load it.
 */
public final class SimCache {
    /** System property naming the cache directory. */
    public static final String PROPERTY = "tellme.sim.cache";

    private static final ConcurrentHashMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private SimCache() {}

    /** The cache directory in effect: the system property, else the XDG cache home, else {@code ~/.cache}. */
    public static Path defaultRoot() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("tellmej").resolve("verilator").toAbsolutePath();
    }

    /** Runs {@code body} holding the build lock of {@code key} under {@code root}. */
    static <T> T withLock(Path root, String key, Supplier<T> body) {
        ReentrantLock local = LOCKS.computeIfAbsent(root + "/" + key, k -> new ReentrantLock());
        local.lock();
        try {
            Files.createDirectories(root);
            try (FileChannel channel = FileChannel.open(root.resolve(key + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                try {
                    return body.get();
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the simulation cache " + root, e);
        } finally {
            local.unlock();
        }
    }
}
