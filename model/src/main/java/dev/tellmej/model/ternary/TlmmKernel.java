package dev.tellmej.model.ternary;

import dev.tellmej.model.tensor.TernaryRows;
import dev.tellmej.model.tensor.TernaryTensor;

/**
 * The fast software TLMM: the same accumulators as {@link TlmmReference#matVec}. The group tables are packed
 * as 32 shorts per group (entries 27..31 zero). With the {@code jdk.incubator.vector} module, 512-bit vectors use
 * {@link VectorTlmm} (a table select looks up 32 rows per instruction) and 256-bit vectors (AVX2)
 * {@link VectorTernary256} (2-bit weight codes times 16-bit activations); otherwise a scalar loop does four rows
 * at a time. All three give the same integers. Rows (or row tiles) are split over a small spinning pool.
 */
public final class TlmmKernel {
    private static final int STRIDE = 32;
    /** Rows per task: large enough that scheduling costs nothing next to the lookups. */
    private static final int ROWS_PER_TASK = 64;
    /** Rows a thread runs every token of a batched product over, while their weights are in its cache. */
    private static final int BATCH_ROWS = 16;
    /** Rows of trits decoded at a time while a matrix is re-laid for a kernel. */
    static final int PACK_ROWS = 64;

    /** How a kernel computes the products. */
    public enum Kind {
        /** Plain Java, four rows at a time over the byte indices. */
        SCALAR,
        /** The Vector API's 512-bit table select ({@link VectorTlmm}, AVX-512). */
        TABLE_512,
        /** The Vector API's 256-bit multiply of 2-bit codes ({@link VectorTernary256}, AVX2). */
        CODES_256;

        /** The fastest kind this JVM and CPU run natively. */
        public static Kind best() {
            return BEST;
        }

        /**
         * The kind for the products of a model of hidden size {@code dim}: {@link #best} from
         * {@link TlmmKernel#VECTOR_MIN_DIM} up, {@link #SCALAR} below. Narrower models run faster on the scalar loop,
         * above all from a cold start: until C2 has compiled a Vector API kernel its operations run as plain Java,
         * tens of times slower, and at these sizes the compiled kernel gains too little to repay that (docs/model.md,
         * "Small models").
         */
        public static Kind forModel(int dim) {
            return dim >= VECTOR_MIN_DIM ? BEST : SCALAR;
        }

        /** True for the Vector API's kinds. */
        public boolean vector() {
            return this != SCALAR;
        }

        /** True when this kind can run here (the Vector API module is present and the vectors are wide enough). */
        public boolean available() {
            return switch (this) {
                case SCALAR -> true;
                case TABLE_512 -> VECTOR_MODULE && tableSupported();
                case CODES_256 -> VECTOR_MODULE && codesSupported();
            };
        }
    }

    /** The hidden size from which a model's products run on the Vector API ({@link Kind#forModel}). */
    public static final int VECTOR_MIN_DIM = 512;

    private static final boolean VECTOR_MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static final Kind BEST = Kind.TABLE_512.available() ? Kind.TABLE_512
            : Kind.CODES_256.available() ? Kind.CODES_256 : Kind.SCALAR;

    private final SpinPool pool;
    private final int threads;
    private final Kind kind;

    /**
     * A matrix in the layout this kernel reads: the row-major indices for the scalar loop, or only the 64-row
     * tiles for the Vector API (the indices are then dropped, so a model holds its weights once, 1.78 bits each).
     *
     * @param rows   output features
     * @param cols   input features
     * @param groups index triples per row
     * @param scale  the per-tensor weight scale
     * @param matrix the index-encoded matrix, or null when {@code tiled} holds the weights
     * @param tiled  the Vector API tiles, or null for the scalar loop
     */
    public record Prepared(int rows, int cols, int groups, float scale, TernaryMatrix matrix, short[] tiled) {}

    /** A kernel on {@code threads} worker threads (1 runs in the caller), vectorized when possible. */
    public TlmmKernel(int threads) {
        this(threads, true);
    }

    /** As above; {@code allowVector} false forces the scalar loop. */
    public TlmmKernel(int threads, boolean allowVector) {
        this(threads, allowVector ? Kind.best() : Kind.SCALAR);
    }

    /**
     * A kernel of the given kind.
     *
     * @throws IllegalArgumentException when the kind cannot run here ({@link Kind#available()})
     */
    public TlmmKernel(int threads, Kind kind) {
        if (!kind.available()) {
            throw new IllegalArgumentException("the " + kind + " TLMM kernel cannot run here (it needs the"
                    + " jdk.incubator.vector module and " + (kind == Kind.TABLE_512 ? "512" : "256")
                    + "-bit vectors); use " + Kind.best());
        }
        this.pool = threads <= 1 ? null : new SpinPool(threads);
        this.threads = Math.max(1, threads);
        this.kind = kind;
    }

