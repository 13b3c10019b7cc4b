package dev.tellmej.model.numerics;

/**
 * The exact path's KV cache (NUMERICS.md N17.2.3) as the storage format's 16-bit patterns: the cached keys and
 * values are storage-rounded before they are written, so keeping their patterns instead of binary32 loses nothing
 * ({@code S.decode(S.encode(x)) == x} for every storage-rounded x) and halves the bytes attention streams.
 *
 * <p>The positions are kept in segments of {@link #SEGMENT}, each allocated when a position in it is first
 * {@linkplain #reserve reserved}, so a long context costs memory only as far as it is used. Within a segment, each layer's keys are laid out for a
 * score loop that runs {@link #BLOCK} positions at once: per KV head, the positions in blocks of {@link #BLOCK},
 * and inside a block element i of every position together ({@code [kvHead][block][i][position in block]}), so one
 * load gives element i of consecutive positions; each layer's values are per KV head, position by position
 * ({@code [kvHead][position][i]}), so a position's row is contiguous. The last segment is padded to a whole block;
 * padding positions hold +0 until written.
 */
public final class KvCache {
    /** Positions per key block. */
    public static final int BLOCK = 16;
    /** Positions per segment (a multiple of {@link #BLOCK}). */
    public static final int SEGMENT = 256;

    private final StorageFormat st;
    private final int kvHeads;
    private final int headDim;
    private final int capacity;
    /** [layer][segment], null until written. */
    private final short[][][] keys;
    private final short[][][] values;

    /**
     * @param layers   decoder layers
     * @param kvHeads  KV heads per layer
     * @param headDim  elements per head
     * @param capacity positions
     * @param st       the storage format the values are rounded to
     * @throws IllegalArgumentException when a dimension is not positive
     */
    public KvCache(int layers, int kvHeads, int headDim, int capacity, StorageFormat st) {
        if (layers < 1 || kvHeads < 1 || headDim < 1 || capacity < 1) {
            throw new IllegalArgumentException("a KV cache needs at least one layer, KV head, element and position;"
                    + " got " + layers + " layers, " + kvHeads + " KV heads, head size " + headDim + ", capacity "
                    + capacity);
        }
        if ((long) kvHeads * headDim * SEGMENT > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(kvHeads + " KV heads x " + headDim + " elements are too many for a KV"
                    + " cache segment");
        }
        this.st = st;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.capacity = capacity;
        int segments = (capacity + SEGMENT - 1) / SEGMENT;
        keys = new short[layers][segments][];
        values = new short[layers][segments][];
    }

    /** The storage format of the patterns. */
    public StorageFormat storage() {
        return st;
    }

    /** Positions the cache holds. */
    public int capacity() {
        return capacity;
    }

    /** Elements per head. */
    public int headDim() {
        return headDim;
    }

    /** KV heads per layer. */
    public int kvHeads() {
        return kvHeads;
    }

    /** Bytes of the patterns allocated so far, keys and values of every layer. */
    public long bytes() {
        long bytes = 0;
        for (short[][] layer : keys) {
            for (short[] segment : layer) {
                bytes += segment == null ? 0 : 2L * Short.BYTES * segment.length;
            }
        }
        return bytes;
    }

    /** Positions in segment {@code s}: {@link #SEGMENT}, or the rest padded to a whole block for the last. */
    private int segmentPositions(int s) {
        int rest = capacity - s * SEGMENT;
        return rest >= SEGMENT ? SEGMENT : (rest + BLOCK - 1) / BLOCK * BLOCK;
    }

    /**
     * Makes positions [0, {@code positions}) writable in every layer, allocating the segments they need. Called
     * before {@link #put}s that may run on several threads at once (each thread writing positions of its own).
     */
    public void reserve(int positions) {
        if (positions < 0 || positions > capacity) {
            throw new IndexOutOfBoundsException(positions + " positions do not fit a KV cache of " + capacity);
        }
        for (int s = 0; s * SEGMENT < positions; s++) {
            for (int l = 0; l < keys.length; l++) {
                if (keys[l][s] == null) {
                    int n = kvHeads * segmentPositions(s) * headDim;
                    keys[l][s] = new short[n];
                    values[l][s] = new short[n];
                }
            }
        }
    }

