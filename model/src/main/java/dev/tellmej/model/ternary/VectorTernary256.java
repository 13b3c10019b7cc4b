package dev.tellmej.model.ternary;

import dev.tellmej.model.tensor.TernaryRows;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The ternary product for 256-bit vectors (AVX2). AVX2 has no 16-bit table select across a register (the
 * {@code vpermw} that {@link VectorTlmm} relies on is AVX-512), and a 27-entry table of 16-bit sums does not fit
 * one 256-bit register, so this kernel multiplies instead of looking up: each weight is stored as the 2-bit code
 * {@code w + 1} (0, 1 or 2), the int8 activations are widened to 16 bits once per product, and
 * {@code sum (w + 1) * x - sum x} gives exactly the accumulator of {@link TlmmReference#matVec} (integer
 * arithmetic, so the order of the additions cannot matter).
 *
 * <p>Layout: a row is cut into blocks of 128 columns; a block is 16 shorts, and bits 2k..2k+1 of short l hold
 * the code of column {@code 128 * block + 16 * k + l}, so the eight chunks of a block are eight shifts of one
 * 256-bit load and line up with eight consecutive 16-lane slices of the activations (2 bits per weight, rows
 * contiguous). Columns past the matrix are code 1 (weight 0). Products are at most 2 * 128 in magnitude, eight per
 * block and lane, so 16-bit lanes hold {@link #FLUSH_BLOCKS} blocks before they are widened into int32.
 *
 * <p>The codes are not masked after their shift: slice k multiplies {@code w >>> 2k}, which still holds the codes
 * of slices k + 1 .. 7 above its own, by the transformed activation {@code x'[k] = x[k] - 4 x[k-1]} ({@code x'[0] =
 * x[0]}, within a block). Summed over the block's slices, {@code sum_k (w >>> 2k) x'[k] = sum_j c_j sum_{k<=j}
 * 4^(j-k) x'[k] = sum_j c_j x[j]} (the inner sum telescopes), an identity of integers that holds modulo 2^16 as
 * well, and the true sums fit 16 bits: three vector operations per 16 products instead of four.
 */
final class VectorTernary256 {
    static final int BLOCK = 128;
    private static final int LANES = 16;
    /** Blocks between widenings of the 16-bit partial sums: 15 * 8 * 256 = 30,720 < 2^15. */
    private static final int FLUSH_BLOCKS = 15;
    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;

