package dev.tellmej.model.inference;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.numerics.ActivationQuantizer;
import dev.tellmej.model.numerics.ExactActivations;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.numerics.ExactOps;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.ternary.TernaryMatrix;
import dev.tellmej.model.ternary.TlmmKernel;
import dev.tellmej.model.ternary.TlmmKernel.Prepared;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The hardware-exact path: the arithmetic of docs/NUMERICS.md, step for step (section numbers in the comments),
 * so the RTL, the OpenCL kernels and the board can be checked against it bit for bit. Every linear must be
 * ternary. Prefill is defined as decoding the prompt token by token (N17.4).
 */
public final class ExactModel implements LanguageModel {
    private record Layer(float[] attnNorm, Prepared q, Prepared k, Prepared v, Prepared o,
                         float[] attnSubNorm, float[] ffnNorm, Prepared gate, Prepared up,
                         Prepared down, float[] ffnSubNorm) {}

    private final ModelConfig c;
    private final ExactConfig exactConfig;
    private final StorageFormat st;
    private final int capacity;
    private final float[] embedding;
    private final float[] outputNorm;
    private final LmHead head;
    private final List<Layer> layers = new ArrayList<>();
    private final float[] cos;
    private final float[] sin;
    private final float scoreScale;
    private final float[][] keys;
    private final float[][] values;
    private final TlmmKernel kernel;
    private int next;

