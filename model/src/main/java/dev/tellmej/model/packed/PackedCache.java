package dev.tellmej.model.packed;

import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.ternary.TlmmKernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A folder of packed weights, one file per model file and kernel kind ({@link PackedCacheKey}), so the exact path
 * skips decoding and re-laying its ternary matrices and quantizing its LM head, most of a large model's load. A
 * file is used only when its header names the same key, its length is the one written and every checksum agrees;
 * otherwise it is packed again and rewritten, with one line through {@code notices}. A file is written to a
 * temporary name and renamed over the old one, so a reader never sees half a file; only files that begin with
 * this tool's mark are ever replaced or deleted (an outdated file of the same model file is deleted once its
 * successor is written). Failing to read or write the cache never fails the model: it is then packed as without it.
 */
public final class PackedCache {
    /** Below this size of model file packing is quick (the embedded student takes milliseconds): no cache. */
    public static final long DEFAULT_MINIMUM_BYTES = 16L << 20;

    private final Path dir;
    private final long minimumBytes;
    private final Consumer<String> notices;
    private boolean announced;

    private PackedCache(Path dir, long minimumBytes, Consumer<String> notices) {
        this.dir = dir;
        this.minimumBytes = minimumBytes;
        this.notices = notices;
    }

    /** No cache: every model is packed from its file. */
    public static PackedCache disabled() {
        return new PackedCache(null, Long.MAX_VALUE, message -> {});
    }

    /**
     * A cache in {@code dir} (created when first written) for model files of at least {@code minimumBytes}.
     *
     * @param notices receives one line when a file is first written and when one is found damaged
     */
    public static PackedCache at(Path dir, long minimumBytes, Consumer<String> notices) {
        return new PackedCache(dir, minimumBytes, notices);
    }

    /** The folder, or empty when disabled. */
    public Optional<Path> dir() {
        return Optional.ofNullable(dir);
    }

    /**
     * The cache's slot for {@code file} and the kernel kind, or empty when the cache is disabled, the file is small
     * or its identity cannot be read (then it is packed as without a cache).
     */
    public Optional<Slot> slot(GgufFile file, TlmmKernel.Kind kind) {
        if (dir == null || file.content().byteSize() < minimumBytes || !file.content().isMapped()) {
            return Optional.empty();
        }
        try {
            PackedCacheKey key = PackedCacheKey.of(file, kind);
            return Optional.of(new Slot(key, dir.resolve(key.fileName())));
        } catch (UncheckedIOException e) {
            notices.accept("packed-weight cache not used: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** One model file's entry in the cache: read it, or write it after packing. */
    public final class Slot {
        private final PackedCacheKey key;
        private final Path file;

        private Slot(PackedCacheKey key, Path file) {
            this.key = key;
            this.file = file;
        }

        /** The key. */
        public PackedCacheKey key() {
            return key;
        }

        /** The cache file (which may not exist yet). */
        public Path file() {
            return file;
        }

        /**
         * The packed weights of a model of configuration {@code c}, or empty when the file is missing, damaged
         * (said through the notices) or cannot be read.
         */
        public Optional<PackedWeights> read(ModelConfig c) {
            try {
                return Optional.of(PackedCacheReader.read(file, key, c));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (CorruptPackedCacheException e) {
                notices.accept("the packed-weight cache " + file + " is damaged or stale (" + stripFile(e)
                        + "); packing again and rewriting it");
                return Optional.empty();
            } catch (IOException | UncheckedIOException e) {
                notices.accept("cannot read the packed-weight cache " + file + " (" + e.getMessage() + "); packing");
                return Optional.empty();
            }
        }

        /**
         * Writes the weights (packed for this slot's kernel kind) under a temporary name and renames the file into
         * place; then deletes this tool's outdated files of the same model file. A failure is said through the
         * notices and otherwise ignored.
         */
        public void write(PackedWeights weights) {
            Path tmp = null;
            try {
                Files.createDirectories(dir);
                if (Files.exists(file) && !PackedCacheFormat.isOurs(file)) {
                    notices.accept("not writing the packed-weight cache: " + file + " exists and was not written by"
                            + " tellme");
                    return;
                }
                if (!announced) {
                    notices.accept("writing a cache of the packed weights, once per model file (" + dir
                            + "; TELLME_PACKED_CACHE=0 turns it off)");
                    announced = true;
                }
                tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
                Files.deleteIfExists(tmp);
                PackedCacheWriter.write(tmp, key, weights);
                move(tmp, file);
                tmp = null;
                deleteOutdated();
            } catch (IOException | UncheckedIOException e) {
                notices.accept("cannot write the packed-weight cache " + file + " (" + e.getMessage()
                        + "); the model runs without it");
            } finally {
                if (tmp != null) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException ignored) {
                        // A leftover temporary file is harmless: the next write of this slot replaces it.
                    }
                }
            }
        }

        /** The other cache files of the same model file (an older version of it, or of this layout), if ours. */
        private void deleteOutdated() throws IOException {
            String name = file.getFileName().toString();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, key.prefix() + "*"
                    + PackedCacheFormat.EXTENSION)) {
                for (Path other : files) {
                    if (!other.getFileName().toString().equals(name) && PackedCacheFormat.isOurs(other)) {
                        Files.deleteIfExists(other);
                    }
                }
            }
        }

        private String stripFile(CorruptPackedCacheException e) {
            String m = e.getMessage();
            String lead = file + ": ";
            return m.startsWith(lead) ? m.substring(lead.length()) : m;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
