package dev.tellmej.model.synthetic;

import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.gguf.GgufWriter;
import dev.tellmej.model.tensor.TensorCodecs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes GGUF models with seeded random weights, for tests and benchmarks: ternary I2_S linears (per-tensor
 * scale), F16 embeddings, F32 norms near 1, and a byte-fallback SentencePiece vocabulary so the model can be
 * run from text.
 */
public final class SyntheticModel {
    /**
     * The shape of a synthetic model.
     *
     * @param architecture GGUF architecture ({@code llama} or {@code bitnet}; bitnet gets sub-norms)
     * @param tied         no {@code output.weight}: the LM head is the embedding
     */
    public record Shape(String architecture, int layers, int dim, int heads, int kvHeads, int ffn, int vocab,
                        Activation activation, boolean tied, int contextLength) {
        public Shape {
            if (vocab < 259) {
                throw new IllegalArgumentException("the vocabulary needs at least 259 tokens (3 specials, 256 bytes)");
            }
        }

        /** 1bitLLM bitnet_b1_58-large: 24 layers, 1536 hidden, 16 heads, FFN 4096, vocabulary 32,002, tied. */
        public static Shape bitnetLarge() {
            return new Shape("bitnet", 24, 1536, 16, 16, 4096, 32002, Activation.SILU, true, 2048);
        }

        /** Ternary weights in the linears. */
        public long ternaryWeights() {
            long headDim = dim / heads;
            long perLayer = (long) dim * dim * 2 + 2L * dim * kvHeads * headDim + 3L * dim * ffn;
            return perLayer * layers;
        }
    }

    private SyntheticModel() {}

    /** Builds the file in memory and writes it to {@code path}. */
    public static void write(Shape s, long seed, Path path) {
        build(s, seed).write(path);
    }

    /** A writer holding the whole model. */
    public static GgufWriter build(Shape s, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String a = s.architecture();
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", a)
                .putString("general.name", "synthetic-" + a + "-" + s.layers() + "x" + s.dim() + "-seed" + seed)
                .putU32(a + ".context_length", s.contextLength())
                .putU32(a + ".embedding_length", s.dim())
                .putU32(a + ".feed_forward_length", s.ffn())
                .putU32(a + ".attention.head_count", s.heads())
                .putU32(a + ".attention.head_count_kv", s.kvHeads())
                .putU32(a + ".block_count", s.layers())
                .putF32(a + ".attention.layer_norm_rms_epsilon", 1e-5f)
                .putF32(a + ".rope.freq_base", 10000f)
                .putString("tellme.ffn_activation", s.activation() == Activation.SILU ? "silu" : "relu2");
        vocabulary(w, s.vocab());
        int dim = s.dim();
        int kv = s.kvHeads() * (dim / s.heads());
        float[] embedding = new float[s.vocab() * dim];
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] = (float) (random.nextGaussian() * 0.5);
        }
        w.addTensor("token_embd.weight", new long[] {dim, s.vocab()}, GgmlType.F16, TensorCodecs.encodeF16(embedding));
        w.addTensor("output_norm.weight", new long[] {dim}, GgmlType.F32, TensorCodecs.encodeF32(norm(random, dim)));
        if (!s.tied()) {
            float[] out = new float[s.vocab() * dim];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) (random.nextGaussian() * 0.05);
            }
            w.addTensor("output.weight", new long[] {dim, s.vocab()}, GgmlType.F16, TensorCodecs.encodeF16(out));
        }
        boolean subNorms = a.startsWith("bitnet");
        for (int l = 0; l < s.layers(); l++) {
            String p = "blk." + l + ".";
            w.addTensor(p + "attn_norm.weight", new long[] {dim}, GgmlType.F32, TensorCodecs.encodeF32(norm(random, dim)));
            ternary(w, p + "attn_q.weight", dim, dim, random);
            ternary(w, p + "attn_k.weight", kv, dim, random);
            ternary(w, p + "attn_v.weight", kv, dim, random);
            if (subNorms) {
                w.addTensor(p + "attn_sub_norm.weight", new long[] {dim}, GgmlType.F32,
                        TensorCodecs.encodeF32(norm(random, dim)));
            }
            ternary(w, p + "attn_output.weight", dim, dim, random);
            w.addTensor(p + "ffn_norm.weight", new long[] {dim}, GgmlType.F32, TensorCodecs.encodeF32(norm(random, dim)));
            ternary(w, p + "ffn_gate.weight", s.ffn(), dim, random);
            ternary(w, p + "ffn_up.weight", s.ffn(), dim, random);
            if (subNorms) {
                w.addTensor(p + "ffn_sub_norm.weight", new long[] {s.ffn()}, GgmlType.F32,
                        TensorCodecs.encodeF32(norm(random, s.ffn())));
            }
            ternary(w, p + "ffn_down.weight", dim, s.ffn(), random);
        }
        return w;
    }

    private static float[] norm(SplittableRandom random, int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) (1 + 0.1 * random.nextGaussian());
        }
        return g;
    }

    private static void ternary(GgufWriter w, String name, int rows, int cols, SplittableRandom random) {
        byte[] trits = new byte[rows * cols];
        for (int i = 0; i < trits.length; ) {
            // 20 trits per draw: 3^20 < 2^32.
            long bits = random.nextLong() & 0xFFFFFFFFL;
            for (int k = 0; k < 20 && i < trits.length; k++, i++) {
                trits[i] = (byte) (bits % 3 - 1);
                bits /= 3;
            }
        }
        // The absmean scale of a unit-variance matrix quantized to ternary is about 0.8 / sqrt(cols)-ish; any
        // positive value works for timing, this one keeps activations in a sane range.
        float scale = (float) (1.0 / Math.sqrt(cols));
        w.addTensor(name, new long[] {cols, rows}, GgmlType.I2_S, TensorCodecs.encodeI2s(trits, scale));
    }

    private static void vocabulary(GgufWriter w, int vocab) {
        List<String> tokens = new ArrayList<>(vocab);
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        tokens.add("<unk>");
        tokens.add("<s>");
        tokens.add("</s>");
        types[0] = 2;
        types[1] = 3;
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types[3 + b] = 6;
        }
        for (int i = tokens.size(); i < vocab; i++) {
            tokens.add("\u2581tok" + i);
            types[i] = 1;
            scores[i] = -i;
        }
        w.putString("tokenizer.ggml.model", "llama").putStrings("tokenizer.ggml.tokens", tokens)
                .putFloats("tokenizer.ggml.scores", scores).putInts("tokenizer.ggml.token_type", types)
                .putU32("tokenizer.ggml.bos_token_id", 1).putU32("tokenizer.ggml.eos_token_id", 2)
                .putU32("tokenizer.ggml.unknown_token_id", 0);
    }
}
