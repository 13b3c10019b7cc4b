package dev.tellmej.model.ternary;

import dev.tellmej.model.tensor.TernaryRows;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API TLMM: a group's 27-entry table (padded to 32 shorts) fills one 512-bit register, and one
 * lane-wise table select (AVX-512 {@code vpermw}) looks up 32 rows at once. The three 5-bit indices of groups
 * 3j, 3j+1, 3j+2 of a row are packed into one short (1.78 bits per weight, so a decode step streams a third less
 * memory than with a byte per index), and rows are laid out in tiles of 64, group-triple-major inside a tile, so
 * a tile streams through memory sequentially. Partial sums stay in 16-bit lanes for 63 groups
 * (63 * 384 < 2^15) and are then widened into int32 accumulators. Loaded only when the
 * {@code jdk.incubator.vector} module is present and the CPU has 512-bit vectors.
 */
final class VectorTlmm {
    static final int TILE = 64;
    /** Group triples between widenings of the 16-bit partial sums. */
    private static final int FLUSH_EVERY = 21;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;

    private VectorTlmm() {}

    /** True when 512-bit short vectors are native here. */
    static boolean supported() {
        return ShortVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    }

    /** Group triples of a matrix (groups padded with index 0 to a multiple of 3). */
    static int triples(int groups) {
        return (groups + 2) / 3;
    }

    /** Packs row-major indices into 64-row tiles of shorts, three indices per short (rows padded with 0). */
    static short[] tile(TernaryMatrix m) {
        int triples = triples(m.groups());
        short[] out = new short[Math.multiplyExact((m.rows() + TILE - 1) / TILE, triples * TILE)];
        tileRows(m.indices(), m.groups(), 0, m.rows(), out);
        return out;
    }

    /**
     * As {@link #tile(TernaryMatrix)} from trits, one tile at a time: only a tile's trits and indices exist at once
     * beside the result (one per thread).
     */
    static short[] tile(TernaryRows t) {
        return tile(t, null);
    }

    /** As {@link #tile(TernaryRows)}, the tiles shared among the kernel's threads (null: this thread alone). */
    static short[] tile(TernaryRows t, TlmmKernel kernel) {
        int rows = t.rows();
        int cols = t.cols();
        int groups = (cols + 2) / 3;
        int tiles = (rows + TILE - 1) / TILE;
        short[] out = new short[Math.multiplyExact(tiles, triples(groups) * TILE)];
        TlmmKernel.RowRange body = (from, to) -> {
            PackScratch s = PackScratch.of(TILE * cols, TILE * groups);
            for (int tile = from; tile < to; tile++) {
                int first = tile * TILE;
                int n = Math.min(TILE, rows - first);
                t.decode(first, n, s.trits);
                TernaryMatrix.encode(s.trits, n, cols, s.idx);
                tileRows(s.idx, groups, first, n, out);
            }
        };
        if (kernel == null) {
            body.run(0, tiles);
        } else {
            kernel.forRows(tiles, 1, body);
        }
        return out;
    }

    /** A thread's trits and indices of one tile while matrices are packed (kept for the next matrix). */
    private static final class PackScratch {
        private static final ThreadLocal<PackScratch> OF_THREAD = new ThreadLocal<>();
        final byte[] trits;
        final byte[] idx;

        private PackScratch(int trits, int idx) {
            this.trits = new byte[trits];
            this.idx = new byte[idx];
        }

        static PackScratch of(int trits, int idx) {
            PackScratch s = OF_THREAD.get();
            if (s == null || s.trits.length < trits || s.idx.length < idx) {
                s = new PackScratch(trits, idx);
                OF_THREAD.set(s);
            }
            return s;
        }
    }

    /** Rows [first, first + n) of the tiles from their indices {@code idx[0 .. n * groups)}. */
    private static void tileRows(byte[] idx, int groups, int first, int n, short[] out) {
        int triples = triples(groups);
        for (int k = 0; k < n; k++) {
            int r = first + k;
            int dst = (r / TILE) * triples * TILE + r % TILE;
            int src = k * groups;
            for (int j = 0; j < triples; j++) {
                int g = 3 * j;
                int a = idx[src + g];
                int b = g + 1 < groups ? idx[src + g + 1] : 0;
                int c = g + 2 < groups ? idx[src + g + 2] : 0;
                out[dst + j * TILE] = (short) (a | b << 5 | c << 10);
            }
        }
    }

    /**
     * Accumulators of tiles [fromTile, toTile) into acc (rows past {@code rows} dropped). {@code tables} must hold
     * 32 entries for every group of {@code 3 * triples(groups)}, the padding groups all zero.
     */
    static void tiles(short[] tiled, int rows, int groups, short[] tables, int[] acc, int fromTile, int toTile) {
        int triples = triples(groups);
        int[] out = new int[TILE];
        for (int t = fromTile; t < toTile; t++) {
            IntVector i0 = IntVector.zero(I512);
            IntVector i1 = IntVector.zero(I512);
            IntVector i2 = IntVector.zero(I512);
            IntVector i3 = IntVector.zero(I512);
            ShortVector s0 = ShortVector.zero(S512);
            ShortVector s1 = ShortVector.zero(S512);
            int base = t * triples * TILE;
            for (int j = 0; j < triples; j++) {
                int tb = j * 96;
                ShortVector ta = ShortVector.fromArray(S512, tables, tb);
                ShortVector tbv = ShortVector.fromArray(S512, tables, tb + 32);
                ShortVector tc = ShortVector.fromArray(S512, tables, tb + 64);
                int at = base + j * TILE;
                ShortVector p0 = ShortVector.fromArray(S512, tiled, at);
                ShortVector p1 = ShortVector.fromArray(S512, tiled, at + 32);
                s0 = s0.add(p0.and((short) 31).selectFrom(ta))
                        .add(p0.lanewise(VectorOperators.LSHR, 5).and((short) 31).selectFrom(tbv))
                        .add(p0.lanewise(VectorOperators.LSHR, 10).selectFrom(tc));
                s1 = s1.add(p1.and((short) 31).selectFrom(ta))
                        .add(p1.lanewise(VectorOperators.LSHR, 5).and((short) 31).selectFrom(tbv))
                        .add(p1.lanewise(VectorOperators.LSHR, 10).selectFrom(tc));
                if ((j + 1) % FLUSH_EVERY == 0) {
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
