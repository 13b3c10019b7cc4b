package dev.tellmej.model.numerics;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ExactOps#attentionHead} over a {@link KvCache} with the Vector API, bit for bit: every lane-ordered sum of
 * N5 keeps its order, nothing is reassociated, and products and sums stay separate binary32 operations (the Vector
 * API never fuses a multiply and an add). The cache's 16-bit patterns are decoded to binary32 a chunk of
 * {@link #CHUNK} positions at a time (exact: they were storage-rounded before they were stored).
 *
 * <p>Scores: a vector holds V consecutive positions of a key block ({@link KvCache}'s keys hold element i of a
 * block's positions together). For each of the L lanes, {@code sum q[i] * k[i]} over i = j, j + L, ... runs on V
 * positions at once, and the pairwise tree of N5 adds those L vectors of partials level by level, so each vector
 * element is exactly one position's score, computed as the scalar loop computes it.
 *
 * <p>Values: each of the L lanes is a row of {@code headDim} partials (lane j takes positions t = j, j + L, ... in
 * increasing t); within a chunk, a lane's positions add into V output elements held in registers, and the pairwise
 * tree runs over whole rows.
 *
 * <p>Used when V divides L, {@link KvCache#BLOCK} and {@code headDim}; {@link #applies} says so. Loaded only when
 * the {@code jdk.incubator.vector} module is present.
 */
public final class VectorAttention implements AttentionHead {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, F.vectorBitSize() / 2)));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /**
     * Positions decoded to binary32 at a time: a multiple of {@link KvCache#BLOCK} that divides
     * {@link KvCache#SEGMENT}, so a chunk's keys and values are each one run of patterns.
     */
    static final int CHUNK = 4 * KvCache.BLOCK;

    private final int lanes;
    private final int headDim;
    /** The query, each element repeated over a vector. */
    private final float[] query;
    /** L vectors of score partials. */
    private final float[] partials;
    /** A chunk of keys or values, decoded. */
    private final float[] chunk;
    /** The value rows, L x headDim. */
    private final float[] rows;
    private final float[] lanePartials;
    private float[] scores = new float[CHUNK];

    /** Scratch for one head at a time of {@code headDim} values with L = {@code lanes}. */
    public VectorAttention(int lanes, int headDim) {
        this.lanes = LaneSum.checkLanes(lanes);
        this.headDim = headDim;
        int v = F.length();
        this.query = new float[headDim * v];
        this.partials = new float[lanes * v];
        this.chunk = new float[CHUNK * headDim];
        this.rows = new float[lanes * headDim];
        this.lanePartials = new float[lanes];
    }

    /** True when this class computes heads of {@code headDim} with {@code lanes} lanes on this machine. */
    public static boolean applies(int lanes, int headDim) {
        int v = F.length();
        return v > 1 && S.length() == v && I.length() == v && lanes % v == 0 && KvCache.BLOCK % v == 0
                && headDim % v == 0;
    }

    @Override
    public void head(float[] q, int qOff, KvCache cache, int layer, int kvHead, int n, float scale, float[] out,
                     int outOff) {
        int v = F.length();
        StorageFormat st = cache.storage();
        int blocks = (n + KvCache.BLOCK - 1) / KvCache.BLOCK;
        if (scores.length < blocks * KvCache.BLOCK) {
            scores = new float[Math.max(2 * scores.length, blocks * KvCache.BLOCK)];
        }
        for (int i = 0; i < headDim; i++) {
            FloatVector.broadcast(F, q[qOff + i]).intoArray(query, i * v);
        }
        // N15.2: every position's score, a chunk of key blocks at a time (positions past n are computed and ignored).
        int perChunk = CHUNK / KvCache.BLOCK;
        for (int b0 = 0; b0 < blocks; b0 += perChunk) {
            int nb = Math.min(perChunk, blocks - b0);
            int p0 = b0 * KvCache.BLOCK;
            decode(st, cache.keys(layer, p0), cache.keyIndex(kvHead, p0, 0), nb * KvCache.BLOCK * headDim);
            for (int b = 0; b < nb; b++) {
                for (int u = 0; u < KvCache.BLOCK; u += v) {
                    score(b * KvCache.BLOCK * headDim + u, scale, (b0 + b) * KvCache.BLOCK + u);
                }
            }
        }
        // N15.3: the maximum, the exponentials and their lane-ordered sum.
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < n; t++) {
            max = Math.max(max, scores[t]);
        }
        for (int t = 0; t < n; t++) {
            scores[t] = ExactExp.apply(scores[t] - max);
        }
        float rz = ExactReciprocal.apply(sum(scores, n));
        // N15.4: the weighted values, lane by lane, then the tree and the scaling.
        Arrays.fill(rows, 0f);
        for (int c0 = 0; c0 < n; c0 += CHUNK) {
            int len = Math.min(CHUNK, n - c0);
            decode(st, cache.values(layer, c0), cache.valueIndex(kvHead, c0, 0), len * headDim);
            for (int d = 0; d < lanes && d < len; d++) {
                weigh(c0, d, len);
            }
        }
        for (int width = lanes; width > 1; width >>= 1) {
            for (int k = 0; k < width / 2; k++) {
                int dst = k * headDim;
                int a = 2 * k * headDim;
                int b = a + headDim;
                for (int i = 0; i < headDim; i += v) {
                    FloatVector.fromArray(F, rows, a + i).add(FloatVector.fromArray(F, rows, b + i))
                            .intoArray(rows, dst + i);
                }
            }
        }
        for (int i = 0; i < headDim; i++) {
            out[outOff + i] = st.round(rows[i] * rz);
        }
    }

    /**
     * The scores of the V positions whose keys start at {@code chunk[at]} (element i at {@code at + i * BLOCK}),
     * into {@code scores[to..]}: per lane j, {@code q[i] * k[i]} added over i = j, j + L, ... from +0, then the
     * pairwise tree over the lanes, then the scale (N15.2 with N5, as {@link LaneSum#dot}).
     */
    private void score(int at, float scale, int to) {
        int v = F.length();
        for (int j = 0; j < lanes; j++) {
            FloatVector acc = FloatVector.zero(F);
            for (int i = j; i < headDim; i += lanes) {
                acc = acc.add(FloatVector.fromArray(F, query, i * v)
                        .mul(FloatVector.fromArray(F, chunk, at + i * KvCache.BLOCK)));
            }
            acc.intoArray(partials, j * v);
        }
        for (int width = lanes; width > 1; width >>= 1) {
            for (int k = 0; k < width / 2; k++) {
                FloatVector.fromArray(F, partials, 2 * k * v).add(FloatVector.fromArray(F, partials, (2 * k + 1) * v))
                        .intoArray(partials, k * v);
            }
        }
        FloatVector.fromArray(F, partials, 0).mul(scale).intoArray(scores, to);
    }

    /**
     * Adds {@code p[t] * value[t]} into the row of t's lane for the positions t = c0 + d, c0 + d + L, ... of the
     * chunk at c0 (decoded in {@code chunk}, {@code len} positions): the lane's positions in increasing order,
     * four vectors of output elements at a time kept in registers.
     */
    private void weigh(int c0, int d, int len) {
        int v = F.length();
        int row = ((c0 + d) & (lanes - 1)) * headDim;
        int i = 0;
        for (; i + 4 * v <= headDim; i += 4 * v) {
            FloatVector a0 = FloatVector.fromArray(F, rows, row + i);
            FloatVector a1 = FloatVector.fromArray(F, rows, row + i + v);
            FloatVector a2 = FloatVector.fromArray(F, rows, row + i + 2 * v);
            FloatVector a3 = FloatVector.fromArray(F, rows, row + i + 3 * v);
            for (int t = d; t < len; t += lanes) {
                FloatVector p = FloatVector.broadcast(F, scores[c0 + t]);
                int at = t * headDim + i;
                a0 = a0.add(p.mul(FloatVector.fromArray(F, chunk, at)));
                a1 = a1.add(p.mul(FloatVector.fromArray(F, chunk, at + v)));
                a2 = a2.add(p.mul(FloatVector.fromArray(F, chunk, at + 2 * v)));
                a3 = a3.add(p.mul(FloatVector.fromArray(F, chunk, at + 3 * v)));
            }
            a0.intoArray(rows, row + i);
            a1.intoArray(rows, row + i + v);
            a2.intoArray(rows, row + i + 2 * v);
            a3.intoArray(rows, row + i + 3 * v);
        }
        for (; i < headDim; i += v) {
            FloatVector a = FloatVector.fromArray(F, rows, row + i);
            for (int t = d; t < len; t += lanes) {
                a = a.add(FloatVector.broadcast(F, scores[c0 + t]).mul(FloatVector.fromArray(F, chunk, t * headDim + i)));
            }
            a.intoArray(rows, row + i);
        }
    }

    /** {@code n} patterns from {@code src[from..]} into {@code chunk}, each exactly as {@link StorageFormat#decode}. */
    private void decode(StorageFormat st, short[] src, int from, int n) {
        if (st == StorageFormat.FP16) {
            st.decode(src, from, chunk, 0, n); // the JIT turns this loop into F16C conversions
            return;
        }
        // bfloat16: the pattern is the top half of the binary32 (n is a multiple of V: whole blocks or rows).
        int v = F.length();
        for (int i = 0; i < n; i += v) {
            ((IntVector) ShortVector.fromArray(S, src, from + i).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(chunk, i);
        }
    }

    /** {@link LaneSum#sum} of scores[0..n) with this instance's lanes. */
    private float sum(float[] scores, int n) {
        int v = F.length();
        int whole = n - n % lanes;
        for (int j = 0; j < lanes; j += v) {
            FloatVector acc = FloatVector.zero(F);
            for (int i = j; i < whole; i += lanes) {
                acc = acc.add(FloatVector.fromArray(F, scores, i));
            }
            acc.intoArray(lanePartials, j);
        }
        // The last, partial round: lane j takes position whole + j when there is one.
        for (int j = 0; whole + j < n; j++) {
            lanePartials[j] += scores[whole + j];
        }
        return LaneSum.tree(lanePartials, lanes);
    }
}
