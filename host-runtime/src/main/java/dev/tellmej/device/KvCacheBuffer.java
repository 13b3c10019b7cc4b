package dev.tellmej.device;

import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.model.numerics.StorageFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A KV cache in host memory, laid out byte for byte as in DDR ({@link KvCacheLayout}). */
final class KvCacheBuffer {
    private final KvCacheLayout layout;
    private final StorageFormat storage;
    private final ByteBuffer bytes;

    KvCacheBuffer(KvCacheLayout layout, StorageFormat storage) {
        this.layout = layout;
        this.storage = storage;
        this.bytes = ByteBuffer.allocate(Math.toIntExact(layout.totalBytes())).order(ByteOrder.LITTLE_ENDIAN);
    }

    KvCacheLayout layout() {
        return layout;
    }

    /** Stores {@code headDim} values of {@code row} from {@code from} (already storage-rounded). */
    void write(int layer, int kvHead, int kind, int position, float[] row, int from) {
        int at = (int) layout.rowOffset(layer, kvHead, kind, position);
        for (int i = 0; i < layout.headDim(); i++) {
            bytes.putShort(at + 2 * i, storage.encode(row[from + i]));
        }
    }

    /** The rows of positions 0 .. {@code positions - 1} of one head, position-major, into {@code out}. */
    void read(int layer, int kvHead, int kind, int positions, float[] out) {
        int at = (int) layout.rowOffset(layer, kvHead, kind, 0);
        int n = positions * layout.headDim();
        for (int i = 0; i < n; i++) {
            out[i] = storage.decode(bytes.getShort(at + 2 * i));
        }
    }

    /** The raw bytes (for comparing with another device's cache). */
    ByteBuffer bytes() {
        return bytes.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
}
