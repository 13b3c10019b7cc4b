package dev.tellmej.model.gguf;

import dev.tellmej.model.MalformedModelException;
import dev.tellmej.model.MappedFile;
import dev.tellmej.model.UnsupportedTensorTypeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates GGUF (v2/v3, little-endian). Every count, length, dimension and offset is checked
 * against what is left of the file before anything is allocated, so a hostile file cannot cause an
 * OutOfMemoryError; every failure is a {@link MalformedModelException} or an
 * {@link UnsupportedTensorTypeException}.
 */
public final class GgufReader {
    /** The magic "GGUF" read as a little-endian u32. */
    public static final int MAGIC = 0x46554747;
    /** ggml's GGML_MAX_DIMS. */
    public static final int MAX_DIMS = 4;
    /** Largest dimension accepted (2^40: far beyond any model, far below overflow). */
    public static final long MAX_DIM = 1L << 40;
    /** Largest element count accepted for one tensor (2^50). */
    public static final long MAX_ELEMENTS = 1L << 50;
    /** Arrays nested deeper than this are refused. */
    public static final int MAX_NESTING = 8;
    /**
     * Most metadata array elements accepted in one file (4 Mi; a Llama-3 tokenizer has about 540 Ki), so a
     * hostile file cannot fill the heap with element objects.
     */
    public static final long MAX_ARRAY_ELEMENTS = 1L << 22;
    /** Default {@code general.alignment}. */
    public static final int DEFAULT_ALIGNMENT = 32;

    private GgufReader() {}

    /** Maps {@code path} and validates its header; the caller closes the returned file. */
    public static GgufFile open(Path path) {
        return MappedFile.open(path, GgufReader::parse);
    }

    /**
     * Parses GGUF bytes already in memory ({@code label} names them in error messages). The result does not own
     * the segment; closing it does nothing to the caller's memory.
     */
    public static GgufFile read(Path label, MemorySegment data) {
        return parse(label, data, null);
    }

    private static GgufFile parse(Path path, MemorySegment mapping, Arena arena) {
        ByteCursor in = new ByteCursor(path, mapping);
        if (mapping.byteSize() < 4) {
            throw in.malformed("magic", 0, "file is " + mapping.byteSize() + " bytes long, too short for GGUF");
        }
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw in.malformed("magic", 0, String.format("expected \"GGUF\" (0x%08X), found 0x%08X", MAGIC, magic));
        }
        long versionAt = in.position();
        int version = in.i32("version");
        if (version != 3 && version != 2) {
            throw in.malformed("version", versionAt, "GGUF version " + Integer.toUnsignedString(version)
                    + " is not supported (2 or 3)");
        }
        // A tensor info takes at least 8 + 4 + 4 + 8 bytes (name length, n_dims, type, offset); a key/value
        // at least 8 + 4 + 1.
        long tensorCount = in.count("tensor_count", (in.remaining() - 16) / 24);
        long kvCount = in.count("kv_count", (in.remaining() - 8) / 13);

