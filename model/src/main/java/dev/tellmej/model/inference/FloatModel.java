package dev.tellmej.model.inference;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.ternary.TlmmKernel;

/**
 * The float reference: binary32 throughout, with the BitLinear W1.58 A8 recipe at every ternary linear (per
 * token absmax int8 activations, exact integer products, {@code y = acc * scale * max|x| / 127}). Dense
 * linears are plain fp32 dot products. This path measures accuracy; it is not bit-specified.
 */
public final class FloatModel implements LanguageModel {
    /** A linear as this path multiplies it: dense binary32 weights, or a ternary matrix in the kernel's layout. */
    private sealed interface Op {
        record Dense(Linear.Dense weights) implements Op {}

        record Packed(TlmmKernel.Prepared matrix) implements Op {}
    }

    /** One decoder block, its ternary linears packed once (the trits are not kept). */
    private record Layer(float[] attnNorm, Op q, Op k, Op v, Op o, float[] attnSubNorm, float[] ffnNorm, Op gate,
                         Op up, Op down, float[] ffnSubNorm) {}

    private final float[] embedding;
    private final float[] outputNorm;
    private final float[] output;
    private final java.util.List<Layer> layers = new java.util.ArrayList<>();
    private final ModelConfig c;
    private final int capacity;
    /** Each layer's cached keys and values, {@code positions x kvDim}, grown as positions are used ({@link #reserve}). */
    private final float[][] keys;
    private final float[][] values;
    private final float[] cos;
    private final float[] sin;
    private int next;

    /** The ternary products' kernel (one thread); each ternary matrix is kept once, in its layout. */
    private final TlmmKernel kernel;

    // Scratch buffers.
    private final float[] xb;
    private final float[] scores;

    /** A model whose KV cache holds {@code capacity} tokens. */
    public FloatModel(ModelWeights weights, int capacity) {
        this(weights.config(), weights.embedding(), weights.outputNorm(), weights::output, weights.layers()::get,
                null, () -> {}, capacity);
    }

    /**
     * A model built from tensors read one layer at a time (the file must stay open until the constructor returns):
     * each ternary matrix is packed for the kernel as its layer is read (from {@link WeightSource#ternaryLayer}, a few
     * rows of trits at a time, where every linear of the layer is ternary), and its trits are not kept, so the weights
     * are held once (the embedding, the LM head and dense linears as binary32); after each layer the source may drop
     * the mapped file's pages ({@link WeightSource#release}).
     */
    public FloatModel(WeightSource source, int capacity) {
        this(source.config(), source.embedding(), source.outputNorm(),
                () -> source.config().tiedEmbeddings() ? null : source.output(), source::layer, source::ternaryLayer,
                source::release, capacity);
    }

