package dev.tellmej.model.inference;

import dev.tellmej.model.MalformedModelException;
import dev.tellmej.model.config.ConfigReader;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.gguf.GgufTensorInfo;
import dev.tellmej.model.safetensors.SafetensorsDtype;
import dev.tellmej.model.safetensors.SafetensorsFile;
import dev.tellmej.model.safetensors.SafetensorsTensor;
import dev.tellmej.model.tensor.TensorCodecs;
import dev.tellmej.model.tensor.TernaryRows;
import dev.tellmej.model.tensor.TernaryTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Loads {@link ModelWeights} from GGUF or safetensors, checking every shape against the configuration. */
public final class WeightLoader {
    /** How a packed safetensors checkpoint's {@code weight_scale} applies. */
    public enum ScaleConvention {
        /** {@code linear_class = autobitlinear} (bitnet-b1.58-2B-4T): W = trits * weight_scale. */
        MULTIPLY,
        /** {@code linear_class = bitlinear}: W = trits / weight_scale. */
        DIVIDE;

        /**
         * The convention named by an HF {@code quantization_config.linear_class} or by the file's
         * {@code __metadata__} quant description; {@code autobitlinear} multiplies, plain {@code bitlinear}
         * divides, and anything else multiplies (the published 2B-4T convention).
         */
        public static ScaleConvention fromDescription(String description) {
            String d = description == null ? "" : description.toLowerCase(Locale.ROOT);
            if (d.contains("autobitlinear")) {
                return MULTIPLY;
            }
            return d.contains("bitlinear") ? DIVIDE : MULTIPLY;
        }
    }

    private WeightLoader() {}

    /** Loads a GGUF model (config from its metadata). */
    public static ModelWeights fromGguf(GgufFile file) {
        return load(gguf(file));
    }