    /**
     * Writes position {@code position}'s keys and values of one layer, {@code kvHeads x headDim} each (head h at
     * {@code h x headDim}); the position must be {@linkplain #reserve reserved}. They must already be
     * storage-rounded, as N17.2.3 makes them; a value that is not is stored rounded.
     */
    public void put(int layer, int position, float[] k, float[] v) {
        short[] kl = position >= 0 && position < capacity ? keys[layer][position / SEGMENT] : null;
        if (kl == null) {
            throw new IndexOutOfBoundsException("position " + position + " of a KV cache of " + capacity
                    + " was not reserved");
        }
        short[] vl = values[layer][position / SEGMENT];
        for (int h = 0; h < kvHeads; h++) {
            int src = h * headDim;
            int kb = keyIndex(h, position, 0);
            int vb = valueIndex(h, position, 0);
            for (int i = 0; i < headDim; i++) {
                kl[kb + i * BLOCK] = st.encode(k[src + i]);
                vl[vb + i] = st.encode(v[src + i]);
            }
        }
    }

    /** Key element i of KV head h at {@code position}, decoded (+0 where nothing was written). */
    public float key(int layer, int h, int position, int i) {
        short[] segment = keys(layer, position);
        return segment == null ? 0f : st.decode(segment[keyIndex(h, position, i)]);
    }

    /** Value element i of KV head h at {@code position}, decoded (+0 where nothing was written). */
    public float value(int layer, int h, int position, int i) {
        short[] segment = values(layer, position);
        return segment == null ? 0f : st.decode(segment[valueIndex(h, position, i)]);
    }

    /**
     * The keys of the segment holding {@code position}, {@code [kvHead][block][i][position in block]} (null before
     * a position of it was written); read with {@link #keyIndex}.
     */
    public short[] keys(int layer, int position) {
        return keys[layer][position / SEGMENT];
    }

    /** The values of the segment holding {@code position}, {@code [kvHead][position][i]}; read with {@link #valueIndex}. */
    public short[] values(int layer, int position) {
        return values[layer][position / SEGMENT];
    }

    /**
     * Where key element i of KV head h at {@code position} is in its segment ({@link #keys(int, int)}). The keys of
     * the positions of whole blocks [b * BLOCK, (b + n) * BLOCK) of one head that do not cross a multiple of
     * {@link #SEGMENT} are {@code n * BLOCK * headDim} consecutive patterns from {@code keyIndex(h, b * BLOCK, 0)}.
     */
    public int keyIndex(int h, int position, int i) {
        int s = position / SEGMENT;
        int p = position - s * SEGMENT;
        return ((h * (segmentPositions(s) / BLOCK) + p / BLOCK) * headDim + i) * BLOCK + p % BLOCK;
    }

    /**
     * Where value element i of KV head h at {@code position} is in its segment ({@link #values(int, int)}). The
     * values of consecutive positions of one head within a segment are consecutive rows of {@code headDim} patterns.
     */
    public int valueIndex(int h, int position, int i) {
        int s = position / SEGMENT;
        return (h * segmentPositions(s) + position - s * SEGMENT) * headDim + i;
    }

    /**
     * The layer's cached keys or values of positions [0, n) as binary32, {@code n x (kvHeads x headDim)} row by
     * row (the layout N17.2.3 describes and the test benches read).
     */
    public float[] rows(int layer, boolean ofKeys, int n) {
        int kvDim = kvHeads * headDim;
        float[] out = new float[n * kvDim];
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < kvHeads; h++) {
                for (int i = 0; i < headDim; i++) {
                    out[t * kvDim + h * headDim + i] = ofKeys ? key(layer, h, t, i) : value(layer, h, t, i);
                }
            }
        }
        return out;
    }
}