    private static boolean tableSupported() {
        try {
            return VectorTlmm.supported();
        } catch (LinkageError e) {
            return false;
        }
    }

    private static boolean codesSupported() {
        try {
            return VectorTernary256.supported();
        } catch (LinkageError e) {
            return false;
        }
    }

    /** True when this kernel uses the Vector API. */
    public boolean vectorized() {
        return kind != Kind.SCALAR;
    }

    /** How this kernel computes. */
    public Kind kind() {
        return kind;
    }

    /**
     * Re-lays a matrix for this kernel: the indices themselves for the scalar loop, 64-row tiles of index triples
     * for {@link Kind#TABLE_512}, rows of 2-bit codes for {@link Kind#CODES_256} (the indices are then dropped).
     */
    public Prepared prepare(TernaryMatrix m) {
        return switch (kind) {
            case SCALAR -> new Prepared(m.rows(), m.cols(), m.groups(), m.scale(), m, null);
            case TABLE_512 -> new Prepared(m.rows(), m.cols(), m.groups(), m.scale(), null, VectorTlmm.tile(m));
            case CODES_256 -> new Prepared(m.rows(), m.cols(), m.groups(), m.scale(), null, VectorTernary256.pack(m));
        };
    }

    /** As {@link #prepare(TernaryRows)}, from trits in memory. */
    public Prepared prepare(TernaryTensor t) {
        return prepare((TernaryRows) t);
    }

    /**
     * As {@link #prepare(TernaryMatrix)}, from trits handed out a few rows at a time: the Vector API kernels pack
     * them straight into their layout (no whole-matrix trits or indices in between, which would be most of a
     * model's load time and garbage), the scalar loop encodes the indices it keeps.
     */
    public Prepared prepare(TernaryRows t) {
        int groups = (t.cols() + 2) / 3;
        return switch (kind) {
            case SCALAR -> prepare(TernaryMatrix.of(t));
            case TABLE_512 -> new Prepared(t.rows(), t.cols(), groups, t.scale(), null, VectorTlmm.tile(t, this));
            case CODES_256 -> new Prepared(t.rows(), t.cols(), groups, t.scale(), null, VectorTernary256.pack(t));
        };
    }

    /**
     * The length of a prepared matrix's array in the layout of {@code kind}: bytes of indices for
     * {@link Kind#SCALAR}, shorts of tiles or codes for the Vector API kinds (what a cache of packed weights checks
     * a stored array against).
     */
    public static long packedLength(Kind kind, int rows, int cols) {
        int groups = (cols + 2) / 3;
        return switch (kind) {
            case SCALAR -> (long) rows * groups;
            case TABLE_512 -> (long) ((rows + VectorTlmm.TILE - 1) / VectorTlmm.TILE)
                    * ((groups + 2) / 3) * VectorTlmm.TILE;
            case CODES_256 -> (long) rows * ((cols + VectorTernary256.BLOCK - 1) / VectorTernary256.BLOCK) * 16;
        };
    }