    /** Each thread's arrays between {@link #fourRows} and {@link #widen}, so that a product allocates nothing. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final short[] partial = new short[4 * LANES];
        final int[] wide = new int[4 * I256.length()];
    }

    private VectorTernary256() {}

    /** True when 256-bit short vectors are native here (AVX2 or wider). */
    static boolean supported() {
        return ShortVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** Blocks of 128 columns per row. */
    static int blocks(int cols) {
        return (cols + BLOCK - 1) / BLOCK;
    }

    /** Packs a matrix into rows of 2-bit codes (see the class comment). */
    static short[] pack(TernaryMatrix m) {
        return pack(m.toTensor());
    }

    /** Packs trits into rows of 2-bit codes, decoding {@link TlmmKernel#PACK_ROWS} rows of trits at a time. */
    static short[] pack(TernaryRows t) {
        int rows = t.rows();
        int cols = t.cols();
        int blocks = blocks(cols);
        short[] out = new short[Math.multiplyExact(rows, blocks * LANES)];
        int chunk = Math.min(rows, TlmmKernel.PACK_ROWS);
        byte[] v = new byte[chunk * cols];
        for (int first = 0; first < rows; first += chunk) {
            int n = Math.min(chunk, rows - first);
            t.decode(first, n, v);
            for (int k = 0; k < n; k++) {
                packRow(v, k * cols, cols, blocks, out, (first + k) * blocks * LANES);
            }
        }
        return out;
    }

    /** One row of trits {@code v[src .. src + cols)} as 2-bit codes into {@code out[dst ..]}. */
    private static void packRow(byte[] v, int src, int cols, int blocks, short[] out, int dst) {
        for (int b = 0; b < blocks; b++) {
            int col0 = b * BLOCK;
            if (col0 + BLOCK <= cols) {
                for (int l = 0; l < LANES; l++) {
                    int at = src + col0 + l;
                    int word = 0;
                    for (int k = 0; k < 8; k++) {
                        word |= (v[at + k * LANES] + 1) << (2 * k);
                    }
                    out[dst + b * LANES + l] = (short) word;
                }
            } else {
                for (int l = 0; l < LANES; l++) {
                    int word = 0;
                    for (int k = 0; k < 8; k++) {
                        int c = col0 + k * LANES + l;
                        word |= (c < cols ? v[src + c] + 1 : 1) << (2 * k); // padding: code 1, weight 0
                    }
                    out[dst + b * LANES + l] = (short) word;
                }
            }
        }
    }

    /**
     * The activations of a product, read back from TLMM tables ({@link TlmmKernel#buildTables}: entries 1, 2, 3 of
     * group g are x[3g], x[3g+1], x[3g+2]), padded with zeros to whole blocks and transformed for the unmasked
     * codes (the class comment: slice k of a block holds {@code x[k] - 4 x[k-1]}, modulo 2^16, in 16-bit lanes);
     * {@code sum x} is returned.
     */
    static int activations(short[] tables, int cols, short[] xs) {
        int sum = 0;
        for (int c = 0, g = 1; c < cols; g += 32) {
            for (int k = 0; k < 3 && c < cols; k++, c++) {
                short x = tables[g + k];
                xs[c] = x;
                sum += x;
            }
        }
        int end = blocks(cols) * BLOCK;
        java.util.Arrays.fill(xs, cols, end, (short) 0);
        for (int block = 0; block < end; block += BLOCK) {
            // From the last slice down, so that each slice subtracts its predecessor's original values.
            for (int i = block + BLOCK - 1; i >= block + LANES; i--) {
                xs[i] = (short) (xs[i] - 4 * xs[i - LANES]);
            }
        }
        return sum;
    }

    /**
     * {@code acc[r]} for rows [from, to): {@code packed} from {@link #pack}, {@code xs} and {@code sumX} from
     * {@link #activations}. Four rows at a time share each activation load.
     */
    static void rows(short[] packed, int blocks, short[] xs, int sumX, int[] acc, int from, int to) {
        Scratch scratch = SCRATCH.get();
        short[] partial = scratch.partial;
        int[] wide = scratch.wide;
        int r = from;
        for (; r + 4 <= to; r += 4) {
            java.util.Arrays.fill(wide, 0);
            for (int start = 0; start < blocks; start += FLUSH_BLOCKS) {
                fourRows(packed, blocks, xs, r, start, Math.min(blocks, start + FLUSH_BLOCKS), partial);
                widen(partial, wide);
            }
            for (int k = 0; k < 4; k++) {
                acc[r + k] = IntVector.fromArray(I256, wide, k * I256.length()).reduceLanes(VectorOperators.ADD) - sumX;
            }
        }
        for (; r < to; r++) {
            oneRow(packed, blocks, xs, sumX, acc, r);
        }
    }

    /**
     * The 16-bit partial sums of rows [r, r+4) over blocks [start, end) (at most {@link #FLUSH_BLOCKS}), into
     * {@code partial} (16 lanes a row). The widening into int32 is a method of its own ({@link #widen}), through
     * arrays: the JIT inlines a bounded number of operations into one compilation, and a vector operation left out
     * would turn the vectors it takes into real objects (the product would allocate and slow down).
     */
    private static void fourRows(short[] packed, int blocks, short[] xs, int r, int start, int end, short[] partial) {
        int stride = blocks * LANES;
        int b0 = r * stride;
        int b1 = b0 + stride;
        int b2 = b1 + stride;
        int b3 = b2 + stride;
        ShortVector s0 = ShortVector.zero(S256);
        ShortVector s1 = ShortVector.zero(S256);
        ShortVector s2 = ShortVector.zero(S256);
        ShortVector s3 = ShortVector.zero(S256);
        for (int b = start; b < end; b++) {
            int wo = b * LANES;
            ShortVector w0 = ShortVector.fromArray(S256, packed, b0 + wo);
            ShortVector w1 = ShortVector.fromArray(S256, packed, b1 + wo);
            ShortVector w2 = ShortVector.fromArray(S256, packed, b2 + wo);
            ShortVector w3 = ShortVector.fromArray(S256, packed, b3 + wo);
            int xo = b * BLOCK;
            for (int k = 0; k < 8; k++) {
                ShortVector x = ShortVector.fromArray(S256, xs, xo + k * LANES);
                int sh = 2 * k;
                s0 = s0.add(w0.lanewise(VectorOperators.LSHR, sh).mul(x));
                s1 = s1.add(w1.lanewise(VectorOperators.LSHR, sh).mul(x));
                s2 = s2.add(w2.lanewise(VectorOperators.LSHR, sh).mul(x));
                s3 = s3.add(w3.lanewise(VectorOperators.LSHR, sh).mul(x));
            }
        }
        s0.intoArray(partial, 0);
        s1.intoArray(partial, LANES);
        s2.intoArray(partial, 2 * LANES);
        s3.intoArray(partial, 3 * LANES);
    }

    /** Adds the four rows' 16-bit partials, widened, into their int32 lanes ({@code wide}: 8 lanes a row). */
    private static void widen(short[] partial, int[] wide) {
        int n = I256.length();
        for (int k = 0; k < 4; k++) {
            ShortVector s = ShortVector.fromArray(S256, partial, k * LANES);
            IntVector.fromArray(I256, wide, k * n).add(s.convertShape(VectorOperators.S2I, I256, 0))
                    .add(s.convertShape(VectorOperators.S2I, I256, 1)).intoArray(wide, k * n);
        }
    }

    /** {@code acc[r]}. */
    private static void oneRow(short[] packed, int blocks, short[] xs, int sumX, int[] acc, int r) {
        int b0 = r * blocks * LANES;
        IntVector i0 = IntVector.zero(I256);
        for (int start = 0; start < blocks; start += FLUSH_BLOCKS) {
            int end = Math.min(blocks, start + FLUSH_BLOCKS);
            ShortVector s0 = ShortVector.zero(S256);
            for (int b = start; b < end; b++) {
                ShortVector w0 = ShortVector.fromArray(S256, packed, b0 + b * LANES);
                int xo = b * BLOCK;
                for (int k = 0; k < 8; k++) {
                    ShortVector x = ShortVector.fromArray(S256, xs, xo + k * LANES);
                    s0 = s0.add(w0.lanewise(VectorOperators.LSHR, 2 * k).mul(x));
                }
            }
            i0 = widenAdd(i0, s0);
        }
        acc[r] = i0.reduceLanes(VectorOperators.ADD) - sumX;
    }

    private static IntVector widenAdd(IntVector acc, ShortVector s) {
        return acc.add(s.convertShape(VectorOperators.S2I, I256, 0)).add(s.convertShape(VectorOperators.S2I, I256, 1));
    }

    /** The int8 dot product of {@code w[wOff .. wOff+n)} and {@code x[0..n)} (exact, int32). */
    static int dot(byte[] w, int wOff, byte[] x, int n) {
        IntVector a0 = IntVector.zero(I256);
        IntVector a1 = IntVector.zero(I256);
        int i = 0;
        for (; i + 16 <= n; i += 16) {
            ShortVector wv = (ShortVector) ByteVector.fromArray(B128, w, wOff + i).convertShape(VectorOperators.B2S, S256, 0);
            ShortVector xv = (ShortVector) ByteVector.fromArray(B128, x, i).convertShape(VectorOperators.B2S, S256, 0);
            ShortVector p = wv.mul(xv);
            a0 = a0.add(p.convertShape(VectorOperators.S2I, I256, 0));
            a1 = a1.add(p.convertShape(VectorOperators.S2I, I256, 1));
        }
        int s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += w[wOff + i] * x[i];
        }
        return s;
    }
}