    /**
     * {@code output} gives the LM head, or null for the embedding (tied); {@code ternaryLayer}, where not null, gives
     * an all-ternary layer or throws {@link NotTernaryException} (then {@code layer} gives it); {@code release} runs
     * after each layer.
     */
    private FloatModel(ModelConfig config, float[] embedding, float[] outputNorm,
                       java.util.function.Supplier<float[]> output, java.util.function.IntFunction<LayerWeights> layer,
                       java.util.function.IntFunction<TernaryLayer> ternaryLayer, Runnable release, int capacity) {
        this.c = config;
        this.kernel = new TlmmKernel(1, TlmmKernel.Kind.forModel(config.dim()));
        this.capacity = capacity;
        this.embedding = embedding;
        this.outputNorm = outputNorm;
        float[] head = output.get();
        this.output = head != null ? head : embedding;
        boolean tryTernary = ternaryLayer != null;
        for (int l = 0; l < c.layers(); l++) {
            TernaryLayer t = null;
            if (tryTernary) {
                try {
                    t = ternaryLayer.apply(l);
                } catch (NotTernaryException e) {
                    tryTernary = false; // a dense linear: this layer and the next are read whole (models are uniform)
                }
            }
            if (t != null) {
                layers.add(new Layer(t.attnNorm(), packed(t.q()), packed(t.k()), packed(t.v()), packed(t.o()),
                        t.attnSubNorm(), t.ffnNorm(), packed(t.gate()), packed(t.up()), packed(t.down()),
                        t.ffnSubNorm()));
                release.run();
                continue;
            }
            LayerWeights lw = layer.apply(l);
            layers.add(new Layer(lw.attnNorm(), op(lw.q()), op(lw.k()), op(lw.v()), op(lw.o()), lw.attnSubNorm(),
                    lw.ffnNorm(), op(lw.gate()), op(lw.up()), op(lw.down()), lw.ffnSubNorm()));
            release.run();
        }
        keys = new float[c.layers()][0];
        values = new float[c.layers()][0];
        int half = c.headDim() / 2;
        cos = new float[capacity * half];
        sin = new float[capacity * half];
        for (int p = 0; p < capacity; p++) {
            for (int i = 0; i < half; i++) {
                double freq = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.headDim());
                double angle = p * freq;
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        xb = new float[Math.max(c.dim(), c.qDim())];
        scores = new float[capacity];
    }

    @Override
    public ModelConfig config() {
        return c;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void reset() {
        next = 0;
    }

    @Override
    public float[] forward(int token, int position) {
        Steps.check(token, position, next, capacity, c.vocabSize());
        float[][] h = block(new int[] {token}, 0, 1, position);
        return logits(h[0]);
    }

    /**
     * Runs the prompt in blocks of up to {@link ExactModel#PREFILL_BLOCK} tokens: each linear multiplies the
     * whole block (each weight row is read once per block), each token attends over the positions up to its own,
     * and only the last token goes through the output matrix. Each token's arithmetic is that of {@link #forward}.
     */
    @Override
    public float[] prefill(int[] tokens, int position) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        for (int i = 0; i < tokens.length; i++) {
            Steps.check(tokens[i], position + i, next + i, capacity, c.vocabSize());
        }
        float[] last = null;
        for (int from = 0; from < tokens.length; from += ExactModel.PREFILL_BLOCK) {
            int n = Math.min(ExactModel.PREFILL_BLOCK, tokens.length - from);
            float[][] h = block(tokens, from, n, position + from);
            last = h[n - 1];
        }
        return logits(last);
    }

    /**
     * Grows the KV cache to hold at least {@code positions} (doubling, at most the capacity), so that a long context
     * costs memory only as far as it is used.
     */
    private void reserve(int positions) {
        int kv = c.kvDim();
        if (c.layers() == 0 || kv == 0 || positions <= keys[0].length / kv) {
            return;
        }
        int held = keys[0].length / kv;
        int grown = Math.min(capacity, Math.max(positions, Math.max(16, 2 * held)));
        for (int l = 0; l < c.layers(); l++) {
            keys[l] = java.util.Arrays.copyOf(keys[l], grown * kv);
            values[l] = java.util.Arrays.copyOf(values[l], grown * kv);
        }
    }

    /** Positions the KV cache holds room for now (at most the capacity), for tests. */
    int cachedPositions() {
        return c.kvDim() == 0 ? capacity : keys[0].length / c.kvDim();
    }

    private float[] logits(float[] h) {
        rmsNorm(xb, h, outputNorm, c.dim());
        float[] logits = new float[c.vocabSize()];
        denseMatVec(output, c.vocabSize(), c.dim(), xb, logits);
        return logits;
    }

    /** Every layer for tokens[from .. from+n) at positions position ..; returns their residual streams. */
    private float[][] block(int[] tokens, int from, int n, int position) {
        float[][] h = new float[n][c.dim()];
        float[][] normed = new float[n][Math.max(c.dim(), c.qDim())];
        float[][] qs = new float[n][c.qDim()];
        float[][] ks = new float[n][c.kvDim()];
        float[][] vs = new float[n][c.kvDim()];
        float[][] atts = new float[n][c.qDim()];
        float[][] proj = new float[n][c.dim()];
        float[][] gates = new float[n][c.ffnDim()];
        float[][] ups = new float[n][c.ffnDim()];
        float[][] ffnNormed = new float[n][c.ffnDim()];
        for (int b = 0; b < n; b++) {
            System.arraycopy(embedding, tokens[from + b] * c.dim(), h[b], 0, c.dim());
        }
        reserve(position + n);
        for (int l = 0; l < c.layers(); l++) {
            Layer lw = layers.get(l);
            for (int b = 0; b < n; b++) {
                rmsNorm(normed[b], h[b], lw.attnNorm(), c.dim());
            }
            apply(lw.q(), normed, qs, n);
            apply(lw.k(), normed, ks, n);
            apply(lw.v(), normed, vs, n);
            for (int b = 0; b < n; b++) {
                rope(qs[b], c.heads(), position + b);
                rope(ks[b], c.kvHeads(), position + b);
                System.arraycopy(ks[b], 0, keys[l], (position + b) * c.kvDim(), c.kvDim());
                System.arraycopy(vs[b], 0, values[l], (position + b) * c.kvDim(), c.kvDim());
            }
            float[][] oIn = atts;
            for (int b = 0; b < n; b++) {
                attention(l, position + b, qs[b], atts[b]);
                if (lw.attnSubNorm() != null) {
                    rmsNorm(normed[b], atts[b], lw.attnSubNorm(), c.qDim());
                    oIn = normed;
                }
            }
            apply(lw.o(), oIn, proj, n);
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < c.dim(); i++) {
                    h[b][i] += proj[b][i];
                }
                rmsNorm(normed[b], h[b], lw.ffnNorm(), c.dim());
            }
            apply(lw.gate(), normed, gates, n);
            apply(lw.up(), normed, ups, n);
            float[][] downIn = gates;
            for (int b = 0; b < n; b++) {
                float[] gate = gates[b];
                for (int i = 0; i < c.ffnDim(); i++) {
                    float g = gate[i];
                    float a = c.activation() == Activation.SILU ? g / (1f + (float) Math.exp(-g)) : (g > 0 ? g * g : 0f);
                    gate[i] = a * ups[b][i];
                }
                if (lw.ffnSubNorm() != null) {
                    rmsNorm(ffnNormed[b], gate, lw.ffnSubNorm(), c.ffnDim());
                    downIn = ffnNormed;
                }
            }
            apply(lw.down(), downIn, proj, n);
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < c.dim(); i++) {
                    h[b][i] += proj[b][i];
                }
            }
        }
        next = position + n;
        return h;
    }

    private void rmsNorm(float[] out, float[] in, float[] gain, int n) {
        float ss = 0f;
        for (int i = 0; i < n; i++) {
            ss += in[i] * in[i];
        }
        ss /= n;
        ss += c.rmsEps();
        float r = (float) (1.0 / Math.sqrt(ss));
        for (int i = 0; i < n; i++) {
            out[i] = gain[i] * (r * in[i]);
        }
    }

    private void rope(float[] vec, int heads, int position) {
        int hd = c.headDim();
        int half = hd / 2;
        for (int h = 0; h < heads; h++) {
            int base = h * hd;
            for (int i = 0; i < half; i++) {
                int a = c.ropeStyle() == RopeStyle.ADJACENT ? base + 2 * i : base + i;
                int b = c.ropeStyle() == RopeStyle.ADJACENT ? a + 1 : a + half;
                float co = cos[position * half + i];
                float si = sin[position * half + i];
                float v0 = vec[a];
                float v1 = vec[b];
                vec[a] = v0 * co - v1 * si;
                vec[b] = v0 * si + v1 * co;
            }
        }
    }

    private void attention(int layer, int position, float[] q, float[] att) {
        int hd = c.headDim();
        int group = c.heads() / c.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] kc = keys[layer];
        float[] vc = values[layer];
        for (int h = 0; h < c.heads(); h++) {
            int qo = h * hd;
            int ko = (h / group) * hd;
            float max = Float.NEGATIVE_INFINITY;
            for (int t = 0; t <= position; t++) {
                float s = 0f;
                int kb = t * c.kvDim() + ko;
                for (int i = 0; i < hd; i++) {
                    s += q[qo + i] * kc[kb + i];
                }
                s *= scale;
                scores[t] = s;
                max = Math.max(max, s);
            }
            float sum = 0f;
            for (int t = 0; t <= position; t++) {
                scores[t] = (float) Math.exp(scores[t] - max);
                sum += scores[t];
            }
            for (int i = 0; i < hd; i++) {
                att[qo + i] = 0f;
            }
            for (int t = 0; t <= position; t++) {
                float p = scores[t] / sum;
                int vb = t * c.kvDim() + ko;
                for (int i = 0; i < hd; i++) {
                    att[qo + i] += p * vc[vb + i];
                }
            }
        }
    }

    private Op packed(dev.tellmej.model.tensor.TernaryRows t) {
        return new Op.Packed(kernel.prepare(t));
    }

    /** A linear as this path keeps it: ternary matrices packed for the kernel now, dense weights as they are. */
    private Op op(Linear linear) {
        return switch (linear) {
            case Linear.Dense d -> new Op.Dense(d);
            case Linear.Ternary t -> new Op.Packed(kernel.prepare(t.tensor()));
        };
    }

    /** out[b] = linear(in[b]) for b in [0, n); the row loop outside, so each weight row serves the whole block. */
    private void apply(Op linear, float[][] in, float[][] out, int n) {
        switch (linear) {
            case Op.Dense(Linear.Dense d) -> {
                for (int r = 0; r < d.rows(); r++) {
                    int base = r * d.cols();
                    for (int b = 0; b < n; b++) {
                        out[b][r] = dot(d.weights(), base, in[b], d.cols());
                    }
                }
            }
            case Op.Packed(TlmmKernel.Prepared p) -> bitLinear(kernel, p, in, out, n);
        }
    }

    /**
     * The W1.58 A8 recipe for a block of tokens: per-token absmax int8 activations, the exact integer products by the
     * kernel, {@code y = acc * (scale * max / 127)}.
     */
    static void bitLinear(TlmmKernel kernel, TlmmKernel.Prepared p, float[][] in, float[][] out, int n) {
        int cols = p.cols();
        byte[] xq = new byte[cols];
        short[][] tables = new short[n][TlmmKernel.tableSize(cols)];
        int[][] acc = new int[n][p.rows()];
        float[] factor = new float[n];
        for (int b = 0; b < n; b++) {
            factor[b] = quantize(in[b], cols, p.scale(), xq);
            TlmmKernel.buildTables(xq, cols, tables[b]);
        }
        kernel.matMat(p, tables, acc, n);
        for (int b = 0; b < n; b++) {
            for (int r = 0; r < p.rows(); r++) {
                out[b][r] = acc[b][r] * factor[b];
            }
        }
    }

    /** Per-token absmax int8 quantization of in[0..cols) into xq; returns {@code scale * max / 127}. */
    private static float quantize(float[] in, int cols, float scale, byte[] xq) {
        float max = 0f;
        for (int i = 0; i < cols; i++) {
            max = Math.max(max, Math.abs(in[i]));
        }
        float clamped = Math.max(max, 1e-5f);
        float s = 127f / clamped;
        for (int i = 0; i < cols; i++) {
            xq[i] = (byte) (int) Math.max(-128, Math.min(127, Math.rint(in[i] * s)));
        }
        return scale * clamped / 127f;
    }

    private static float dot(float[] weights, int base, float[] in, int cols) {
        float s = 0f;
        for (int i = 0; i < cols; i++) {
            s += weights[base + i] * in[i];
        }
        return s;
    }

    static void denseMatVec(float[] weights, int rows, int cols, float[] in, float[] out) {
        for (int r = 0; r < rows; r++) {
            float s = 0f;
            int base = r * cols;
            for (int i = 0; i < cols; i++) {
                s += weights[base + i] * in[i];
            }
            out[r] = s;
        }
    }

}
