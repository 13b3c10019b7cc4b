package dev.tellmej.model.gguf;

import dev.tellmej.model.MalformedModelException;
import dev.tellmej.model.MappedFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open, validated GGUF file. The file stays memory-mapped until {@link #close()}; tensor data are views
 * into the mapping, never copies. Typed metadata getters raise {@link MalformedModelException} naming the key
 * when a value is missing or of the wrong type.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, Long> metadataOffsets;
    private final Map<String, GgufTensorInfo> tensors;
    private final long alignment;
    private final long dataOffset;
    private final MemorySegment mapping;
    private final Arena arena;

    GgufFile(Path path, int version, Map<String, GgufValue> metadata, Map<String, Long> metadataOffsets,
             Map<String, GgufTensorInfo> tensors, long alignment, long dataOffset, MemorySegment mapping,
             Arena arena) {
        this.path = path;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.metadataOffsets = metadataOffsets;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.mapping = mapping;
        this.arena = arena;
    }

    /** Opens, maps and validates a GGUF file (see {@link GgufReader#open}). */
    public static GgufFile open(Path path) {
        return GgufReader.open(path);
    }

    /**
     * The same file mapped once more, with the header as parsed here (not parsed again: a tokenizer's vocabulary
     * makes that a large part of a start-up), for a second owner that closes it on its own schedule. A file read
     * from memory gives a view of the same memory, which closing does not free.
     *
     * @throws MalformedModelException when the file's size is no longer the one parsed
     * @throws java.io.UncheckedIOException when the file cannot be mapped again
     */
    public GgufFile reopen() {
        if (arena == null) {
            return new GgufFile(path, version, metadata, metadataOffsets, tensors, alignment, dataOffset, mapping, null);
        }
        return MappedFile.open(path, (file, again, owner) -> {
            if (again.byteSize() != mapping.byteSize()) {
                throw new MalformedModelException(path, "file size", 0, "the file changed from " + mapping.byteSize()
                        + " to " + again.byteSize() + " bytes while it was open");
            }
            return new GgufFile(path, version, metadata, metadataOffsets, tensors, alignment, dataOffset, again, owner);
        });
    }

    public Path path() {
        return path;
    }

    /** The GGUF version (2 or 3). */
    public int version() {
        return version;
    }

    /** All metadata in file order. */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** All tensors in file order. */
    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    /** The data alignment in bytes. */
    public long alignment() {
        return alignment;
    }

    /** Absolute offset of the data section. */
    public long dataOffset() {
        return dataOffset;
    }

    /** A tensor by name. */
    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** A tensor by name, or a {@link MalformedModelException} saying it is missing. */
    public GgufTensorInfo requireTensor(String name) {
        GgufTensorInfo info = tensors.get(name);
        if (info == null) {
            throw new MalformedModelException(path, "tensor " + name, 0, "required tensor is missing");
        }
        return info;
    }

    /**
     * The whole file as mapped, read-only (for a fingerprint of its contents: the packed-weight cache's key reads its
     * header and a few sampled blocks).
     */
    public MemorySegment content() {
        return mapping;
    }

    /** The bytes of a tensor: a read-only view into the mapping. */
    public MemorySegment data(GgufTensorInfo info) {
        return mapping.asSlice(info.fileOffset(), info.byteSize());
    }

    public Optional<GgufValue> value(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** Byte offset of a key's value, for error messages (0 when absent). */
    public long offsetOf(String key) {
        return metadataOffsets.getOrDefault(key, 0L);
    }

    /** A malformed-metadata exception about {@code key}. */
    public MalformedModelException malformed(String key, String problem) {
        return new MalformedModelException(path, key, offsetOf(key), problem);
    }

    private GgufValue require(String key) {
        GgufValue value = metadata.get(key);
        if (value == null) {
            throw new MalformedModelException(path, key, 0, "required metadata key is missing");
        }
        return value;
    }

    public String getString(String key) {
        if (require(key) instanceof GgufValue.Str s) {
            return s.value();
        }
        throw malformed(key, "expected a string, found " + metadata.get(key).type());
    }

    public Optional<String> optString(String key) {
        return metadata.containsKey(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    /** An integer value of any integer type. */
    public long getLong(String key) {
        GgufValue value = require(key);
        return switch (value) {
            case GgufValue.U8 v -> v.value();
            case GgufValue.I8 v -> v.value();
            case GgufValue.U16 v -> v.value();
            case GgufValue.I16 v -> v.value();
            case GgufValue.U32 v -> v.value();
            case GgufValue.I32 v -> v.value();
            case GgufValue.U64 v -> v.value();
            case GgufValue.I64 v -> v.value();
            default -> throw malformed(key, "expected an integer, found " + value.type());
        };
    }

    public long getLong(String key, long fallback) {
        return metadata.containsKey(key) ? getLong(key) : fallback;
    }

    /** An integer that must lie in [min, max]. */
    public int getInt(String key, int min, int max) {
        long v = getLong(key);
        if (v < min || v > max) {
            throw malformed(key, "value " + v + " is outside [" + min + ", " + max + "]");
        }
        return (int) v;
    }

    public int getInt(String key, int min, int max, int fallback) {
        return metadata.containsKey(key) ? getInt(key, min, max) : fallback;
    }

    /** A floating-point value (F32 or F64; integers are accepted too). */
    public double getDouble(String key, double fallback) {
        GgufValue value = metadata.get(key);
        if (value == null) {
            return fallback;
        }
        return switch (value) {
            case GgufValue.F32 v -> v.value();
            case GgufValue.F64 v -> v.value();
            case GgufValue.Str s -> throw malformed(key, "expected a number, found a string");
            case GgufValue.Arr a -> throw malformed(key, "expected a number, found an array");
            default -> getLong(key);
        };
    }

    private GgufValue.Arr array(String key) {
        if (require(key) instanceof GgufValue.Arr a) {
            return a;
        }
        throw malformed(key, "expected an array, found " + metadata.get(key).type());
    }

    public List<String> getStringArray(String key) {
        GgufValue.Arr array = array(key);
        List<String> out = new ArrayList<>(array.values().size());
        for (GgufValue v : array.values()) {
            if (!(v instanceof GgufValue.Str s)) {
                throw malformed(key, "expected an array of strings, found elements of " + v.type());
            }
            out.add(s.value());
        }
        return out;
    }

    public float[] getFloatArray(String key) {
        GgufValue.Arr array = array(key);
        float[] out = new float[array.values().size()];
        for (int i = 0; i < out.length; i++) {
            GgufValue v = array.values().get(i);
            if (v instanceof GgufValue.Str || v instanceof GgufValue.Arr) {
                throw malformed(key, "expected an array of numbers, found elements of " + v.type());
            }
            out[i] = (float) v.asDouble();
        }
        return out;
    }

    public int[] getIntArray(String key) {
        GgufValue.Arr array = array(key);
        int[] out = new int[array.values().size()];
        for (int i = 0; i < out.length; i++) {
            GgufValue v = array.values().get(i);
            if (v instanceof GgufValue.Str || v instanceof GgufValue.Arr || v instanceof GgufValue.F32
                    || v instanceof GgufValue.F64) {
                throw malformed(key, "expected an array of integers, found elements of " + v.type());
            }
            out[i] = (int) v.asLong();
        }
        return out;
    }

    /**
     * Lets the system drop the mapped file's pages from this process's memory (a hint, {@code madvise}
     * {@code MADV_DONTNEED} on the read-only mapping): tensor data stay readable, their pages are read again from
     * the file (or the page cache) on the next access. Nothing for a file read from memory.
     */
    public void unload() {
        if (mapping.isMapped()) {
            mapping.unload();
        }
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
