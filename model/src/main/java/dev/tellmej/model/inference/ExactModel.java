package dev.tellmej.model.inference;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.numerics.ActivationQuantizer;
import dev.tellmej.model.numerics.AttentionHead;
import dev.tellmej.model.numerics.ExactActivations;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.ExactOps;
import dev.tellmej.model.numerics.KvCache;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.packed.PackedCache;
import dev.tellmej.model.packed.PackedWeights;
import dev.tellmej.model.tensor.TernaryRows;
import dev.tellmej.model.ternary.TlmmKernel;
import dev.tellmej.model.ternary.TlmmKernel.Prepared;
import java.util.ArrayList;
import java.util.Arrays;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/**
 * The hardware-exact path: the arithmetic of docs/NUMERICS.md, step for step (section numbers in the comments),
 * so the RTL, the OpenCL kernels and the board can be checked against it bit for bit. Every linear must be
 * ternary. Prefill runs the prompt through each layer in blocks of up to {@link #PREFILL_BLOCK} tokens: every
 * linear multiplies the whole block (the weights stream once per block), each token attends over the positions
 * up to its own (the causal mask), and only the last token goes through the LM head. Each token's arithmetic is
 * exactly that of decoding it alone, so the results equal token-by-token prefill bit for bit (N17, last
 * paragraph).
 */
public final class ExactModel implements LanguageModel {
    private record Layer(float[] attnNorm, Prepared q, Prepared k, Prepared v, Prepared o,
                         float[] attnSubNorm, float[] ffnNorm, Prepared gate, Prepared up,
                         Prepared down, float[] ffnSubNorm) {}

    /** Tokens per prefill block: enough to stream each matrix once per block, few enough to bound the scratch. */
    public static final int PREFILL_BLOCK = 32;

    /** One token's vectors and scratch while it passes through the layers. */
    private final class Slot {
        final float[] h = new float[c.dim()];
        final float[] a;
        final float[] q = new float[c.qDim()];
        final float[] k = new float[c.kvDim()];
        final float[] v = new float[c.kvDim()];
        final float[] att = new float[c.qDim()];
        final float[] ffn = new float[c.ffnDim()];
        final float[] ffnNormed = new float[c.ffnDim()];
        final byte[] xq;
        final short[] tables;
        final int[] acc = new int[Math.max(Math.max(c.dim(), c.qDim()), c.ffnDim())];
        final int[] acc2 = new int[c.ffnDim()];
        final AttentionHead attention = attentionHead();
        final float[] pair = new float[2];
        /** The gate activations of the FFN, then their SiLU. */
        final float[] gate = new float[c.ffnDim()];
        final ExactActivations.SiluArray silu = siluArray();
        float mc;
        int position;

        Slot() {
            int widest = Math.max(Math.max(c.dim(), c.qDim()), c.ffnDim());
            a = new float[widest];
            xq = new byte[widest + 3];
            tables = new short[TlmmKernel.tableSize(widest)];
        }
    }

    private final ModelConfig c;
    private final ExactConfig exactConfig;
    private final StorageFormat st;
    private final int capacity;
    /** N4.3: the embedding as S's patterns, or null when {@link #embeddingRows} holds it more compactly. */
    private final short[] embedding;
    /** The embedding in its file's encoding (fewer bytes than S's patterns), rounded to S row by row on lookup. */
    private final MatrixRows embeddingRows;
    private final float[] outputNorm;
    private final LmHead head;
    private final List<Layer> layers = new ArrayList<>();
    private final float[] cos;
    private final float[] sin;
    private final float scoreScale;
    /** N17.2.3: the stored keys and values, as the storage format's patterns. */
    private final KvCache cache;
    private final TlmmKernel kernel;
    private final Slot[] slots = new Slot[PREFILL_BLOCK];
    private final short[][] slotTables = new short[PREFILL_BLOCK][];
    private final int[][] slotAcc = new int[PREFILL_BLOCK][];
    private final int[][] slotAcc2 = new int[PREFILL_BLOCK][];
    /** Per-head scratch of decode, whose heads run on the pool's threads. */
    private final AttentionHead[] headAttention;
    private int next;
    private ExactProbe probe;
    /** The file whose mapping the embedding is read from ({@link #open}), closed with the model; or null. */
    private AutoCloseable file;

