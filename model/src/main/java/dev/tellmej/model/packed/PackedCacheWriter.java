package dev.tellmej.model.packed;

import static dev.tellmej.model.packed.PackedCacheFormat.ALIGN;

import dev.tellmej.model.inference.LmHead;
import dev.tellmej.model.ternary.TlmmKernel;
import dev.tellmej.model.ternary.TlmmKernel.Prepared;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes {@link PackedWeights} in the layout of {@link PackedCacheFormat}: the arrays first, a few megabytes at a
 * time through one native buffer (never a second copy of the weights), then the header, which holds their
 * checksums.
 */
final class PackedCacheWriter {
    /** Bytes copied and written at a time. */
    private static final int CHUNK = 4 << 20;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private PackedCacheWriter() {}

    /** One array to write: a short[], byte[] or float[], and its entry's type and shape. */
    private record Source(int type, int rows, int cols, float scale, Object array) {
        long bytes() {
            return switch (array) {
                case short[] s -> (long) s.length * Short.BYTES;
                case byte[] b -> b.length;
                case float[] f -> (long) f.length * Float.BYTES;
                default -> throw new IllegalStateException("not an array of the cache: " + array.getClass());
            };
        }
    }

    /**
     * Writes a new file (it must not exist).
     *
     * @throws IOException when the file cannot be created or written
     */
    static void write(Path file, PackedCacheKey key, PackedWeights w) throws IOException {
        if (w.kind() != key.kind()) {
            throw new IllegalArgumentException("weights packed for " + w.kind() + " under a key for " + key.kind());
        }
        List<Source> sources = sources(w);
        byte[] keyBytes = key.bytes();
        int headerLength = PackedCacheFormat.headerLength(keyBytes.length, sources.size());
        List<PackedCacheFormat.Entry> entries = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(CHUNK, ALIGN);
            long offset = headerLength;
            for (Source s : sources) {
                int crc = writeArray(channel, buffer, s.array(), offset);
                entries.add(new PackedCacheFormat.Entry(s.type(), s.rows(), s.cols(), s.scale(), offset, s.bytes(), crc));
                offset = PackedCacheFormat.align(offset + s.bytes());
            }
            // The file ends at the end of the last array; the reader checks the recorded length against the file's.
            long end = entries.isEmpty() ? headerLength : entries.getLast().offset() + entries.getLast().length();
            channel.truncate(end);
            writeFully(channel, header(keyBytes, headerLength, entries, end), 0);
        }
    }

    private static List<Source> sources(PackedWeights w) {
        List<Source> out = new ArrayList<>();
        for (Prepared p : w.matrices()) {
            if (w.kind() == TlmmKernel.Kind.SCALAR) {
                out.add(new Source(PackedCacheFormat.INDICES, p.rows(), p.cols(), p.scale(), p.matrix().indices()));
            } else {
                out.add(new Source(PackedCacheFormat.TILES, p.rows(), p.cols(), p.scale(), p.tiled()));
            }
        }
        LmHead head = w.head();
        out.add(new Source(PackedCacheFormat.HEAD, head.rows(), head.cols(), 0f, head.weights()));
        out.add(new Source(PackedCacheFormat.HEAD_SCALES, head.rows(), 1, 0f, head.rowScales()));
        return out;
    }

    /** Writes an array at {@code offset} in chunks through {@code buffer}; returns the CRC-32C of its bytes. */
    private static int writeArray(FileChannel channel, MemorySegment buffer, Object array, long offset)
            throws IOException {
        CRC32C crc = new CRC32C();
        int size = switch (array) {
            case short[] s -> s.length;
            case byte[] b -> b.length;
            case float[] f -> f.length;
            default -> throw new IllegalStateException("not an array of the cache");
        };
        int width = array instanceof short[] ? Short.BYTES : array instanceof float[] ? Float.BYTES : 1;
        int perChunk = CHUNK / width;
        long at = offset;
        for (int from = 0; from < size; from += perChunk) {
            int n = Math.min(perChunk, size - from);
            switch (array) {
                case short[] s -> MemorySegment.copy(s, from, buffer, SHORT, 0, n);
                case float[] f -> MemorySegment.copy(f, from, buffer, FLOAT, 0, n);
                default -> MemorySegment.copy((byte[]) array, from, buffer, ValueLayout.JAVA_BYTE, 0, n);
            }
            ByteBuffer bytes = buffer.asSlice(0, (long) n * width).asByteBuffer();
            crc.update(bytes.duplicate());
            writeFully(channel, bytes, at);
            at += (long) n * width;
        }
        return (int) crc.getValue();
    }

    private static ByteBuffer header(byte[] key, int headerLength, List<PackedCacheFormat.Entry> entries, long end) {
        ByteBuffer h = ByteBuffer.allocate(headerLength).order(ByteOrder.LITTLE_ENDIAN);
        h.put(PackedCacheFormat.MAGIC).putInt(PackedCacheFormat.VERSION).putInt(headerLength).putInt(entries.size())
                .putInt(key.length).putLong(end).put(key);
        h.position(PackedCacheFormat.entriesOffset(key.length));
        for (PackedCacheFormat.Entry e : entries) {
            h.putInt(e.type()).putInt(e.rows()).putInt(e.cols()).putInt(Float.floatToRawIntBits(e.scale()))
                    .putLong(e.offset()).putInt(e.crc()).putInt(0);
        }
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, headerLength - Integer.BYTES);
        h.putInt(headerLength - Integer.BYTES, (int) crc.getValue());
        h.clear();
        return h;
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
    }
}
