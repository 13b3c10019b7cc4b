package dev.tellmej.model.numerics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The 16-bit KV cache keeps every storage-rounded value exactly, in the layout attention reads. */
class KvCacheTest {
    private static final long SEED = 0x6B76;

    /**
     * Every pattern {@link StorageFormat#encode} can produce (all but the signalling NaNs, which it never writes).
     */
    private static short[] encodable(StorageFormat st) {
        short[] all = new short[65536];
        int n = 0;
        for (int p = 0; p < 65536; p++) {
            short bits = (short) p;
            if (st.encode(st.decode(bits)) == bits) {
                all[n++] = bits;
            }
        }
        return java.util.Arrays.copyOf(all, n);
    }

    @Test
    void everyStorageRoundedValueComesBackExactly() {
        for (StorageFormat st : StorageFormat.values()) {
            short[] patterns = encodable(st);
            // Every finite pattern and both infinities, and the one NaN the format stores.
            assertEquals(st == StorageFormat.FP16 ? 2 * 31 * 1024 + 2 + 1 : 2 * 255 * 128 + 2 + 1, patterns.length);
            int headDim = 64;
            int kvHeads = 2;
            int positions = (patterns.length + kvHeads * headDim - 1) / (kvHeads * headDim);
            KvCache cache = new KvCache(3, kvHeads, headDim, positions, st);
            cache.reserve(positions);
            float[] k = new float[kvHeads * headDim];
            float[] v = new float[kvHeads * headDim];
            for (int t = 0; t < positions; t++) {
                for (int e = 0; e < k.length; e++) {
                    int at = (t * k.length + e) % patterns.length;
                    k[e] = st.decode(patterns[at]);
                    v[e] = st.decode(patterns[patterns.length - 1 - at]);
                }
                cache.put(2, t, k, v);
            }
            for (int t = 0; t < positions; t++) {
                for (int h = 0; h < kvHeads; h++) {
                    for (int i = 0; i < headDim; i++) {
                        int at = (t * k.length + h * headDim + i) % patterns.length;
                        assertEquals(patterns[at], cache.keys(2, t)[cache.keyIndex(h, t, i)], st + " key pattern");
                        assertEquals(Float.floatToRawIntBits(st.decode(patterns[at])),
                                Float.floatToRawIntBits(cache.key(2, h, t, i)), st + " key " + t + "/" + h + "/" + i);
                        short vp = patterns[patterns.length - 1 - at];
                        assertEquals(Float.floatToRawIntBits(st.decode(vp)),
                                Float.floatToRawIntBits(cache.value(2, h, t, i)), st + " value " + t + "/" + h + "/" + i);
                    }
                }
            }
        }
    }

    /** The bulk decode (vectorized by the JIT once hot) equals the element decode for every storable pattern. */
    @Test
    void bulkDecodeEqualsElementDecode() {
        for (StorageFormat st : StorageFormat.values()) {
            short[] patterns = encodable(st);
            float[] out = new float[patterns.length + 5];
            // Enough rounds for the JIT to compile the loop; every round is checked.
            for (int round = 0; round < 300; round++) {
                int from = round % 5;
                int to = (3 * round) % 5;
                st.decode(patterns, from, out, to, patterns.length - from);
                for (int i = from; i < patterns.length; i++) {
                    int expected = Float.floatToRawIntBits(st.decode(patterns[i]));
                    int actual = Float.floatToRawIntBits(out[to + i - from]);
                    if (expected != actual) {
                        assertEquals(expected, actual, st + " pattern " + Integer.toHexString(patterns[i] & 0xFFFF)
                                + " in round " + round);
                    }
                }
            }
        }
    }