    // Scratch.
    private final float[] h;
    private final float[] a;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] att;
    private final float[] ffn;
    private final float[] ffnNormed;
    private final byte[] xq;
    private final short[] tables;
    private final int[] acc;
    private final int[] acc2;
    private final float[] scores;
    private final float[] pair = new float[2];
    private ExactProbe probe;

    /**
     * @param threads worker threads for the matrix products (1 = the calling thread only)
     * @throws IllegalArgumentException when a linear layer is not ternary
     */
    public ExactModel(ModelWeights w, ExactConfig exact, int capacity, int threads) {
        if (!w.allTernary()) {
            throw new IllegalArgumentException("the hardware-exact path needs every q/k/v/o/gate/up/down weight"
                    + " ternary; this model has full-precision linears (use --path float)");
        }
        this.c = w.config();
        this.exactConfig = exact;
        this.st = exact.storage();
        this.capacity = capacity;
        this.embedding = stored(w.embedding());
        this.outputNorm = stored(w.outputNorm());
        this.head = LmHead.quantize(w.output(), c.vocabSize(), c.dim());
        this.kernel = new TlmmKernel(threads);
        for (LayerWeights l : w.layers()) {
            layers.add(new Layer(stored(l.attnNorm()), tm(l.q()), tm(l.k()), tm(l.v()), tm(l.o()),
                    stored(l.attnSubNorm()), stored(l.ffnNorm()), tm(l.gate()), tm(l.up()), tm(l.down()),
                    stored(l.ffnSubNorm())));
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
        keys = new float[c.layers()][capacity * c.kvDim()];
        values = new float[c.layers()][capacity * c.kvDim()];
        int widest = Math.max(Math.max(c.dim(), c.qDim()), c.ffnDim());
        h = new float[c.dim()];
        a = new float[widest];
        q = new float[c.qDim()];
        k = new float[c.kvDim()];
        v = new float[c.kvDim()];
        att = new float[c.qDim()];
        ffn = new float[c.ffnDim()];
        ffnNormed = new float[c.ffnDim()];
        xq = new byte[widest + 3];
        tables = new short[TlmmKernel.tableSize(widest)];
        acc = new int[Math.max(Math.max(c.qDim(), c.ffnDim()), c.vocabSize())];
        acc2 = new int[c.ffnDim()];
        scores = new float[capacity];
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

    private Prepared tm(Linear l) {
        return kernel.prepare(TernaryMatrix.of(((Linear.Ternary) l).tensor()));
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

    /** True when the ternary products use the Vector API kernel. */
    public boolean vectorized() {
        return kernel.vectorized();
    }

    /** Stops the worker threads. */
    public void close() {
        kernel.shutdown();
    }

    @Override
    public float[] forward(int token, int position) {
        Steps.check(token, position, next, capacity, c.vocabSize());
        int dim = c.dim();
        System.arraycopy(embedding, token * dim, h, 0, dim); // N17.1
        for (int l = 0; l < layers.size(); l++) {
            Layer lw = layers.get(l);
            // N17.2 attention block.
            rmsNorm(h, dim, lw.attnNorm, a);
            float mc = quantize(a, dim);
            TlmmKernel.buildTables(xq, dim, tables);
            linear(lw.q, mc, q);
            linear(lw.k, mc, k);
            linear(lw.v, mc, v);
            rope(q, c.heads(), position);
            rope(k, c.kvHeads(), position);
            st.roundInPlace(q, 0, q.length);
            st.roundInPlace(k, 0, k.length);
            st.roundInPlace(v, 0, v.length);
            System.arraycopy(k, 0, keys[l], position * c.kvDim(), c.kvDim());
            System.arraycopy(v, 0, values[l], position * c.kvDim(), c.kvDim());
            attention(l, position);
            float[] oIn = att;
            if (lw.attnSubNorm != null) {
                rmsNorm(att, c.qDim(), lw.attnSubNorm, a);
                oIn = a;
            }
            mc = quantize(oIn, c.qDim());
            TlmmKernel.buildTables(xq, c.qDim(), tables);
            residual(lw.o, mc);
            // N17.3 FFN block.
            rmsNorm(h, dim, lw.ffnNorm, a);
            mc = quantize(a, dim);
            TlmmKernel.buildTables(xq, dim, tables);
            kernel.matVec(lw.gate, tables, acc);
            kernel.matVec(lw.up, tables, acc2);
            float fg = ActivationQuantizer.factor(mc, lw.gate.matrix().scale());
            float fu = ActivationQuantizer.factor(mc, lw.up.matrix().scale());
            boolean silu = c.activation() == Activation.SILU;
            float[] gates = probe == null ? null : new float[c.ffnDim()];
            float[] ups = probe == null ? null : new float[c.ffnDim()];
            for (int i = 0; i < c.ffnDim(); i++) {
                float g = (float) acc[i] * fg;
                float u = (float) acc2[i] * fu;
                float act = silu ? ExactActivations.silu(g) : ExactActivations.relu2(g);
                ffn[i] = st.round(act * u);
                if (probe != null) {
                    gates[i] = g;
                    ups[i] = u;
                }
            }
            if (probe != null) {
                probe.dequantize(Arrays.copyOf(acc, c.ffnDim()), mc, lw.gate.matrix().scale(), gates.clone());
                probe.dequantize(Arrays.copyOf(acc2, c.ffnDim()), mc, lw.up.matrix().scale(), ups.clone());
                probe.gating(gates, ups, Arrays.copyOf(ffn, c.ffnDim()));
            }
            float[] downIn = ffn;
            if (lw.ffnSubNorm != null) {
                rmsNorm(ffn, c.ffnDim(), lw.ffnSubNorm, ffnNormed);
                downIn = ffnNormed;
            }
            mc = quantize(downIn, c.ffnDim());
            TlmmKernel.buildTables(xq, c.ffnDim(), tables);
            residual(lw.down, mc);
        }
        next = position + 1;
        // N16: final norm, int8 LM head.
        rmsNorm(h, dim, outputNorm, a);
        float mc = quantize(a, dim);
        float fx = mc * ActivationQuantizer.INV127;
        float[] logits = new float[c.vocabSize()];
        kernel.forRows(c.vocabSize(), 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                int dot = kernel.dot8(head.weights(), r * dim, xq, dim);
                logits[r] = (float) dot * (head.rowScales()[r] * fx);
            }
        });
        return logits;
    }

    /** N6: quantizes x[0..n) into xq and returns mc. */
    private float quantize(float[] x, int n) {
        float mc = ActivationQuantizer.quantize(x, n, xq);
        if (probe != null) {
            probe.quantize(Arrays.copyOf(x, n), Arrays.copyOf(xq, n), mc);
        }
        return mc;
    }

    /** N8: y_r = float(acc_r) * ((mc * scale) * INV127), binary32, not yet stored. */
    private void linear(Prepared p, float mc, float[] out) {
        kernel.matVec(p, tables, acc);
        TernaryMatrix m = p.matrix();
        float f = ActivationQuantizer.factor(mc, m.scale());
        for (int r = 0; r < m.rows(); r++) {
            out[r] = (float) acc[r] * f;
        }
        if (probe != null) {
            probe.dequantize(Arrays.copyOf(acc, m.rows()), mc, m.scale(), Arrays.copyOf(out, m.rows()));
        }
    }

    /** N17: h_r = st(h_r + dequant(acc_r)). */
    private void residual(Prepared p, float mc) {
        kernel.matVec(p, tables, acc);
        TernaryMatrix m = p.matrix();
        float f = ActivationQuantizer.factor(mc, m.scale());
        float[] before = probe == null ? null : Arrays.copyOf(h, m.rows());
        float[] y = probe == null ? null : new float[m.rows()];
        for (int r = 0; r < m.rows(); r++) {
            if (y != null) {
                y[r] = (float) acc[r] * f;
            }
            h[r] = st.round(h[r] + (float) acc[r] * f);
        }
        if (probe != null) {
            probe.dequantize(Arrays.copyOf(acc, m.rows()), mc, m.scale(), y.clone());
            probe.residual(before, y, Arrays.copyOf(h, m.rows()));
        }
    }

    /** N13. */
    private void rmsNorm(float[] in, int n, float[] gamma, float[] out) {
        ExactOps.rmsNorm(in, n, gamma, c.rmsEps(), exactConfig.lanes(), st, out);
        if (probe != null) {
            probe.rmsNorm(Arrays.copyOf(in, n), Arrays.copyOf(gamma, n), c.rmsEps(), Arrays.copyOf(out, n));
        }
    }

    /** N14.2: a' = a*c - b*s, b' = a*s + b*c, products first, in binary32. */
    private void rope(float[] vec, int heads, int position) {
        float[] before = probe == null ? null : Arrays.copyOf(vec, heads * c.headDim());
        rotate(vec, heads, position);
        if (probe != null) {
            probe.rope(before, position, Arrays.copyOf(vec, heads * c.headDim()));
        }
    }

    private void rotate(float[] vec, int heads, int position) {
        int hd = c.headDim();
        int half = hd / 2;
        boolean adjacent = c.ropeStyle() == RopeStyle.ADJACENT;
        for (int hh = 0; hh < heads; hh++) {
            int base = hh * hd;
            for (int i = 0; i < half; i++) {
                int ia = adjacent ? base + 2 * i : base + i;
                int ib = adjacent ? ia + 1 : ia + half;
                ExactOps.rotate(vec[ia], vec[ib], cos[position * half + i], sin[position * half + i], pair);
                vec[ia] = pair[0];
                vec[ib] = pair[1];
            }
        }
    }

    /** N15, one head at a time. */
    private void attention(int layer, int position) {
        int hd = c.headDim();
        int group = c.heads() / c.kvHeads();
        for (int hh = 0; hh < c.heads(); hh++) {
            ExactOps.attentionHead(q, hh * hd, keys[layer], values[layer], (hh / group) * hd, c.kvDim(), position + 1,
                    hd, scoreScale, exactConfig.lanes(), st, scores, att, hh * hd);
        }
    }
}
