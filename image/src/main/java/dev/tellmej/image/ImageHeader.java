package dev.tellmej.image;

import static dev.tellmej.image.ImageFormat.*;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.config.RopeStyle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The header of a memory image: what it was packed for, the model's dimensions, the program's place, the sizes
 * of the regions the host allocates, and the section table (docs/image.md).
 *
 * @param configName          the accelerator build it was packed for ({@code kv260})
 * @param configHash          that build's {@code AcceleratorConfig.hash()}, 32 bytes
 * @param modelName           where the model came from (a file name), at most 64 ASCII bytes
 * @param model               the model's shape and recipe
 * @param context             KV-cache positions the host allocates (the longest context a call may reach)
 * @param programOffset       byte offset of the program
 * @param programInstructions instruction words in the program
 * @param imageBytes          bytes of the whole file
 * @param kvCacheBytes        bytes of the KV cache the host allocates
 * @param ioBytes             bytes of the I/O region the host allocates
 * @param debugBytes          bytes of the debug-tap region (0: none)
 * @param sections            the section table, in file order
 */
public record ImageHeader(String configName, byte[] configHash, String modelName, ModelConfig model, int context,
                          long programOffset, int programInstructions, long imageBytes, long kvCacheBytes,
                          long ioBytes, long debugBytes, List<Section> sections) {
    public ImageHeader {
        sections = List.copyOf(sections);
        configHash = configHash.clone();
    }

    /** The configuration hash in hex. */
    public String configHashHex() {
        return HexFormat.of().formatHex(configHash);
    }

    /** Bytes of the header before padding. */
    public long headerBytes() {
        return ImageFormat.headerBytes(sections.size());
    }

    /** The section called {@code name}, or null. */
    public Section section(String name) {
        for (Section s : sections) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The header's bytes, with its CRC-32C filled in. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate((int) headerBytes()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC_AT, MAGIC).putInt(VERSION_AT, VERSION).putInt(HEADER_BYTES_AT, (int) headerBytes())
                .putLong(IMAGE_BYTES_AT, imageBytes).putInt(SECTION_COUNT_AT, sections.size())
                .putInt(PROGRAM_OFFSET_AT, Math.toIntExact(programOffset))
                .putInt(PROGRAM_INSTRUCTIONS_AT, programInstructions).putInt(CONTEXT_AT, context)
                .putLong(KV_CACHE_BYTES_AT, kvCacheBytes).putLong(IO_BYTES_AT, ioBytes)
                .putLong(DEBUG_BYTES_AT, debugBytes);
        putString(b, CONFIG_NAME_AT, CONFIG_NAME_BYTES, configName, "configuration name");
        b.put(CONFIG_HASH_AT, configHash);
        putString(b, MODEL_NAME_AT, MODEL_NAME_BYTES, modelName, "model name");
        int[] dims = {model.dim(), model.layers(), model.heads(), model.kvHeads(), model.headDim(), model.ffnDim(),
                model.vocabSize(), model.contextLength()};
        for (int i = 0; i < dims.length; i++) {
            b.putInt(DIMS_AT + 4 * i, dims[i]);
        }
        b.putFloat(ROPE_THETA_AT, model.ropeTheta()).putFloat(RMS_EPS_AT, model.rmsEps());
        b.put(ROPE_ADJACENT_AT, (byte) (model.ropeStyle() == RopeStyle.ADJACENT ? 1 : 0));
        b.put(RELU2_AT, (byte) (model.activation() == Activation.RELU2 ? 1 : 0));
        b.put(SUB_NORMS_AT, (byte) (model.subNorms() ? 1 : 0));
        b.put(TIED_AT, (byte) (model.tiedEmbeddings() ? 1 : 0));
        putString(b, ARCHITECTURE_AT, ARCHITECTURE_BYTES, model.architecture(), "architecture");
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            int at = FIXED_BYTES + ENTRY_BYTES * i;
            putString(b, at, SECTION_NAME_BYTES, s.name(), "section name");
            b.putInt(at + 40, s.kind().code()).putInt(at + 44, s.crc32c()).putLong(at + 48, s.offset())
                    .putLong(at + 56, s.size());
        }
        byte[] bytes = b.array();
        b.putInt(HEADER_CRC_AT, crc(bytes));
        return bytes;
    }

    /** CRC-32C of a header's bytes with its CRC field read as zero. */
    static int crc(byte[] header) {
        CRC32C crc = new CRC32C();
        crc.update(header, 0, HEADER_CRC_AT);
        crc.update(new byte[4]);
        crc.update(header, HEADER_CRC_AT + 4, header.length - HEADER_CRC_AT - 4);
        return (int) crc.getValue();
    }

    /**
     * Reads and checks a header: magic, version, CRC, and that every field is in range and every section lies
     * inside a file of {@code fileBytes} bytes, aligned, after the header and without overlap.
     *
     * @param fixed the first {@link ImageFormat#FIXED_BYTES} bytes (or fewer when the file is shorter)
     * @param table reads {@code length} bytes at {@code offset} of the file (for the section table)
     * @throws MalformedImageException naming the field
     */
    public static ImageHeader decode(Path path, long fileBytes, ByteBuffer fixed, TableReader table) {
        Checker check = new Checker(path);
        if (fileBytes < FIXED_BYTES) {
            throw check.fail("file length", 0, "the file has " + fileBytes + " bytes, fewer than a header's "
                    + FIXED_BYTES + ": it is not a memory image, or it was truncated");
        }
        ByteBuffer b = fixed.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(MAGIC_AT) != MAGIC) {
            throw check.fail("magic", MAGIC_AT, "not a TeLLMe-J memory image (the first bytes are not 'TLMI'); make"
                    + " one with 'tellme pack MODEL --config NAME -o FILE.tlmi'");
        }
        int version = b.getInt(VERSION_AT);
        if (version != VERSION) {
            throw check.fail("format version", VERSION_AT, "format version " + Integer.toUnsignedString(version)
                    + ", but this tool reads version " + VERSION + "; repack the model with this tool's 'tellme pack'");
        }
        long sectionCount = Integer.toUnsignedLong(b.getInt(SECTION_COUNT_AT));
        check.range("section count", SECTION_COUNT_AT, sectionCount, 1, MAX_SECTIONS);
        long headerBytes = Integer.toUnsignedLong(b.getInt(HEADER_BYTES_AT));
        if (headerBytes != ImageFormat.headerBytes(sectionCount)) {
            throw check.fail("header bytes", HEADER_BYTES_AT, headerBytes + ", but " + sectionCount
                    + " sections need " + ImageFormat.headerBytes(sectionCount));
        }
        long imageBytes = b.getLong(IMAGE_BYTES_AT);
        if (imageBytes != fileBytes) {
            throw check.fail("image bytes", IMAGE_BYTES_AT, "the header says the image has " + imageBytes
                    + " bytes but the file has " + fileBytes + ": it was truncated or bytes were inserted or removed");
        }
        if (headerBytes > fileBytes) {
            throw check.fail("section table", FIXED_BYTES, "the table ends at byte " + headerBytes
                    + ", past the end of the file (" + fileBytes + " bytes)");
        }
        byte[] header = new byte[(int) headerBytes];
        b.get(0, header, 0, FIXED_BYTES);
        table.read(FIXED_BYTES, header, FIXED_BYTES, (int) headerBytes - FIXED_BYTES);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int crc = h.getInt(HEADER_CRC_AT);
        if (crc != crc(header)) {
            throw check.fail("header checksum", HEADER_CRC_AT, "the header's CRC-32C is "
                    + Integer.toHexString(crc(header)) + ", not the " + Integer.toHexString(crc)
                    + " it records: the header is corrupt; repack the model");
        }
        check.zero(header, RESERVED_FLAGS_FROM, RESERVED_FLAGS_TO);
        check.zero(header, RESERVED_FROM, FIXED_BYTES);
        String configName = check.string(header, CONFIG_NAME_AT, CONFIG_NAME_BYTES, "configuration name");
        byte[] hash = Arrays.copyOfRange(header, CONFIG_HASH_AT, CONFIG_HASH_AT + CONFIG_HASH_BYTES);
        String modelName = check.string(header, MODEL_NAME_AT, MODEL_NAME_BYTES, "model name");
        String architecture = check.string(header, ARCHITECTURE_AT, ARCHITECTURE_BYTES, "architecture");
        String[] dimNames = {"dim", "layers", "heads", "kv_heads", "head_dim", "ffn", "vocab", "trained context"};
        int[] dims = new int[dimNames.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = (int) check.range(dimNames[i], DIMS_AT + 4 * i, Integer.toUnsignedLong(h.getInt(DIMS_AT + 4 * i)),
                    1, 1 << 24);
        }
        float theta = h.getFloat(ROPE_THETA_AT);
        float eps = h.getFloat(RMS_EPS_AT);
        if (!(theta > 0 && Float.isFinite(theta))) {
            throw check.fail("rope theta", ROPE_THETA_AT, "must be positive and finite, got " + theta);
        }
        if (!(eps >= 0 && Float.isFinite(eps))) {
            throw check.fail("rms eps", RMS_EPS_AT, "must be finite and not negative, got " + eps);
        }
        boolean adjacent = check.flag(header, ROPE_ADJACENT_AT, "rope adjacent");
        boolean relu2 = check.flag(header, RELU2_AT, "relu2");
        boolean subNorms = check.flag(header, SUB_NORMS_AT, "sub norms");
        boolean tied = check.flag(header, TIED_AT, "tied");
        ModelConfig model;
        try {
            model = new ModelConfig(architecture, dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6],
                    dims[7], theta, eps, adjacent ? RopeStyle.ADJACENT : RopeStyle.HALF_SPLIT,
                    relu2 ? Activation.RELU2 : Activation.SILU, subNorms, tied);
        } catch (IllegalArgumentException e) {
            throw check.fail("model dimensions", DIMS_AT, e.getMessage());
        }
        int context = (int) check.range("context", CONTEXT_AT, Integer.toUnsignedLong(h.getInt(CONTEXT_AT)), 1, 1 << 24);
        long programOffset = Integer.toUnsignedLong(h.getInt(PROGRAM_OFFSET_AT));
        int programInstructions = (int) check.range("program instructions", PROGRAM_INSTRUCTIONS_AT,
                Integer.toUnsignedLong(h.getInt(PROGRAM_INSTRUCTIONS_AT)), 1, 1 << 20);
        long kv = check.range("KV-cache bytes", KV_CACHE_BYTES_AT, h.getLong(KV_CACHE_BYTES_AT), 1, 1L << 40);
        long io = check.range("I/O bytes", IO_BYTES_AT, h.getLong(IO_BYTES_AT), 1, 1L << 40);
        long debug = check.range("debug bytes", DEBUG_BYTES_AT, h.getLong(DEBUG_BYTES_AT), 0, 1L << 40);

        List<Section> sections = new ArrayList<>();
        long firstFree = ImageFormat.align(headerBytes);
        for (int i = 0; i < sectionCount; i++) {
            int at = FIXED_BYTES + ENTRY_BYTES * i;
            String name = check.string(header, at, SECTION_NAME_BYTES, "section " + i + " name");
            if (name.isEmpty()) {
                throw check.fail("section " + i + " name", at, "is empty");
            }
            SectionKind kind = SectionKind.ofCode(Integer.toUnsignedLong(h.getInt(at + 40)));
            if (kind == null) {
                throw check.fail("section " + name + " kind", at + 40, "unknown kind "
                        + Integer.toUnsignedString(h.getInt(at + 40)));
            }
            long offset = h.getLong(at + 48);
            long size = h.getLong(at + 56);
            if (offset % ALIGNMENT != 0 || offset < firstFree || size < 1 || size > fileBytes
                    || offset > fileBytes - size) {
                throw check.fail("section " + name + " place", at + 48, "offset " + offset + " and size " + size
                        + " must be 4 KB aligned, after the previous section (byte " + firstFree
                        + ") and inside the file (" + fileBytes + " bytes)");
            }
            firstFree = ImageFormat.align(offset + size);
            for (Section s : sections) {
                if (s.name().equals(name)) {
                    throw check.fail("section " + name + " name", at, "appears twice in the table");
                }
            }
            sections.add(new Section(name, kind, offset, size, h.getInt(at + 44)));
        }
        return new ImageHeader(configName, hash, modelName, model, context, programOffset, programInstructions,
                imageBytes, kv, io, debug, sections);
    }

    /** Reads {@code length} bytes at file offset {@code offset} into {@code out} at {@code outOffset}. */
    @FunctionalInterface
    public interface TableReader {
        void read(long offset, byte[] out, int outOffset, int length);
    }

    private static void putString(ByteBuffer b, int at, int max, String value, String what) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > max || !value.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7F)) {
            throw new IllegalArgumentException(what + " '" + value + "' must be printable ASCII of at most " + max
                    + " bytes");
        }
        b.put(at, bytes);
    }

    /** Field checks with messages that name the field and its offset. */
    private record Checker(Path path) {
        MalformedImageException fail(String field, long offset, String problem) {
            return new MalformedImageException(path, field, offset, problem);
        }

        long range(String field, long offset, long value, long min, long max) {
            if (value < min || value > max) {
                throw fail(field, offset, "is " + value + ", outside " + min + ".." + max);
            }
            return value;
        }

        void zero(byte[] header, int from, int to) {
            for (int i = from; i < to; i++) {
                if (header[i] != 0) {
                    throw fail("reserved byte", i, "must be zero, is " + (header[i] & 0xFF));
                }
            }
        }

        boolean flag(byte[] header, int at, String field) {
            int v = header[at];
            if (v != 0 && v != 1) {
                throw fail(field, at, "must be 0 or 1, is " + (v & 0xFF));
            }
            return v == 1;
        }

        String string(byte[] header, int at, int max, String field) {
            int end = at;
            while (end < at + max && header[end] != 0) {
                int ch = header[end] & 0xFF;
                if (ch < 0x20 || ch >= 0x7F) {
                    throw fail(field, end, "holds a byte " + ch + " that is not printable ASCII");
                }
                end++;
            }
            for (int i = end; i < at + max; i++) {
                if (header[i] != 0) {
                    throw fail(field, i, "has bytes after its terminating zero");
                }
            }
            return new String(header, at, end - at, StandardCharsets.US_ASCII);
        }
    }
}