    /**
     * @param threads worker threads for the matrix products (1 = the calling thread only)
     * @throws NotTernaryException when a linear layer is not ternary
     */
    public ExactModel(ModelWeights w, ExactConfig exact, int capacity, int threads) {
        this(sourceOf(w), exact, capacity, threads);
    }

    /**
     * As {@link #ExactModel(ModelWeights, ExactConfig, int, int)}, with the ternary products on kernels of {@code kind}
     * (and attention and SiLU on the Vector API's versions with any vector kind) instead of
     * {@link TlmmKernel.Kind#forModel}'s choice for the model's width: the results are the same bit for bit.
     *
     * @throws IllegalArgumentException when the kind cannot run here ({@link TlmmKernel.Kind#available()})
     */
    public ExactModel(ModelWeights w, ExactConfig exact, int capacity, int threads, TlmmKernel.Kind kind) {
        this(sourceOf(w), exact, capacity, threads, null, kind);
    }

    /**
     * Builds the model from tensors read one layer at a time, so that only one layer's decoded weights exist at
     * once beside the packed ones (the file must stay open until the constructor returns).
     *
     * @throws NotTernaryException when a linear layer is not ternary
     */
    public ExactModel(WeightSource source, ExactConfig exact, int capacity, int threads) {
        this(source, exact, capacity, threads, null, TlmmKernel.Kind.forModel(source.config().dim()));
    }

    /**
     * As {@link #ExactModel(WeightSource, ExactConfig, int, int)}, on kernels of {@code kind}; with {@code packed}
     * (for that kind, of a model of the source's shape) the matrices and the LM head are taken from it and only the
     * embedding and the norm gains are read from the source.
     */
    private ExactModel(WeightSource source, ExactConfig exact, int capacity, int threads, PackedWeights packed,
                       TlmmKernel.Kind kind) {
        this.c = source.config();
        this.exactConfig = exact;
        this.st = exact.storage();
        this.capacity = capacity;
        // N4.3: the embedding enters rounded to S; kept as S's patterns, or in its file's encoding when that is
        // smaller (a Q6_K or Q8_0 embedding), never whole as binary32.
        MatrixRows rows = source.embeddingRows();
        boolean compact = rows.bytes() <= (long) Short.BYTES * c.vocabSize() * c.dim(); // a view holds 0 bytes
        this.embedding = compact ? null : storedBits(rows);
        this.embeddingRows = compact ? rows : null;
        this.outputNorm = stored(source.outputNorm());
        this.head = packed != null ? packed.head()
                : LmHead.quantize(c.tiedEmbeddings() ? rows : source.outputRows()); // N16, row by row
        source.release(); // the embedding and the head are held: their pages of a mapped file may go
        this.kernel = new TlmmKernel(threads, kind);
        try {
            if (packed != null && packed.kind() != kernel.kind()) {
                throw new IllegalArgumentException("weights packed for the " + packed.kind() + " kernel, this one is "
                        + kernel.kind());
            }
            for (int i = 0; i < c.layers(); i++) {
                if (packed != null) {
                    LayerNorms n = source.layerNorms(i);
                    layers.add(new Layer(stored(n.attnNorm()), packed.matrix(i, 0), packed.matrix(i, 1),
                            packed.matrix(i, 2), packed.matrix(i, 3), stored(n.attnSubNorm()), stored(n.ffnNorm()),
                            packed.matrix(i, 4), packed.matrix(i, 5), packed.matrix(i, 6), stored(n.ffnSubNorm())));
                    continue;
                }
                TernaryLayer l = source.ternaryLayer(i);
                layers.add(new Layer(stored(l.attnNorm()), tm(l.q()), tm(l.k()), tm(l.v()), tm(l.o()),
                        stored(l.attnSubNorm()), stored(l.ffnNorm()), tm(l.gate()), tm(l.up()), tm(l.down()),
                        stored(l.ffnSubNorm())));
                source.release(); // the layer is packed: its pages of a mapped file may go
            }
        } catch (RuntimeException e) {
            kernel.shutdown();
            throw e;
        }
        int half = c.headDim() / 2;
        cos = new float[capacity * half];
        sin = new float[capacity * half];
        for (int p = 0; p < capacity; p++) {
            for (int i = 0; i < half; i++) {
                // N14.1: angles in double with StrictMath, each table entry rounded to binary32 once.
                double freq = StrictMath.pow(c.ropeTheta(), -2.0 * i / c.headDim());
                double angle = p * freq;
                cos[p * half + i] = (float) StrictMath.cos(angle);
                sin[p * half + i] = (float) StrictMath.sin(angle);
            }
        }
        scoreScale = (float) (1.0 / StrictMath.sqrt(c.headDim())); // N15.1
        cache = new KvCache(c.layers(), c.kvHeads(), c.headDim(), capacity, st);
        headAttention = new AttentionHead[c.heads()];
        for (int hh = 0; hh < c.heads(); hh++) {
            headAttention[hh] = attentionHead();
        }
        slots(1);
    }

