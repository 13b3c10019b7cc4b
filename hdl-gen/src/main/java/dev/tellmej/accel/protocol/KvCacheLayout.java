package dev.tellmej.accel.protocol;

/**
 * Where the KV cache keeps each key and value row in DDR (one layout for the kernel, the OpenCL twin and the
 * reference device): per layer, per KV head, the K rows of every position, then the V rows; each row is
 * {@code headDim} values in the storage format, little-endian. Row (layer l, KV head h, kind k, position p)
 * starts at byte {@code ((((l * kvHeads + h) * 2 + k) * positions + p) * headDim) * elementBytes}. A head's K
 * (and its V) are therefore one contiguous, position-major run: attention reads them in long bursts.
 *
 * @param layers       decoder blocks
 * @param kvHeads      key/value heads
 * @param headDim      elements per head
 * @param positions    positions held (the context the host allocated)
 * @param elementBytes bytes per stored value (2 for fp16 and bf16)
 */
public record KvCacheLayout(int layers, int kvHeads, int headDim, int positions, int elementBytes) {
    /** Kind index of keys. */
    public static final int KEYS = 0;
    /** Kind index of values. */
    public static final int VALUES = 1;

    public KvCacheLayout {
        if (layers < 1 || kvHeads < 1 || headDim < 1 || positions < 1 || elementBytes < 1) {
            throw new IllegalArgumentException("every KV-cache size must be positive: " + this);
        }
    }

    /** Bytes of one row (one head at one position). */
    public long rowBytes() {
        return (long) headDim * elementBytes;
    }

    /** Byte offset of the row of (layer, kvHead, kind, position). */
    public long rowOffset(int layer, int kvHead, int kind, int position) {
        if (layer < 0 || layer >= layers || kvHead < 0 || kvHead >= kvHeads || kind < 0 || kind > 1
                || position < 0 || position >= positions) {
            throw new IndexOutOfBoundsException("KV row (layer " + layer + ", head " + kvHead + ", kind " + kind
                    + ", position " + position + ") outside " + this);
        }
        return ((((long) layer * kvHeads + kvHead) * 2 + kind) * positions + position) * rowBytes();
    }

    /** Bytes of the whole cache. */
    public long totalBytes() {
        return (long) layers * kvHeads * 2 * positions * rowBytes();
    }
}