    /** Loads every tensor of {@code source} into memory. */
    public static ModelWeights load(WeightSource source) {
        ModelConfig c = source.config();
        float[] embedding = source.embedding();
        float[] output = c.tiedEmbeddings() ? embedding : source.output();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(source.layer(i));
        }
        return new ModelWeights(c, embedding, source.outputNorm(), output, layers);
    }

    /** The tensors of a GGUF model (config from its metadata), read one at a time while the file is open. */
    public static WeightSource gguf(GgufFile file) {
        return gguf(file, false);
    }

    /**
     * As {@link #gguf(GgufFile)}; with {@code views} the embedding's and LM head's {@linkplain
     * WeightSource#embeddingRows rows} read the mapped file in place instead of a copy, so whoever holds them must
     * keep the file open while it uses them (as {@link ExactModel#open} does).
     */
    public static WeightSource gguf(GgufFile file, boolean views) {
        ModelConfig c = ConfigReader.fromGguf(file);
        return new WeightSource() {
            @Override
            public ModelConfig config() {
                return c;
            }

            @Override
            public float[] embedding() {
                return floats(file, "token_embd.weight", c.dim(), c.vocabSize());
            }

            @Override
            public float[] outputNorm() {
                return floats(file, "output_norm.weight", c.dim(), 1);
            }

            @Override
            public float[] output() {
                return c.tiedEmbeddings() ? embedding() : floats(file, "output.weight", c.dim(), c.vocabSize());
            }

            @Override
            public MatrixRows embeddingRows() {
                return rows(file, "token_embd.weight", c.dim(), c.vocabSize(), views);
            }

            @Override
            public MatrixRows outputRows() {
                return c.tiedEmbeddings() ? embeddingRows() : rows(file, "output.weight", c.dim(), c.vocabSize(), views);
            }

            @Override
            public TernaryLayer ternaryLayer(int i) {
                String p = "blk." + i + ".";
                return new TernaryLayer(
                        floats(file, p + "attn_norm.weight", c.dim(), 1),
                        ternary(file, p + "attn_q.weight", c.qDim(), c.dim(), i),
                        ternary(file, p + "attn_k.weight", c.kvDim(), c.dim(), i),
                        ternary(file, p + "attn_v.weight", c.kvDim(), c.dim(), i),
                        ternary(file, p + "attn_output.weight", c.dim(), c.qDim(), i),
                        c.subNorms() ? floats(file, p + "attn_sub_norm.weight", c.dim(), 1) : null,
                        floats(file, p + "ffn_norm.weight", c.dim(), 1),
                        ternary(file, p + "ffn_gate.weight", c.ffnDim(), c.dim(), i),
                        ternary(file, p + "ffn_up.weight", c.ffnDim(), c.dim(), i),
                        ternary(file, p + "ffn_down.weight", c.dim(), c.ffnDim(), i),
                        c.subNorms() ? floats(file, p + "ffn_sub_norm.weight", c.ffnDim(), 1) : null);
            }

            @Override
            public LayerNorms layerNorms(int i) {
                String p = "blk." + i + ".";
                return new LayerNorms(floats(file, p + "attn_norm.weight", c.dim(), 1),
                        c.subNorms() ? floats(file, p + "attn_sub_norm.weight", c.dim(), 1) : null,
                        floats(file, p + "ffn_norm.weight", c.dim(), 1),
                        c.subNorms() ? floats(file, p + "ffn_sub_norm.weight", c.ffnDim(), 1) : null);
            }

            @Override
            public void release() {
                file.unload();
            }

            @Override
            public LayerWeights layer(int i) {
                String p = "blk." + i + ".";
                return new LayerWeights(
                        floats(file, p + "attn_norm.weight", c.dim(), 1),
                        linear(file, p + "attn_q.weight", c.qDim(), c.dim()),
                        linear(file, p + "attn_k.weight", c.kvDim(), c.dim()),
                        linear(file, p + "attn_v.weight", c.kvDim(), c.dim()),
                        linear(file, p + "attn_output.weight", c.dim(), c.qDim()),
                        c.subNorms() ? floats(file, p + "attn_sub_norm.weight", c.dim(), 1) : null,
                        floats(file, p + "ffn_norm.weight", c.dim(), 1),
                        linear(file, p + "ffn_gate.weight", c.ffnDim(), c.dim()),
                        linear(file, p + "ffn_up.weight", c.ffnDim(), c.dim()),
                        linear(file, p + "ffn_down.weight", c.dim(), c.ffnDim()),
                        c.subNorms() ? floats(file, p + "ffn_sub_norm.weight", c.ffnDim(), 1) : null);
            }
        };
    }

    private static GgufTensorInfo shaped(GgufFile file, String name, long cols, long rows) {
        GgufTensorInfo info = file.requireTensor(name);
        long[] dims = info.dims();
        boolean ok = rows == 1 ? (dims.length == 1 && dims[0] == cols) || (dims.length == 2 && dims[0] == cols && dims[1] == 1)
                : dims.length == 2 && dims[0] == cols && dims[1] == rows;
        if (!ok) {
            throw new MalformedModelException(file.path(), "tensor " + name + " dims", info.infoOffset(), "expected ["
                    + cols + (rows == 1 ? "" : ", " + rows) + "], found " + Arrays.toString(dims));
        }
        return info;
    }

    private static float[] floats(GgufFile file, String name, int cols, int rows) {
        GgufTensorInfo info = shaped(file, name, cols, rows);
        return TensorCodecs.toFloats(info.type(), file.data(info), Math.multiplyExact(cols, rows));
    }

    /** A matrix in its file encoding, rows decoded on request (binary32 in memory where it cannot be cut in rows). */
    private static MatrixRows rows(GgufFile file, String name, int cols, int rows, boolean view) {
        GgufTensorInfo info = shaped(file, name, cols, rows);
        MatrixRows m = view ? MatrixRows.view(info.type(), file.data(info), rows, cols)
                : MatrixRows.encoded(info.type(), file.data(info), rows, cols);
        return m != null ? m : MatrixRows.of(floats(file, name, cols, rows), rows, cols);
    }

    private static Linear linear(GgufFile file, String name, int rows, int cols) {
        GgufTensorInfo info = shaped(file, name, cols, rows);
        int n = Math.multiplyExact(rows, cols);
        if (info.type().ternary()) {
            TensorCodecs.Ternary t = TensorCodecs.ternary(info.type(), file.data(info), n);
            if (t.uniformScale()) {
                return new Linear.Ternary(new TernaryTensor(rows, cols, t.trits(), t.blockScales()[0]));
            }
            // Block scales that differ are not the BitNet recipe: keep the exact values as dense weights.
        }
        return denseOrTernary(rows, cols, TensorCodecs.toFloats(info.type(), file.data(info), n));
    }

    /**
     * A ternary linear as rows decoded from the mapped file on request (no copy of the tensor), or, where its rows
     * cannot be decoded on their own or its blocks differ in scale, as {@link #linear} reads it.
     *
     * @throws NotTernaryException when the weights are not ternary with one scale
     */
    private static TernaryRows ternary(GgufFile file, String name, int rows, int cols, int layer) {
        GgufTensorInfo info = shaped(file, name, cols, rows);
        if (info.type().ternary()) {
            TernaryRows t = TensorCodecs.ternaryRows(info.type(), file.data(info), rows, cols);
            if (t != null) {
                return t;
            }
        }
        if (linear(file, name, rows, cols) instanceof Linear.Ternary t) {
            return t.tensor();
        }
        throw new NotTernaryException(layer);
    }

    /**
     * Loads a safetensors checkpoint in Hugging Face naming. Ternary matrices are U8 {@code [out/4, in]} in the
     * bitnet-b1.58-2B-4T packing with a one-element {@code weight_scale}; float matrices are F32/F16/BF16.
     */
    public static ModelWeights fromSafetensors(SafetensorsFile file, ModelConfig c, ScaleConvention convention) {
        return load(safetensors(file, c, convention));
    }

    /** The tensors of a safetensors checkpoint (see {@link #fromSafetensors}), read one at a time. */
    public static WeightSource safetensors(SafetensorsFile file, ModelConfig c, ScaleConvention convention) {
        return new WeightSource() {
            @Override
            public ModelConfig config() {
                return c;
            }

            @Override
            public float[] embedding() {
                return hfFloats(file, "model.embed_tokens.weight", c.vocabSize(), c.dim());
            }

            @Override
            public float[] outputNorm() {
                return hfFloats(file, "model.norm.weight", c.dim());
            }

            @Override
            public float[] output() {
                return c.tiedEmbeddings() || file.tensor("lm_head.weight").isEmpty() ? embedding()
                        : hfFloats(file, "lm_head.weight", c.vocabSize(), c.dim());
            }

            @Override
            public LayerWeights layer(int i) {
                String p = "model.layers." + i + ".";
                return new LayerWeights(
                        hfFloats(file, p + "input_layernorm.weight", c.dim()),
                        hfLinear(file, p + "self_attn.q_proj", c.qDim(), c.dim(), convention),
                        hfLinear(file, p + "self_attn.k_proj", c.kvDim(), c.dim(), convention),
                        hfLinear(file, p + "self_attn.v_proj", c.kvDim(), c.dim(), convention),
                        hfLinear(file, p + "self_attn.o_proj", c.dim(), c.qDim(), convention),
                        c.subNorms() ? hfFloats(file, p + "self_attn.attn_sub_norm.weight", c.dim()) : null,
                        hfFloats(file, p + "post_attention_layernorm.weight", c.dim()),
                        hfLinear(file, p + "mlp.gate_proj", c.ffnDim(), c.dim(), convention),
                        hfLinear(file, p + "mlp.up_proj", c.ffnDim(), c.dim(), convention),
                        hfLinear(file, p + "mlp.down_proj", c.dim(), c.ffnDim(), convention),
                        c.subNorms() ? hfFloats(file, p + "mlp.ffn_sub_norm.weight", c.ffnDim()) : null);
            }
        };
    }

    private static float[] hfFloats(SafetensorsFile file, String name, long... shape) {
        SafetensorsTensor t = file.require(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new MalformedModelException(file.path(), name + ".shape", 0, "expected " + Arrays.toString(shape)
                    + ", found " + Arrays.toString(t.shape()));
        }
        return file.floats(t);
    }

    private static Linear hfLinear(SafetensorsFile file, String base, int rows, int cols, ScaleConvention convention) {
        SafetensorsTensor t = file.require(base + ".weight");
        if (t.dtype() != SafetensorsDtype.U8) {
            return denseOrTernary(rows, cols, hfFloats(file, base + ".weight", rows, cols));
        }
        if (rows % 4 != 0 || !Arrays.equals(t.shape(), new long[] {rows / 4, cols})) {
            throw new MalformedModelException(file.path(), base + ".weight.shape", 0, "packed ternary weight should be U8 ["
                    + (rows / 4) + ", " + cols + "], found " + Arrays.toString(t.shape()));
        }
        SafetensorsTensor scaleTensor = file.require(base + ".weight_scale");
        if (scaleTensor.elementCount() != 1) {
            throw new MalformedModelException(file.path(), base + ".weight_scale.shape", 0,
                    "expected one element, found " + Arrays.toString(scaleTensor.shape()));
        }
        float stored = file.floats(scaleTensor)[0];
        float scale = convention == ScaleConvention.MULTIPLY ? stored : 1f / stored;
        return new Linear.Ternary(new TernaryTensor(rows, cols, unpackRows(file.bytes(t), rows, cols), scale));
    }

    /** Float weights that are really ternary ({-a, 0, +a}) become a ternary linear; others stay dense. */
    private static Linear denseOrTernary(int rows, int cols, float[] weights) {
        TernaryTensor t = TernaryTensor.detect(weights, rows, cols);
        return t != null ? new Linear.Ternary(t) : new Linear.Dense(rows, cols, weights);
    }

    /**
     * Unpacks the 2B-4T layout: packed row r, bits 2i..2i+1 hold {@code W[i * rows/4 + r][c] + 1}. Code 3 is read
     * as 0 rather than trusted.
     */
    public static byte[] unpackRows(byte[] packed, int rows, int cols) {
        int quarter = rows / 4;
        byte[] trits = new byte[rows * cols];
        for (int r = 0; r < quarter; r++) {
            for (int c = 0; c < cols; c++) {
                int b = packed[r * cols + c] & 0xFF;
                for (int i = 0; i < 4; i++) {
                    int code = (b >> (2 * i)) & 3;
                    trits[(i * quarter + r) * cols + c] = (byte) (code == 3 ? 0 : code - 1);
                }
            }
        }
        return trits;
    }

    /** The inverse of {@link #unpackRows}, for writing packed checkpoints in tests. */
    public static byte[] packRows(byte[] trits, int rows, int cols) {
        int quarter = rows / 4;
        byte[] packed = new byte[quarter * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                packed[(r % quarter) * cols + c] |= (byte) ((trits[r * cols + c] + 1) << (2 * (r / quarter)));
            }
        }
        return packed;
    }
}
