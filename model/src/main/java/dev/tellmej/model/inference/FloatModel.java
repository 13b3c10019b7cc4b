package dev.tellmej.model.inference;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.config.RopeStyle;
import dev.tellmej.model.tensor.TernaryTensor;

/**
 * The float reference: binary32 throughout, with the BitLinear W1.58 A8 recipe at every ternary linear (per
 * token absmax int8 activations, exact integer products, {@code y = acc * scale * max|x| / 127}). Dense
 * linears are plain fp32 dot products. This path measures accuracy; it is not bit-specified.
 */
public final class FloatModel implements LanguageModel {
    private final ModelWeights w;
    private final ModelConfig c;
    private final int capacity;
    private final float[][] keys;
    private final float[][] values;
    private final float[] cos;
    private final float[] sin;
    private int next;

    // Scratch buffers.
    private final float[] x;
    private final float[] xb;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] att;
    private final float[] attOut;
    private final float[] gate;
    private final float[] up;
    private final float[] tmp;
    private final float[] scores;

    /** A model whose KV cache holds {@code capacity} tokens. */
    public FloatModel(ModelWeights weights, int capacity) {
        this.w = weights;
        this.c = weights.config();
        this.capacity = capacity;
        keys = new float[c.layers()][capacity * c.kvDim()];
        values = new float[c.layers()][capacity * c.kvDim()];
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
        x = new float[c.dim()];
        xb = new float[Math.max(c.dim(), c.qDim())];
        q = new float[c.qDim()];
        k = new float[c.kvDim()];
        v = new float[c.kvDim()];
        att = new float[c.qDim()];
        attOut = new float[c.dim()];
        gate = new float[c.ffnDim()];
        up = new float[c.ffnDim()];
        tmp = new float[c.ffnDim()];
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
        System.arraycopy(w.embedding(), token * c.dim(), x, 0, c.dim());
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights lw = w.layers().get(l);
            rmsNorm(xb, x, lw.attnNorm(), c.dim());
            apply(lw.q(), xb, q);
            apply(lw.k(), xb, k);
            apply(lw.v(), xb, v);
            rope(q, c.heads(), position);
            rope(k, c.kvHeads(), position);
            System.arraycopy(k, 0, keys[l], position * c.kvDim(), c.kvDim());
            System.arraycopy(v, 0, values[l], position * c.kvDim(), c.kvDim());
            attention(l, position);
            float[] oIn = att;
            if (lw.attnSubNorm() != null) {
                rmsNorm(xb, att, lw.attnSubNorm(), c.qDim());
                oIn = xb;
            }
            apply(lw.o(), oIn, attOut);
            for (int i = 0; i < c.dim(); i++) {
                x[i] += attOut[i];
            }
            rmsNorm(xb, x, lw.ffnNorm(), c.dim());
            apply(lw.gate(), xb, gate);
            apply(lw.up(), xb, up);
            for (int i = 0; i < c.ffnDim(); i++) {
                float g = gate[i];
                float a = c.activation() == Activation.SILU ? g / (1f + (float) Math.exp(-g)) : (g > 0 ? g * g : 0f);
                gate[i] = a * up[i];
            }
            float[] downIn = gate;
            if (lw.ffnSubNorm() != null) {
                rmsNorm(tmp, gate, lw.ffnSubNorm(), c.ffnDim());
                downIn = tmp;
            }
            apply(lw.down(), downIn, attOut);
            for (int i = 0; i < c.dim(); i++) {
                x[i] += attOut[i];
            }
        }
        next = position + 1;
        rmsNorm(xb, x, w.outputNorm(), c.dim());
        float[] logits = new float[c.vocabSize()];
        denseMatVec(w.output(), c.vocabSize(), c.dim(), xb, logits);
        return logits;
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

    private void attention(int layer, int position) {
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

    private static void apply(Linear linear, float[] in, float[] out) {
        switch (linear) {
            case Linear.Dense d -> denseMatVec(d.weights(), d.rows(), d.cols(), in, out);
            case Linear.Ternary t -> bitLinear(t.tensor(), in, out);
        }
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

    /** W1.58 A8: per-token absmax int8 activations, exact integer dot products, one rescale. */
    static void bitLinear(TernaryTensor t, float[] in, float[] out) {
        int cols = t.cols();
        float max = 0f;
        for (int i = 0; i < cols; i++) {
            max = Math.max(max, Math.abs(in[i]));
        }
        float clamped = Math.max(max, 1e-5f);
        float s = 127f / clamped;
        int[] xq = new int[cols];
        for (int i = 0; i < cols; i++) {
            xq[i] = (int) Math.max(-128, Math.min(127, Math.rint(in[i] * s)));
        }
        float factor = t.scale() * clamped / 127f;
        byte[] wv = t.values();
        for (int r = 0; r < t.rows(); r++) {
            int acc = 0;
            int base = r * cols;
            for (int i = 0; i < cols; i++) {
                acc += wv[base + i] * xq[i];
            }
            out[r] = acc * factor;
        }
    }
}
