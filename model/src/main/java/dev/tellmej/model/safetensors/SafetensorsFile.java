package dev.tellmej.model.safetensors;

import dev.tellmej.model.MalformedModelException;
import dev.tellmej.model.MappedFile;
import dev.tellmej.model.UnsupportedTensorTypeException;
import dev.tellmej.model.numerics.StorageFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open, validated, memory-mapped safetensors file: {@code u64} header length, a JSON header, then the data.
 * Every tensor's dtype, shape and offsets are checked against each other and the file size.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The safetensors format's own limit on the header (100 MB). */
    public static final long MAX_HEADER = 100_000_000L;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Map<String, SafetensorsTensor> tensors;
    private final Map<String, String> metadata;
    private final MemorySegment mapping;
    private final Arena arena;

    private SafetensorsFile(Path path, Map<String, SafetensorsTensor> tensors, Map<String, String> metadata,
                            MemorySegment mapping, Arena arena) {
        this.path = path;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
        this.mapping = mapping;
        this.arena = arena;
    }

    /** Maps and validates a file; the caller closes it. */
    public static SafetensorsFile open(Path path) {
        return MappedFile.open(path, SafetensorsFile::parse);
    }

    /** Parses safetensors bytes already in memory ({@code label} names them in error messages). */
    public static SafetensorsFile read(Path label, MemorySegment data) {
        return parse(label, data, null);
    }

    private static MalformedModelException malformed(Path path, String field, long offset, String problem) {
        return new MalformedModelException(path, field, offset, problem);
    }

    private static SafetensorsFile parse(Path path, MemorySegment mapping, Arena arena) {
        long size = mapping.byteSize();
        if (size < 8) {
            throw malformed(path, "header length", 0, "file is " + size + " bytes, too short for safetensors");
        }
        long headerLength = mapping.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
            throw malformed(path, "header length", 0, "header length " + Long.toUnsignedString(headerLength)
                    + " does not fit the file (" + size + " bytes; at most " + MAX_HEADER + ")");
        }
        byte[] headerBytes = mapping.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        String headerText;
        try {
            headerText = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw malformed(path, "header", 8, "header is not valid UTF-8");
        }
        Object root;
        try {
            root = Json.parse(headerText);
        } catch (Json.JsonException e) {
            throw malformed(path, "header", 8 + utf8Offset(headerText, e.position()), "bad JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> entries)) {
            throw malformed(path, "header", 8, "header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String name = (String) e.getKey();
            long at = 8 + utf8Offset(headerText, Math.max(0, headerText.indexOf('"' + name + '"')));
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw malformed(path, "__metadata__", at, "must be an object of strings");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String s)) {
                        throw malformed(path, "__metadata__." + m.getKey(), at, "value is not a string");
                    }
                    metadata.put((String) m.getKey(), s);
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info)) {
                throw malformed(path, name, at, "tensor entry is not an object");
            }
            if (!(info.get("dtype") instanceof String dtypeName)) {
                throw malformed(path, name + ".dtype", at, "missing or not a string");
            }
            SafetensorsDtype dtype = SafetensorsDtype.of(dtypeName);
            if (dtype == null) {
                throw new UnsupportedTensorTypeException(path, name + ".dtype", at, "dtype " + dtypeName
                        + " is not supported (F32, F16, BF16, U8 and I8 are)");
            }
            if (!(info.get("shape") instanceof List<?> shapeList) || shapeList.size() > 8) {
                throw malformed(path, name + ".shape", at, "missing, not an array, or more than 8 dimensions");
            }
            long[] shape = new long[shapeList.size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > (1L << 40)) {
                    throw malformed(path, name + ".shape[" + i + "]", at, "dimension " + shapeList.get(i)
                            + " is not an integer in 0..2^40");
                }
                shape[i] = d;
                if (d != 0 && elements > (1L << 50) / d) {
                    throw malformed(path, name + ".shape", at, "element count overflows");
                }
                elements *= d;
            }
            if (!(info.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
                    || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)) {
                throw malformed(path, name + ".data_offsets", at, "must be two integers [begin, end]");
            }
            if (begin < 0 || end < begin || end > dataSize) {
                throw malformed(path, name + ".data_offsets", at, "[" + begin + ", " + end
                        + ") lies outside the data section of " + dataSize + " bytes");
            }
            if (end - begin != elements * dtype.bytes()) {
                throw malformed(path, name + ".data_offsets", at, "holds " + (end - begin) + " bytes but "
                        + dtype + " " + java.util.Arrays.toString(shape) + " needs " + elements * dtype.bytes());
            }
            tensors.put(name, new SafetensorsTensor(name, dtype, shape, dataStart + begin, end - begin));
        }
        return new SafetensorsFile(path, tensors, metadata, mapping, arena);
    }

    /** Byte offset of a character position in UTF-8 (for error messages). */
    private static long utf8Offset(String text, int charPosition) {
        return text.substring(0, Math.min(charPosition, text.length())).getBytes(StandardCharsets.UTF_8).length;
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public Map<String, SafetensorsTensor> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} strings. */
    public Map<String, String> metadata() {
        return metadata;
    }

    public Optional<SafetensorsTensor> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** A tensor that must exist. */
    public SafetensorsTensor require(String name) {
        SafetensorsTensor t = tensors.get(name);
        if (t == null) {
            throw malformed(path, name, 0, "required tensor is missing");
        }
        return t;
    }

    /** A read-only view of a tensor's bytes. */
    public MemorySegment data(SafetensorsTensor tensor) {
        return mapping.asSlice(tensor.fileOffset(), tensor.byteSize());
    }

    /** A float tensor (F32, F16 or BF16) decoded to binary32. */
    public float[] floats(SafetensorsTensor tensor) {
        int n = Math.toIntExact(tensor.elementCount());
        MemorySegment data = data(tensor);
        float[] out = new float[n];
        switch (tensor.dtype()) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(data.get(I16, 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = StorageFormat.fromBf16(data.get(I16, 2L * i));
                }
            }
            case U8, I8 -> throw malformed(path, tensor.name() + ".dtype", 0, "expected a float tensor, found "
                    + tensor.dtype());
        }
        return out;
    }

    /** The raw bytes of a U8 or I8 tensor. */
    public byte[] bytes(SafetensorsTensor tensor) {
        return data(tensor).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