    @Test
    void keysOfABlockSitTogetherAndRowsComeBackPositionByPosition() {
        SplittableRandom r = new SplittableRandom(SEED);
        int headDim = 8;
        int kvHeads = 3;
        int n = 2 * KvCache.BLOCK + 5;
        KvCache cache = new KvCache(1, kvHeads, headDim, n, StorageFormat.FP16);
        cache.reserve(n);
        float[] keys = new float[n * kvHeads * headDim];
        float[] values = new float[keys.length];
        for (int t = 0; t < n; t++) {
            float[] k = new float[kvHeads * headDim];
            float[] v = new float[k.length];
            for (int e = 0; e < k.length; e++) {
                k[e] = StorageFormat.FP16.round((float) r.nextGaussian());
                v[e] = StorageFormat.FP16.round((float) r.nextGaussian());
            }
            System.arraycopy(k, 0, keys, t * k.length, k.length);
            System.arraycopy(v, 0, values, t * v.length, v.length);
            cache.put(0, t, k, v);
        }
        assertArrayEquals(keys, cache.rows(0, true, n));
        assertArrayEquals(values, cache.rows(0, false, n));
        // Element i of a block's positions is consecutive, and a head's blocks follow each other.
        assertEquals(cache.keyIndex(1, 0, 0) + 1, cache.keyIndex(1, 1, 0));
        assertEquals(cache.keyIndex(1, 0, 0) + KvCache.BLOCK, cache.keyIndex(1, 0, 1));
        assertEquals(cache.keyIndex(1, 0, 0) + KvCache.BLOCK * headDim, cache.keyIndex(1, KvCache.BLOCK, 0));
        assertEquals(cache.valueIndex(2, 4, 0) + headDim, cache.valueIndex(2, 5, 0));
        // Half the bytes of binary32, padded to whole blocks.
        assertEquals(2L * 2 * kvHeads * 3 * KvCache.BLOCK * headDim, cache.bytes());
    }

    @Test
    void segmentsAreAllocatedAsPositionsAreReserved() {
        int headDim = 8;
        int kvHeads = 2;
        int capacity = 2 * KvCache.SEGMENT + 20;
        KvCache cache = new KvCache(2, kvHeads, headDim, capacity, StorageFormat.BF16);
        assertEquals(0, cache.bytes());
        float[] k = new float[kvHeads * headDim];
        float[] v = new float[k.length];
        // Two layers, keys and values, two bytes a pattern.
        long segment = 2L * 2 * 2 * kvHeads * KvCache.SEGMENT * headDim;
        for (int t = 0; t < capacity; t++) {
            int position = t;
            for (int e = 0; e < k.length; e++) {
                k[e] = t + e;
                v[e] = -t - e;
            }
            if (t % KvCache.SEGMENT == 0) {
                assertThrows(IndexOutOfBoundsException.class, () -> cache.put(1, position, k, v), "not reserved");
            }
            cache.reserve(t + 1);
            cache.put(1, t, k, v);
            long expected = t < KvCache.SEGMENT ? segment : t < 2 * KvCache.SEGMENT ? 2 * segment
                    : 2 * segment + 2L * 2 * 2 * kvHeads * 32 * headDim; // the last: 20 positions, two blocks
            assertEquals(expected, cache.bytes(), "after position " + t);
        }
        for (int t = 0; t < capacity; t++) {
            assertEquals(StorageFormat.BF16.round(t + 3), cache.key(1, 0, t, 3), "key at " + t);
            assertEquals(StorageFormat.BF16.round(-t - 9), cache.value(1, 1, t, 1), "value at " + t);
            assertEquals(0f, cache.key(0, 0, t, 3), "layer 0 was reserved, not written");
        }
        // A chunk of attention never crosses a segment, so its keys and values are each one run of patterns.
        assertEquals(0, KvCache.SEGMENT % VectorAttention.CHUNK);
        assertEquals(0, VectorAttention.CHUNK % KvCache.BLOCK);
        assertThrows(IndexOutOfBoundsException.class, () -> cache.put(0, capacity, k, v));
        assertThrows(IndexOutOfBoundsException.class, () -> cache.reserve(capacity + 1));
    }

    @Test
    void aSegmentTooLargeForAnArrayIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KvCache(1, 1 << 14, 1024, 16, StorageFormat.FP16));
        assertTrue(e.getMessage().contains("too many for a KV cache segment"), e.getMessage());
    }
}
