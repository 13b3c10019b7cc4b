package dev.tellmej.model.ternary;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API TLMM: a group's 27-entry table (padded to 32 shorts) fills one 512-bit register, and one
 * lane-wise table select (AVX-512 {@code vpermw}) looks up 32 rows at once. Indices are re-laid in tiles of 64
 * rows, group-major inside a tile, so a tile streams through memory sequentially. Partial sums stay in 16-bit
 * lanes for 64 groups (64 * 384 < 2^15) and are then widened into int32 accumulators. Loaded only when the
 * {@code jdk.incubator.vector} module is present and the CPU has 512-bit vectors.
 */
final class VectorTlmm {
    static final int TILE = 64;
    private static final int FLUSH_EVERY = 64;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;

    private VectorTlmm() {}

    /** True when 512-bit short vectors are native here. */
    static boolean supported() {
        return ShortVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    }

    /** Re-lays row-major indices into 64-row tiles (rows padded with index 0). */
    static byte[] tile(TernaryMatrix m) {
        int tiles = (m.rows() + TILE - 1) / TILE;
        int groups = m.groups();
        byte[] out = new byte[tiles * groups * TILE];
        byte[] idx = m.indices();
        for (int r = 0; r < m.rows(); r++) {
            int t = r / TILE;
            int j = r % TILE;
            int src = r * groups;
            int dst = t * groups * TILE + j;
            for (int g = 0; g < groups; g++) {
                out[dst + g * TILE] = idx[src + g];
            }
        }
        return out;
    }

    /** Accumulators of tiles [fromTile, toTile) into acc (rows past m.rows() dropped). */
    static void tiles(byte[] tiled, int rows, int groups, short[] tables, int[] acc, int fromTile, int toTile) {
        int[] out = new int[TILE];
        for (int t = fromTile; t < toTile; t++) {
            IntVector i0 = IntVector.zero(I512);
            IntVector i1 = IntVector.zero(I512);
            IntVector i2 = IntVector.zero(I512);
            IntVector i3 = IntVector.zero(I512);
            ShortVector s0 = ShortVector.zero(S512);
            ShortVector s1 = ShortVector.zero(S512);
            int base = t * groups * TILE;
            for (int g = 0; g < groups; g++) {
                ShortVector table = ShortVector.fromArray(S512, tables, g * 32);
                int at = base + g * TILE;
                ShortVector x0 = (ShortVector) ByteVector.fromArray(B256, tiled, at)
                        .convertShape(VectorOperators.B2S, S512, 0);
                ShortVector x1 = (ShortVector) ByteVector.fromArray(B256, tiled, at + 32)
                        .convertShape(VectorOperators.B2S, S512, 0);
                s0 = s0.add(x0.selectFrom(table));
                s1 = s1.add(x1.selectFrom(table));
                if ((g + 1) % FLUSH_EVERY == 0) {
                    i0 = i0.add(s0.convertShape(VectorOperators.S2I, I512, 0));
                    i1 = i1.add(s0.convertShape(VectorOperators.S2I, I512, 1));
                    i2 = i2.add(s1.convertShape(VectorOperators.S2I, I512, 0));
                    i3 = i3.add(s1.convertShape(VectorOperators.S2I, I512, 1));
                    s0 = ShortVector.zero(S512);
                    s1 = ShortVector.zero(S512);
                }
            }
            i0 = i0.add(s0.convertShape(VectorOperators.S2I, I512, 0));
            i1 = i1.add(s0.convertShape(VectorOperators.S2I, I512, 1));
            i2 = i2.add(s1.convertShape(VectorOperators.S2I, I512, 0));
            i3 = i3.add(s1.convertShape(VectorOperators.S2I, I512, 1));
            i0.intoArray(out, 0);
            i1.intoArray(out, 16);
            i2.intoArray(out, 32);
            i3.intoArray(out, 48);
            int first = t * TILE;
            System.arraycopy(out, 0, acc, first, Math.min(TILE, rows - first));
        }
    }

    /** The int8 dot product of {@code w[wOff .. wOff+n)} and {@code x[0..n)} (exact, int32). */
    static int dot(byte[] w, int wOff, byte[] x, int n) {
        IntVector a0 = IntVector.zero(I512);
        IntVector a1 = IntVector.zero(I512);
        int i = 0;
        for (; i + 32 <= n; i += 32) {
            ShortVector wv = (ShortVector) ByteVector.fromArray(B256, w, wOff + i).convertShape(VectorOperators.B2S, S512, 0);
            ShortVector xv = (ShortVector) ByteVector.fromArray(B256, x, i).convertShape(VectorOperators.B2S, S512, 0);
            ShortVector p = wv.mul(xv);
            a0 = a0.add(p.convertShape(VectorOperators.S2I, I512, 0));
            a1 = a1.add(p.convertShape(VectorOperators.S2I, I512, 1));
        }
        int s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += w[wOff + i] * x[i];
        }
        return s;
    }
}