    /**
     * The model of a GGUF file that it keeps open and closes in {@link #close}: built layer by layer from the
     * mapping as {@link #ExactModel(WeightSource, ExactConfig, int, int)} is, and the embedding read in place from the
     * mapping wherever its encoding can be cut into rows (no copy of it in memory: a token's lookup touches only its
     * row's pages, and the LM head is quantized from it once).
     *
     * @param file the open file, now the model's (closed here when the model cannot be built)
     * @throws NotTernaryException when a linear layer is not ternary
     */
    public static ExactModel open(GgufFile file, ExactConfig exact, int capacity, int threads) {
        return open(file, exact, capacity, threads, PackedCache.disabled());
    }

    /**
     * As {@link #open(GgufFile, ExactConfig, int, int)}, the packed matrices and LM head read from {@code cache}
     * when it holds them for this file and kernel (bit for bit what packing gives), else packed from the file and
     * then written to the cache.
     *
     * @param file the open file, now the model's (closed here when the model cannot be built)
     * @throws NotTernaryException when a linear layer is not ternary
     */
    public static ExactModel open(GgufFile file, ExactConfig exact, int capacity, int threads, PackedCache cache) {
        try {
            WeightSource source = WeightLoader.gguf(file, true);
            TlmmKernel.Kind kind = TlmmKernel.Kind.forModel(source.config().dim());
            Optional<PackedCache.Slot> slot = cache.slot(file, kind);
            // While the cache is read (one core, mostly memory and the collector), the other core runs the vector
            // kernels and the activations' quantization and SiLU on small operands, so that the JIT compiles them
            // before the first prompt rather than during it. (The scalar loop needs no priming.)
            boolean silu = source.config().activation() == Activation.SILU;
            Thread primer = kind.vector() && slot.isPresent() && Files.isRegularFile(slot.get().file())
                    ? Thread.ofPlatform().daemon().name("tellme-primer").start(() -> prime(silu))
                    : null;
            PackedWeights packed = slot.flatMap(s -> s.read(source.config())).orElse(null);
            ExactModel m = new ExactModel(source, exact, capacity, threads, packed, kind);
            if (primer != null) {
                try {
                    primer.join(); // not to take a core from the prompt (it is done by now, or nearly)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the primer is only a hint: keep the model
                }
            }
            m.file = file;
            if (packed == null && slot.isPresent()) {
                slot.get().write(m.packedWeights());
            }
            return m;
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    /** What the first prompt runs most, run on small operands for the JIT (see {@link TlmmKernel#prime}). */
    private static void prime(boolean silu) {
        TlmmKernel.prime(TlmmKernel.Kind.best());
        ActivationQuantizer.prime();
        if (silu) {
            ExactActivations.primeSilu();
        }
    }

    /** The packed matrices, layer by layer, and the int8 LM head: what {@link PackedCache} keeps. */
    public PackedWeights packedWeights() {
        List<Prepared> matrices = new ArrayList<>();
        for (Layer l : layers) {
            matrices.addAll(List.of(l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()));
        }
        return new PackedWeights(kernel.kind(), matrices, head);
    }

    /** Makes sure the first n slots exist (prefill allocates the rest on first use). */
    private void slots(int n) {
        for (int b = 0; b < n; b++) {
            if (slots[b] == null) {
                slots[b] = new Slot();
                slotTables[b] = slots[b].tables;
                slotAcc[b] = slots[b].acc;
                slotAcc2[b] = slots[b].acc2;
            }
        }
    }

    /** A {@link WeightSource} over weights already in memory. */
    private static WeightSource sourceOf(ModelWeights w) {
        return new WeightSource() {
            @Override
            public ModelConfig config() {
                return w.config();
            }

            @Override
            public float[] embedding() {
                return w.embedding();
            }

            @Override
            public float[] outputNorm() {
                return w.outputNorm();
            }

            @Override
            public float[] output() {
                return w.output();
            }

            @Override
            public LayerWeights layer(int i) {
                return w.layers().get(i);
            }
        };
    }

    /** N4.3: the embedding rounded to S once, kept as S's 16-bit patterns (half the memory of binary32). */
    private short[] storedBits(MatrixRows rows) {
        int cols = rows.cols();
        short[] out = new short[Math.multiplyExact(rows.rows(), cols)];
        int chunk = Math.max(1, Math.min(rows.rows(), (1 << 18) / cols));
        float[] values = new float[chunk * cols];
        for (int from = 0; from < rows.rows(); from += chunk) {
            int n = Math.min(chunk, rows.rows() - from);
            rows.decode(from, n, values);
            for (int i = 0; i < n * cols; i++) {
                out[from * cols + i] = st.encode(values[i]);
            }
        }
        return out;
    }

    private float[] stored(float[] values) {
        if (values == null) {
            return null;
        }
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = st.round(values[i]);
        }
        return out;
    }

    private Prepared tm(TernaryRows t) {
        return kernel.prepare(t);
    }

    @Override
    public ModelConfig config() {
        return c;
    }

    /** The exact-path configuration. */
    public ExactConfig exactConfig() {
        return exactConfig;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void reset() {
        next = 0;
    }

    /** Observes the intermediate vectors from now on (null: none); for test benches. */
    public void probe(ExactProbe probe) {
        this.probe = probe;
    }

    /** This model's attention for one head: the Vector API's where its products run on one, else the scalar one. */
    private AttentionHead attentionHead() {
        return kernel.kind().vector() ? AttentionHead.create(exactConfig.lanes(), c.headDim())
                : AttentionHead.scalar(exactConfig.lanes(), c.headDim());
    }

    /** This model's SiLU over arrays: the Vector API's where its products run on one, else the scalar one. */
    private ExactActivations.SiluArray siluArray() {
        return kernel.kind().vector() ? ExactActivations.siluArray() : ExactActivations.scalarSiluArray();
    }

    /** True when the ternary products use a Vector API kernel. */
    public boolean vectorized() {
        return kernel.vectorized();
    }

    /** The kernel of the ternary products. */
    public TlmmKernel.Kind kernelKind() {
        return kernel.kind();
    }

    /**
     * The cached K and V of positions 0 .. next-1, every layer, keys then values, each {@code next x kvDim}
     * (binary32 bits), for tests.
     */
    float[] cacheSnapshot() {
        int n = next * c.kvDim();
        float[] out = new float[2 * c.layers() * n];
        for (int l = 0; l < c.layers(); l++) {
            System.arraycopy(cache.rows(l, true, next), 0, out, 2 * l * n, n);
            System.arraycopy(cache.rows(l, false, next), 0, out, (2 * l + 1) * n, n);
        }
        return out;
    }

    /** Stops the worker threads, and closes the file of a model made by {@link #open}. */
    public void close() {
        kernel.shutdown();
        if (file != null) {
            try {
                file.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the model's file", e);
            }
            file = null;
        }
    }

    @Override
    public float[] forward(int token, int position) {
        Steps.check(token, position, next, capacity, c.vocabSize());
        block(new int[] {token}, 0, 1, position);
        return logits(slots[0]);
    }

    /**
     * Runs the prompt in blocks of up to {@link #PREFILL_BLOCK} tokens and returns the logits after its last
     * token; bit for bit what {@link #forward} token by token gives (caches and logits). With a probe set, prefill
     * is {@link #forward} token by token, so the probe sees every token's vectors, LM head included, as decoding
     * produces them.
     */
    @Override
    public float[] prefill(int[] tokens, int position) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        if (probe != null) {
            return LanguageModel.super.prefill(tokens, position);
        }
        for (int i = 0; i < tokens.length; i++) {
            Steps.check(tokens[i], position + i, next + i, capacity, c.vocabSize());
        }
        int last = 0;
        for (int from = 0; from < tokens.length; from += PREFILL_BLOCK) {
            int n = Math.min(PREFILL_BLOCK, tokens.length - from);
            block(tokens, from, n, position + from);
            last = n - 1;
        }
        return logits(slots[last]);
    }

    /** Per-token work over slots [0, n) on the pool's threads (never inside a matrix product). */
    private void eachToken(int n, java.util.function.IntConsumer body) {
        if (n == 1) {
            body.accept(0);
            return;
        }
        kernel.forRows(n, 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                body.accept(b);
            }
        });
    }

    /** N17 for tokens[from .. from+n) at positions position.. position+n-1, through every layer. */
    private void block(int[] tokens, int from, int n, int position) {
        slots(n);
        cache.reserve(position + n);
        int dim = c.dim();
        for (int b = 0; b < n; b++) {
            Slot t = slots[b];
            t.position = position + b;
            // N17.1: the stored embedding, exactly.
            if (embedding != null) {
                int row = tokens[from + b] * dim;
                for (int i = 0; i < dim; i++) {
                    t.h[i] = st.decode(embedding[row + i]);
                }
            } else {
                embeddingRows.decode(tokens[from + b], 1, t.h);
                st.roundInPlace(t.h, 0, dim);
            }
        }
        for (int l = 0; l < layers.size(); l++) {
            Layer lw = layers.get(l);
            int layer = l;
            // N17.2 attention block.
            eachToken(n, b -> {
                Slot t = slots[b];
                rmsNorm(t.h, dim, lw.attnNorm, t.a);
                t.mc = quantize(t, t.a, dim);
                TlmmKernel.buildTables(t.xq, dim, t.tables);
            });
            linear(lw.q, n, s -> s.q);
            linear(lw.k, n, s -> s.k);
            linear(lw.v, n, s -> s.v);
            eachToken(n, b -> {
                Slot t = slots[b];
                rope(t, t.q, c.heads());
                rope(t, t.k, c.kvHeads());
                st.roundInPlace(t.q, 0, t.q.length);
                st.roundInPlace(t.k, 0, t.k.length);
                st.roundInPlace(t.v, 0, t.v.length);
                cache.put(layer, t.position, t.k, t.v);
            });
            // Every token of the block has written its K and V; each attends over positions up to its own.
            if (n == 1) {
                attentionByHead(slots[0], layer);
            }
            eachToken(n, b -> {
                Slot t = slots[b];
                if (n > 1) {
                    attention(t, layer);
                }
                float[] oIn = t.att;
                if (lw.attnSubNorm != null) {
                    rmsNorm(t.att, c.qDim(), lw.attnSubNorm, t.a);
                    oIn = t.a;
                }
                t.mc = quantize(t, oIn, c.qDim());
                TlmmKernel.buildTables(t.xq, c.qDim(), t.tables);
            });
            residual(lw.o, n);
            // N17.3 FFN block.
            eachToken(n, b -> {
                Slot t = slots[b];
                rmsNorm(t.h, dim, lw.ffnNorm, t.a);
                t.mc = quantize(t, t.a, dim);
                TlmmKernel.buildTables(t.xq, dim, t.tables);
            });
            kernel.matMat(lw.gate, slotTables, slotAcc, n);
            kernel.matMat(lw.up, slotTables, slotAcc2, n);
            eachToken(n, b -> {
                Slot t = slots[b];
                gating(t, lw);
                float[] downIn = t.ffn;
                if (lw.ffnSubNorm != null) {
                    rmsNorm(t.ffn, c.ffnDim(), lw.ffnSubNorm, t.ffnNormed);
                    downIn = t.ffnNormed;
                }
                t.mc = quantize(t, downIn, c.ffnDim());
                TlmmKernel.buildTables(t.xq, c.ffnDim(), t.tables);
            });
            residual(lw.down, n);
        }
        next = position + n;
    }

    /** N16: final norm and the int8 LM head, for one token. */
    private float[] logits(Slot t) {
        int dim = c.dim();
        rmsNorm(t.h, dim, outputNorm, t.a);
        float mc = quantize(t, t.a, dim);
        float fx = mc * ActivationQuantizer.INV127;
        float[] logits = new float[c.vocabSize()];
        byte[] xq = t.xq;
        kernel.forRows(c.vocabSize(), 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                int dot = kernel.dot8(head.weights(), r * dim, xq, dim);
                logits[r] = (float) dot * (head.rowScales()[r] * fx);
            }
        });
        return logits;
    }

    /** N17.3.3: f_i = st(act(g_i) * u_i), from the gate and up accumulators of the slot. */
    private void gating(Slot t, Layer lw) {
        float fg = ActivationQuantizer.factor(t.mc, lw.gate.scale());
        float fu = ActivationQuantizer.factor(t.mc, lw.up.scale());
        boolean silu = c.activation() == Activation.SILU;
        if (silu && probe == null) {
            // The same operations as below, the SiLU of the whole row at once (vectorized where it can be).
            float[] g = t.gate;
            for (int i = 0; i < c.ffnDim(); i++) {
                g[i] = (float) t.acc[i] * fg;
            }
            t.silu.apply(g, c.ffnDim());
            for (int i = 0; i < c.ffnDim(); i++) {
                t.ffn[i] = st.round(g[i] * ((float) t.acc2[i] * fu));
            }
            return;
        }
        float[] gates = probe == null ? null : new float[c.ffnDim()];
        float[] ups = probe == null ? null : new float[c.ffnDim()];
        for (int i = 0; i < c.ffnDim(); i++) {
            float g = (float) t.acc[i] * fg;
            float u = (float) t.acc2[i] * fu;
            float act = silu ? ExactActivations.silu(g) : ExactActivations.relu2(g);
            t.ffn[i] = st.round(act * u);
            if (probe != null) {
                gates[i] = g;
                ups[i] = u;
            }
        }
        if (probe != null) {
            probe.dequantize(Arrays.copyOf(t.acc, c.ffnDim()), t.mc, lw.gate.scale(), gates.clone());
            probe.dequantize(Arrays.copyOf(t.acc2, c.ffnDim()), t.mc, lw.up.scale(), ups.clone());
            probe.gating(gates, ups, Arrays.copyOf(t.ffn, c.ffnDim()));
        }
    }

    /** N6: quantizes x[0..n) into the slot's xq and returns mc. */
    private float quantize(Slot t, float[] x, int n) {
        float mc = ActivationQuantizer.quantize(x, n, t.xq);
        if (probe != null) {
            probe.quantize(Arrays.copyOf(x, n), Arrays.copyOf(t.xq, n), mc);
        }
        return mc;
    }

    /** N8 for every slot: y_r = float(acc_r) * ((mc * scale) * INV127), binary32, not yet stored. */
    private void linear(Prepared p, int n, java.util.function.Function<Slot, float[]> target) {
        kernel.matMat(p, slotTables, slotAcc, n);
        Prepared m = p;
        for (int b = 0; b < n; b++) {
            Slot t = slots[b];
            float[] out = target.apply(t);
            float f = ActivationQuantizer.factor(t.mc, m.scale());
            for (int r = 0; r < m.rows(); r++) {
                out[r] = (float) t.acc[r] * f;
            }
            if (probe != null) {
                probe.dequantize(Arrays.copyOf(t.acc, m.rows()), t.mc, m.scale(), Arrays.copyOf(out, m.rows()));
            }
        }
    }

    /** N17: h_r = st(h_r + dequant(acc_r)) for every slot. */
    private void residual(Prepared p, int n) {
        kernel.matMat(p, slotTables, slotAcc, n);
        Prepared m = p;
        for (int b = 0; b < n; b++) {
            Slot t = slots[b];
            float f = ActivationQuantizer.factor(t.mc, m.scale());
            float[] h = t.h;
            int[] acc = t.acc;
            float[] before = probe == null ? null : Arrays.copyOf(h, m.rows());
            float[] y = probe == null ? null : new float[m.rows()];
            for (int r = 0; r < m.rows(); r++) {
                if (y != null) {
                    y[r] = (float) acc[r] * f;
                }
                h[r] = st.round(h[r] + (float) acc[r] * f);
            }
            if (probe != null) {
                probe.dequantize(Arrays.copyOf(acc, m.rows()), t.mc, m.scale(), y.clone());
                probe.residual(before, y, Arrays.copyOf(h, m.rows()));
            }
        }
    }

    /** N13. */
    private void rmsNorm(float[] in, int n, float[] gamma, float[] out) {
        ExactOps.rmsNorm(in, n, gamma, c.rmsEps(), exactConfig.lanes(), st, out);
        if (probe != null) {
            probe.rmsNorm(Arrays.copyOf(in, n), Arrays.copyOf(gamma, n), c.rmsEps(), Arrays.copyOf(out, n));
        }
    }

    /** N14.2: a' = a*c - b*s, b' = a*s + b*c, products first, in binary32, at the slot's position. */
    private void rope(Slot t, float[] vec, int heads) {
        float[] before = probe == null ? null : Arrays.copyOf(vec, heads * c.headDim());
        int hd = c.headDim();
        int half = hd / 2;
        boolean adjacent = c.ropeStyle() == RopeStyle.ADJACENT;
        int row = t.position * half;
        for (int hh = 0; hh < heads; hh++) {
            int base = hh * hd;
            for (int i = 0; i < half; i++) {
                int ia = adjacent ? base + 2 * i : base + i;
                int ib = adjacent ? ia + 1 : ia + half;
                ExactOps.rotate(vec[ia], vec[ib], cos[row + i], sin[row + i], t.pair);
                vec[ia] = t.pair[0];
                vec[ib] = t.pair[1];
            }
        }
        if (probe != null) {
            probe.rope(before, t.position, Arrays.copyOf(vec, heads * c.headDim()));
        }
    }

    /** N15, one head at a time, over positions 0 .. the slot's own (prefill: the slots run on the threads). */
    private void attention(Slot t, int layer) {
        int hd = c.headDim();
        int group = c.heads() / c.kvHeads();
        for (int hh = 0; hh < c.heads(); hh++) {
            t.attention.head(t.q, hh * hd, cache, layer, hh / group, t.position + 1, scoreScale, t.att, hh * hd);
        }
        probeAttention(t, layer);
    }

    /** N15 for a single token (decode): the heads run on the pool's threads, each with its own scratch. */
    private void attentionByHead(Slot t, int layer) {
        int hd = c.headDim();
        int group = c.heads() / c.kvHeads();
        kernel.forRows(c.heads(), 1, (from, to) -> {
            for (int hh = from; hh < to; hh++) {
                headAttention[hh].head(t.q, hh * hd, cache, layer, hh / group, t.position + 1, scoreScale, t.att,
                        hh * hd);
            }
        });
        probeAttention(t, layer);
    }

    private void probeAttention(Slot t, int layer) {
        if (probe != null) {
            int hd = c.headDim();
            int n = t.position + 1;
            probe.attention(layer, t.position, Arrays.copyOf(t.q, c.heads() * hd), cache.rows(layer, true, n),
                    cache.rows(layer, false, n), Arrays.copyOf(t.att, c.heads() * hd));
        }
    }
}