    /**
     * A prepared matrix of a kernel of {@code kind} from its array as {@link #prepare} laid it out (read back from a
     * cache): {@code tiles} for the Vector API kinds, {@code indices} for the scalar loop.
     *
     * @throws IllegalArgumentException when the array is missing or its length is not the layout's
     */
    public static Prepared restore(Kind kind, int rows, int cols, float scale, short[] tiles, byte[] indices) {
        long length = packedLength(kind, rows, cols);
        int groups = (cols + 2) / 3;
        if (kind == Kind.SCALAR) {
            if (indices == null || indices.length != length) {
                throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + length + " indices");
            }
            return new Prepared(rows, cols, groups, scale, new TernaryMatrix(rows, cols, groups, indices, scale), null);
        }
        if (tiles == null || tiles.length != length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + length + " shorts of "
                    + kind + " tiles");
        }
        return new Prepared(rows, cols, groups, scale, null, tiles);
    }

    /**
     * Runs the products of a kernel of {@code kind} (a 64-row ternary product and the int8 dot product of the LM
     * head) {@link #PRIMING_CALLS} times on small random operands, in the calling thread, so that the JIT queues their
     * compilation while a model is still loading rather than once its first prompt has started. The operands are
     * wide enough that every branch of the kernels' loops is taken (a 16-bit flush of the table kernel, whole
     * blocks of the code kernel), so the compiled code is not thrown away on the first real matrix.
     */
    public static void prime(Kind kind) {
        if (kind == Kind.SCALAR || !kind.available()) {
            return;
        }
        int cols = 384;
        java.util.SplittableRandom random = new java.util.SplittableRandom(18);
        TlmmKernel kernel = new TlmmKernel(1, kind);
        Prepared p = kernel.prepare(TernaryMatrix.random(64, cols, 1f, random));
        byte[] x = new byte[cols];
        byte[] w = new byte[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (byte) (random.nextInt(255) - 127);
            w[i] = (byte) (random.nextInt(255) - 127);
        }
        short[] tables = new short[tableSize(cols)];
        buildTables(x, cols, tables);
        int[] acc = new int[p.rows()];
        for (int call = 0; call < PRIMING_CALLS; call++) {
            kernel.matVec(p, tables, acc);
            kernel.dot8(w, 0, x, cols);
        }
    }

    /** Calls of each kernel in {@link #prime}: past the launcher's lowered C2 thresholds for them. */
    static final int PRIMING_CALLS = 64;

    /** {@code acc[r]} for all rows of a prepared matrix, from tables built by {@link #buildTables}. */
    public void matVec(Prepared p, short[] tables, int[] acc) {
        if (p.tiled() == null) {
            matVec(p.matrix(), tables, acc);
            return;
        }
        if (kind == Kind.CODES_256) {
            short[] xs = new short[VectorTernary256.blocks(p.cols()) * VectorTernary256.BLOCK];
            int sum = VectorTernary256.activations(tables, p.cols(), xs);
            int blocks = VectorTernary256.blocks(p.cols());
            forRows(p.rows(), ROWS_PER_TASK, (from, to) -> VectorTernary256.rows(p.tiled(), blocks, xs, sum, acc, from, to));
            return;
        }
        int tiles = (p.rows() + VectorTlmm.TILE - 1) / VectorTlmm.TILE;
        forRows(tiles, 1, (from, to) -> VectorTlmm.tiles(p.tiled(), p.rows(), p.groups(), tables, acc, from, to));
    }

    /**
     * {@code acc[b][r]} for tokens b in [0, n) and all rows of a prepared matrix, each token from its own tables
     * ({@link #buildTables}): the batched product of prefill (N7.4: the same integers as n calls of
     * {@link #matVec(Prepared, short[], int[])}). A thread takes a tile of rows (or a chunk of rows) and runs every
     * token over it while the tile's weights are in its cache, so a block of tokens streams the weights once.
     */
    public void matMat(Prepared p, short[][] tables, int[][] acc, int n) {
        if (n == 1) {
            matVec(p, tables[0], acc[0]);
            return;
        }
        if (p.tiled() == null) {
            TernaryMatrix m = p.matrix();
            forRows(m.rows(), ROWS_PER_TASK, (from, to) -> {
                for (int b = 0; b < n; b++) {
                    rows(m, tables[b], acc[b], from, to);
                }
            });
            return;
        }
        if (kind == Kind.CODES_256) {
            int blocks = VectorTernary256.blocks(p.cols());
            short[][] xs = new short[n][blocks * VectorTernary256.BLOCK];
            int[] sums = new int[n];
            for (int b = 0; b < n; b++) {
                sums[b] = VectorTernary256.activations(tables[b], p.cols(), xs[b]);
            }
            int tiles = (p.rows() + BATCH_ROWS - 1) / BATCH_ROWS;
            forRows(tiles, 1, (from, to) -> {
                for (int t = from; t < to; t++) {
                    int first = t * BATCH_ROWS;
                    int last = Math.min(p.rows(), first + BATCH_ROWS);
                    for (int b = 0; b < n; b++) {
                        VectorTernary256.rows(p.tiled(), blocks, xs[b], sums[b], acc[b], first, last);
                    }
                }
            });
            return;
        }
        int tiles = (p.rows() + VectorTlmm.TILE - 1) / VectorTlmm.TILE;
        forRows(tiles, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                for (int b = 0; b < n; b++) {
                    VectorTlmm.tiles(p.tiled(), p.rows(), p.groups(), tables[b], acc[b], t, t + 1);
                }
            }
        });
    }

    /** The int8 dot product {@code sum w[wOff + i] * x[i]} over n elements (exact int32). */
    public int dot8(byte[] w, int wOff, byte[] x, int n) {
        if (kind == Kind.TABLE_512) {
            return VectorTlmm.dot(w, wOff, x, n);
        }
        if (kind == Kind.CODES_256) {
            return VectorTernary256.dot(w, wOff, x, n);
        }
        int s = 0;
        for (int i = 0; i < n; i++) {
            s += w[wOff + i] * x[i];
        }
        return s;
    }

    /**
     * Builds the packed tables for int8 activations {@code x[0..cols)} into {@code tables}
     * ({@link #tableSize(int)} shorts): 32 per group, entries 27..31 zero, and up to two all-zero padding groups
     * so the group count is a multiple of 3.
     */
    public static void buildTables(byte[] x, int cols, short[] tables) {
        int groups = (cols + 2) / 3;
        java.util.Arrays.fill(tables, groups * STRIDE, tableSize(cols), (short) 0);
        for (int g = 0; g < groups; g++) {
            int c = 3 * g;
            int x0 = x[c];
            int x1 = c + 1 < cols ? x[c + 1] : 0;
            int x2 = c + 2 < cols ? x[c + 2] : 0;
            int b = g * STRIDE;
            tables[b] = 0;
            tables[b + 1] = (short) x0;
            tables[b + 2] = (short) x1;
            tables[b + 3] = (short) x2;
            tables[b + 4] = (short) (x0 + x1);
            tables[b + 5] = (short) (x0 - x1);
            tables[b + 6] = (short) (x0 + x2);
            tables[b + 7] = (short) (x0 - x2);
            tables[b + 8] = (short) (x1 + x2);
            tables[b + 9] = (short) (x1 - x2);
            tables[b + 10] = (short) (x0 + x1 + x2);
            tables[b + 11] = (short) (x0 + x1 - x2);
            tables[b + 12] = (short) (x0 - x1 + x2);
            tables[b + 13] = (short) (-x0 + x1 + x2);
            for (int k = 1; k <= 13; k++) {
                tables[b + 13 + k] = (short) -tables[b + k];
            }
        }
    }

    /** Table buffer size for a matrix. */
    public static int tableSize(TernaryMatrix m) {
        return tableSize(m.cols());
    }

    /** Table buffer size for {@code cols} activations: whole group triples of 32 shorts per group. */
    public static int tableSize(int cols) {
        return 3 * groupTriples((cols + 2) / 3) * STRIDE;
    }

    private static int groupTriples(int groups) {
        return (groups + 2) / 3;
    }

    /** {@code acc[r]} for all rows with the scalar loop, from tables built by {@link #buildTables}. */
    public void matVec(TernaryMatrix m, short[] tables, int[] acc) {
        forRows(m.rows(), ROWS_PER_TASK, (from, to) -> rows(m, tables, acc, from, to));
    }

    /** Convenience: prepared and tables built here, accumulators returned. */
    public int[] matVec(TernaryMatrix m, byte[] x) {
        short[] tables = new short[tableSize(m)];
        buildTables(x, m.cols(), tables);
        int[] acc = new int[m.rows()];
        matVec(prepare(m), tables, acc);
        return acc;
    }

    private static void rows(TernaryMatrix m, short[] t, int[] acc, int from, int to) {
        int groups = m.groups();
        byte[] idx = m.indices();
        int r = from;
        for (; r + 4 <= to; r += 4) {
            int b0 = r * groups;
            int b1 = b0 + groups;
            int b2 = b1 + groups;
            int b3 = b2 + groups;
            int s0 = 0;
            int s1 = 0;
            int s2 = 0;
            int s3 = 0;
            for (int g = 0, tb = 0; g < groups; g++, tb += STRIDE) {
                s0 += t[tb + idx[b0 + g]];
                s1 += t[tb + idx[b1 + g]];
                s2 += t[tb + idx[b2 + g]];
                s3 += t[tb + idx[b3 + g]];
            }
            acc[r] = s0;
            acc[r + 1] = s1;
            acc[r + 2] = s2;
            acc[r + 3] = s3;
        }
        for (; r < to; r++) {
            int b = r * groups;
            int s = 0;
            for (int g = 0, tb = 0; g < groups; g++, tb += STRIDE) {
                s += t[tb + idx[b + g]];
            }
            acc[r] = s;
        }
    }

    /** A body over a half-open range of rows. */
    @FunctionalInterface
    public interface RowRange {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, n): one contiguous chunk per thread (the calling thread takes one), or all in the
     * caller when n is at most {@code grain}. Static chunks keep each thread streaming its own part of a matrix;
     * the pool's workers spin between the many short loops of a decode step.
     */
    public void forRows(int n, int grain, RowRange body) {
        if (pool == null || n <= grain) {
            body.run(0, n);
            return;
        }
        pool.run(n, body);
    }

    /** Stops the worker threads. */
    public void shutdown() {
        if (pool != null) {
            pool.close();
        }
    }
}
