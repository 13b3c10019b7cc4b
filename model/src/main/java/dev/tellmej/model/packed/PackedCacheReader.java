package dev.tellmej.model.packed;

import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.inference.LmHead;
import dev.tellmej.model.ternary.TlmmKernel;
import dev.tellmej.model.ternary.TlmmKernel.Prepared;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads a file of {@link PackedCacheFormat} back through a read-only mapping: each array goes into the model's own
 * array a megabyte at a time, its checksum computed on the way, and the mapping's pages of that chunk are
 * dropped from the process at once, so the weights are never held twice (the mapped chunk aside) and the peak
 * memory is that of the packed model alone. Every field is checked against the key and the model's configuration
 * before anything is read from where it points.
 */
final class PackedCacheReader {
    /**
     * Bytes copied at a time: the mapped pages of one chunk are all the memory the read adds to the model's (with
     * 4 MB the run's peak was 4 to 5 MB above packing's).
     */
    private static final int CHUNK = 1 << 20;
    /** More key bytes or entries than any model has: the header is damaged. */
    private static final long MAX_HEADER_FIELD = 1 << 20;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private PackedCacheReader() {}

    /**
     * The weights of {@code file}, which must have been written under {@code key} for a model of configuration
     * {@code c}.
     *
     * @throws CorruptPackedCacheException when the file is truncated, not a cache file, written under another key
     *                                     or for another shape, or a checksum disagrees
     * @throws IOException                 when it cannot be opened or mapped ({@link java.nio.file.NoSuchFileException}
     *                                     when it does not exist)
     */
    static PackedWeights read(Path file, PackedCacheKey key, ModelConfig c) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            long size = channel.size();
            if (size < PackedCacheFormat.FIXED) {
                throw new CorruptPackedCacheException(file, "truncated (" + size + " bytes)");
            }
            MemorySegment m = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            List<PackedCacheFormat.Entry> entries = header(file, m, key);
            return weights(file, m, key.kind(), c, entries);
        }
    }

    /** Checks the header (magic, version, lengths, checksum, key) and returns its entries. */
    private static List<PackedCacheFormat.Entry> header(Path file, MemorySegment m, PackedCacheKey key) {
        byte[] magic = m.asSlice(0, PackedCacheFormat.MAGIC.length).toArray(ValueLayout.JAVA_BYTE);
        if (!java.util.Arrays.equals(magic, PackedCacheFormat.MAGIC)) {
            throw new CorruptPackedCacheException(file, "not a packed-weight cache file");
        }
        int version = m.get(INT, 8);
        if (version != PackedCacheFormat.VERSION) {
            throw new CorruptPackedCacheException(file, "layout version " + version + ", this build reads "
                    + PackedCacheFormat.VERSION);
        }
        long headerLength = Integer.toUnsignedLong(m.get(INT, 12));
        long count = Integer.toUnsignedLong(m.get(INT, 16));
        long keyLength = Integer.toUnsignedLong(m.get(INT, 20));
        long recorded = m.get(LONG, 24);
        if (recorded != m.byteSize()) {
            throw new CorruptPackedCacheException(file, "truncated or extended: " + m.byteSize() + " bytes, written as "
                    + recorded);
        }
        // Bounds first, so that no length below can overflow: a header is far smaller than these.
        if (keyLength > MAX_HEADER_FIELD || count > MAX_HEADER_FIELD || keyLength > headerLength
                || headerLength != PackedCacheFormat.headerLength((int) keyLength, (int) count)
                || headerLength > m.byteSize()) {
            throw new CorruptPackedCacheException(file, "damaged header");
        }
        CRC32C crc = new CRC32C();
        PackedCacheKey.update(crc, m, 0, headerLength - Integer.BYTES);
        if ((int) crc.getValue() != m.get(INT, headerLength - Integer.BYTES)) {
            throw new CorruptPackedCacheException(file, "the header's checksum disagrees");
        }
        String written = new String(m.asSlice(PackedCacheFormat.FIXED, keyLength).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.UTF_8);
        if (!written.equals(key.text())) {
            throw new CorruptPackedCacheException(file, "written for another file, version or kernel (" + written + ")");
        }
        List<PackedCacheFormat.Entry> out = new ArrayList<>();
        long at = PackedCacheFormat.entriesOffset((int) keyLength);
        for (int i = 0; i < count; i++, at += PackedCacheFormat.ENTRY) {
            out.add(new PackedCacheFormat.Entry(m.get(INT, at), m.get(INT, at + 4), m.get(INT, at + 8),
                    Float.intBitsToFloat(m.get(INT, at + 12)), m.get(LONG, at + 16), -1, m.get(INT, at + 24)));
        }
        return out;
    }

    private static PackedWeights weights(Path file, MemorySegment m, TlmmKernel.Kind kind, ModelConfig c,
                                         List<PackedCacheFormat.Entry> entries) {
        int[][] shapes = PackedWeights.shapes(c);
        if (entries.size() != shapes.length + 2) {
            throw new CorruptPackedCacheException(file, entries.size() + " arrays, a model of this shape has "
                    + (shapes.length + 2));
        }
        List<Prepared> matrices = new ArrayList<>(shapes.length);
        boolean scalar = kind == TlmmKernel.Kind.SCALAR;
        for (int i = 0; i < shapes.length; i++) {
            PackedCacheFormat.Entry e = entries.get(i);
            int rows = shapes[i][0];
            int cols = shapes[i][1];
            expect(file, e, scalar ? PackedCacheFormat.INDICES : PackedCacheFormat.TILES, rows, cols, i);
            long length = TlmmKernel.packedLength(kind, rows, cols);
            try {
                matrices.add(scalar
                        ? TlmmKernel.restore(kind, rows, cols, e.scale(), null, bytes(file, m, e, length, i))
                        : TlmmKernel.restore(kind, rows, cols, e.scale(), shorts(file, m, e, length, i), null));
            } catch (IllegalArgumentException bad) {
                throw new CorruptPackedCacheException(file, "array " + i + ": " + bad.getMessage());
            }
        }
        int vocab = c.vocabSize();
        PackedCacheFormat.Entry weights = entries.get(shapes.length);
        PackedCacheFormat.Entry scales = entries.get(shapes.length + 1);
        expect(file, weights, PackedCacheFormat.HEAD, vocab, c.dim(), shapes.length);
        expect(file, scales, PackedCacheFormat.HEAD_SCALES, vocab, 1, shapes.length + 1);
        LmHead head = new LmHead(vocab, c.dim(), bytes(file, m, weights, (long) vocab * c.dim(), shapes.length),
                floats(file, m, scales, vocab, shapes.length + 1));
        return new PackedWeights(kind, matrices, head);
    }

    private static void expect(Path file, PackedCacheFormat.Entry e, int type, int rows, int cols, int index) {
        if (e.type() != type || e.rows() != rows || e.cols() != cols) {
            throw new CorruptPackedCacheException(file, "array " + index + " is of type " + e.type() + ", " + e.rows()
                    + " x " + e.cols() + "; the model needs type " + type + ", " + rows + " x " + cols);
        }
    }

    private static short[] shorts(Path file, MemorySegment m, PackedCacheFormat.Entry e, long count, int index) {
        short[] out = new short[checkedCount(file, m, e, count, Short.BYTES, index)];
        copy(file, m, e, out, out.length, Short.BYTES, index);
        return out;
    }

    private static byte[] bytes(Path file, MemorySegment m, PackedCacheFormat.Entry e, long count, int index) {
        byte[] out = new byte[checkedCount(file, m, e, count, 1, index)];
        copy(file, m, e, out, out.length, 1, index);
        return out;
    }

    private static float[] floats(Path file, MemorySegment m, PackedCacheFormat.Entry e, long count, int index) {
        float[] out = new float[checkedCount(file, m, e, count, Float.BYTES, index)];
        copy(file, m, e, out, out.length, Float.BYTES, index);
        return out;
    }

    /** The element count, once the array's bytes are known to lie inside the file. */
    private static int checkedCount(Path file, MemorySegment m, PackedCacheFormat.Entry e, long count, int width,
                                    int index) {
        long bytes = count * width;
        if (count > Integer.MAX_VALUE || e.offset() < 0 || e.offset() % PackedCacheFormat.ALIGN != 0
                || e.offset() > m.byteSize() - bytes) {
            throw new CorruptPackedCacheException(file, "array " + index + " lies outside the file");
        }
        return (int) count;
    }

    /**
     * Copies the array's bytes into {@code out} a chunk at a time, checksumming each chunk from the mapping and then
     * letting the system drop the chunk's pages (they are not needed again).
     */
    private static void copy(Path file, MemorySegment m, PackedCacheFormat.Entry e, Object out, int count, int width,
                             int index) {
        CRC32C crc = new CRC32C();
        int perChunk = CHUNK / width;
        for (int from = 0; from < count; from += perChunk) {
            int n = Math.min(perChunk, count - from);
            MemorySegment chunk = m.asSlice(e.offset() + (long) from * width, (long) n * width);
            crc.update(chunk.asByteBuffer());
            switch (out) {
                case short[] s -> MemorySegment.copy(chunk, SHORT, 0, s, from, n);
                case float[] f -> MemorySegment.copy(chunk, FLOAT, 0, f, from, n);
                default -> MemorySegment.copy(chunk, ValueLayout.JAVA_BYTE, 0, out, from, n);
            }
            chunk.unload();
        }
        if ((int) crc.getValue() != e.crc()) {
            throw new CorruptPackedCacheException(file, "the checksum of array " + index + " disagrees");
        }
    }
}
