package dev.tellmej.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Maps a whole file read-only into a shared arena and hands it to a parser; the arena closes if parsing fails. */
public final class MappedFile {
    /** Parses a mapped file; the result owns the arena. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(Path path, MemorySegment mapping, Arena arena);
    }

    private MappedFile() {}

    public static <T> T open(Path path, Parser<T> parser) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapping;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            }
            return parser.parse(path, mapping, arena);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new UncheckedIOException("model file not found: " + path, e);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot read model file " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