        long[] arrayBudget = {MAX_ARRAY_ELEMENTS};
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        Map<String, Long> offsets = new HashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long keyAt = in.position();
            String key = in.string("metadata key #" + i);
            if (metadata.containsKey(key)) {
                throw in.malformed("metadata key #" + i + " \"" + key + "\"", keyAt, "duplicate metadata key");
            }
            String field = key.isEmpty() ? "metadata key #" + i : key;
            long typeAt = in.position();
            GgufValueType type = valueType(in, field, typeAt, in.i32(field + " type"));
            offsets.put(key, typeAt);
            metadata.put(key, readValue(in, field, type, 0, arrayBudget));
        }

        long alignment = DEFAULT_ALIGNMENT;
        GgufValue alignValue = metadata.get("general.alignment");
        if (alignValue != null) {
            long at = offsets.get("general.alignment");
            if (!(alignValue instanceof GgufValue.U32 || alignValue instanceof GgufValue.I32
                    || alignValue instanceof GgufValue.U64)) {
                throw in.malformed("general.alignment", at, "expected an unsigned integer, found " + alignValue.type());
            }
            alignment = alignValue.asLong();
            if (alignment <= 0 || alignment > (1 << 20) || Long.bitCount(alignment) != 1) {
                throw in.malformed("general.alignment", at, "alignment " + alignment
                        + " is not a power of two between 1 and 2^20");
            }
        }

        record Pending(String name, long[] dims, GgmlType type, long offset, long infoAt, long offsetAt) {}
        List<Pending> pending = new ArrayList<>();
        Map<String, Boolean> names = new HashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            long infoAt = in.position();
            String name = in.string("tensor #" + i + " name");
            if (names.put(name, Boolean.TRUE) != null) {
                throw in.malformed("tensor " + name, infoAt, "duplicate tensor name");
            }
            long dimsAt = in.position();
            int nDims = in.i32("tensor " + name + " n_dims");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw in.malformed("tensor " + name + " n_dims", dimsAt, "n_dims " + Integer.toUnsignedString(nDims)
                        + " is outside 1.." + MAX_DIMS);
            }
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long at = in.position();
                dims[d] = in.i64("tensor " + name + " dims[" + d + "]");
                if (dims[d] < 1 || dims[d] > MAX_DIM) {
                    throw in.malformed("tensor " + name + " dims[" + d + "]", at, "dimension "
                            + Long.toUnsignedString(dims[d]) + " is absurd (1.." + MAX_DIM + ")");
                }
                if (elements > MAX_ELEMENTS / dims[d]) {
                    throw in.malformed("tensor " + name + " dims[" + d + "]", at, "element count overflows");
                }
                elements *= dims[d];
            }
            long typeAt = in.position();
            int code = in.i32("tensor " + name + " type");
            GgmlType type = GgmlType.ofCode(Integer.toUnsignedLong(code)).orElseThrow(
                    () -> new UnsupportedTensorTypeException(path, "tensor " + name + " type", typeAt,
                            "type " + GgmlType.describeUnsupported(Integer.toUnsignedLong(code))
                                    + " is not supported (" + GgmlType.supportedNames() + " are)"));
            long offsetAt = in.position();
            long offset = in.i64("tensor " + name + " offset");
            pending.add(new Pending(name, dims, type, offset, infoAt, offsetAt));
        }

        long headerEnd = in.position();
        long dataOffset = (headerEnd + alignment - 1) / alignment * alignment;
        if (dataOffset > mapping.byteSize() && !pending.isEmpty()) {
            throw in.malformed("data section", headerEnd, "the file ends before the aligned data section ("
                    + dataOffset + ")");
        }
        long dataSize = mapping.byteSize() - Math.min(dataOffset, mapping.byteSize());
        Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
        for (Pending p : pending) {
            String field = "tensor " + p.name + " offset";
            if (p.offset < 0 || p.offset % alignment != 0) {
                throw in.malformed(field, p.offsetAt, "offset " + Long.toUnsignedString(p.offset)
                        + " is not a multiple of the alignment " + alignment);
            }
            long elements = 1;
            for (long d : p.dims) {
                elements *= d;
            }
            long size = p.type.byteSize(elements, p.dims[0]);
            if (size < 0) {
                throw in.malformed("tensor " + p.name + " dims", p.infoAt, "shape " + java.util.Arrays.toString(p.dims)
                        + " does not fit " + p.type + " blocks of " + p.type.blockSize());
            }
            if (p.offset > dataSize || size > dataSize - p.offset) {
                throw in.malformed(field, p.offsetAt, "data [" + p.offset + ", " + (p.offset + size)
                        + ") of the data section lies outside the file (data section has " + dataSize + " bytes)");
            }
            tensors.put(p.name, new GgufTensorInfo(p.name, p.dims, p.type, dataOffset + p.offset, size, p.infoAt));
        }
        return new GgufFile(path, version, metadata, offsets, tensors, alignment, dataOffset, mapping, arena);
    }

    private static GgufValueType valueType(ByteCursor in, String key, long at, int code) {
        GgufValueType type = GgufValueType.ofCode(Integer.toUnsignedLong(code));
        if (type == null) {
            throw in.malformed(key + " type", at, "unknown metadata value type " + Integer.toUnsignedString(code));
        }
        return type;
    }

    private static GgufValue readValue(ByteCursor in, String key, GgufValueType type, int depth, long[] budget) {
        return switch (type) {
            case UINT8 -> new GgufValue.U8(in.u8raw(key) & 0xFF);
            case INT8 -> new GgufValue.I8(in.u8raw(key));
            case UINT16 -> new GgufValue.U16(in.i16(key) & 0xFFFF);
            case INT16 -> new GgufValue.I16(in.i16(key));
            case UINT32 -> new GgufValue.U32(Integer.toUnsignedLong(in.i32(key)));
            case INT32 -> new GgufValue.I32(in.i32(key));
            case FLOAT32 -> new GgufValue.F32(Float.intBitsToFloat(in.i32(key)));
            case BOOL -> {
                long at = in.position();
                byte b = in.u8raw(key);
                if (b != 0 && b != 1) {
                    throw in.malformed(key, at, "bool value " + (b & 0xFF) + " is neither 0 nor 1");
                }
                yield new GgufValue.Bool(b == 1);
            }
            case STRING -> new GgufValue.Str(in.string(key));
            case UINT64 -> new GgufValue.U64(in.i64(key));
            case INT64 -> new GgufValue.I64(in.i64(key));
            case FLOAT64 -> new GgufValue.F64(Double.longBitsToDouble(in.i64(key)));
            case ARRAY -> {
                long at = in.position();
                if (depth >= MAX_NESTING) {
                    throw in.malformed(key, at, "arrays nested deeper than " + MAX_NESTING);
                }
                GgufValueType elementType = valueType(in, key, at, in.i32(key + " element type"));
                long countAt = in.position();
                long count = in.count(key + " count", (in.remaining() - 8) / elementType.minBytes());
                budget[0] -= count;
                if (budget[0] < 0) {
                    throw in.malformed(key + " count", countAt, "more than " + MAX_ARRAY_ELEMENTS
                            + " metadata array elements in the file");
                }
                List<GgufValue> values = new ArrayList<>((int) Math.min(count, 1 << 16));
                for (long i = 0; i < count; i++) {
                    values.add(readValue(in, key, elementType, depth + 1, budget));
                }
                yield new GgufValue.Arr(elementType, values);
            }
        };
    }
}
