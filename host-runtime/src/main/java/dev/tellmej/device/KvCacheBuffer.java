package dev.tellmej.device;

import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.model.numerics.StorageFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A KV cache in host memory, laid out byte for byte as in DDR ({@link KvCacheLayout}); off the Java heap, so a
 * long context's cache (hundreds of MB, or more than 2 GB) costs no heap and no array limit.
 */
final class KvCacheBuffer implements AutoCloseable {
    private static final ValueLayout.OfShort STORED = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final KvCacheLayout layout;
    private final StorageFormat storage;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment bytes;

    KvCacheBuffer(KvCacheLayout layout, StorageFormat storage) {
        this.layout = layout;
        this.storage = storage;
        this.bytes = arena.allocate(layout.totalBytes(), 4096);
    }

    KvCacheLayout layout() {
        return layout;
    }

    /** Stores {@code headDim} values of {@code row} from {@code from} (already storage-rounded). */
    void write(int layer, int kvHead, int kind, int position, float[] row, int from) {
        long at = layout.rowOffset(layer, kvHead, kind, position);
        for (int i = 0; i < layout.headDim(); i++) {
            bytes.set(STORED, at + 2L * i, storage.encode(row[from + i]));
        }
    }

    /** The rows of positions 0 .. {@code positions - 1} of one head, position-major, into {@code out}. */
    void read(int layer, int kvHead, int kind, int positions, float[] out) {
        long at = layout.rowOffset(layer, kvHead, kind, 0);
        int n = positions * layout.headDim();
        for (int i = 0; i < n; i++) {
            out[i] = storage.decode(bytes.get(STORED, at + 2L * i));
        }
    }

    /** The value of element {@code element} of one row, decoded. */
    float get(int layer, int kvHead, int kind, int position, int element) {
        return storage.decode(bytes.get(STORED, layout.rowOffset(layer, kvHead, kind, position) + 2L * element));
    }

    /** The raw bytes, read-only (for comparing with another device's cache); valid until the device closes. */
    ByteBuffer bytes() {
        return bytes.asReadOnly().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        arena.close();
    }
}
