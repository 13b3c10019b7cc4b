package dev.tellmej.device;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.Epilogue;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.KvCacheLayout;
import dev.tellmej.accel.protocol.OnChipBuffer;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.image.MemoryImage;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.numerics.ActivationQuantizer;
import dev.tellmej.model.numerics.ExactActivations;
import dev.tellmej.model.numerics.ExactOps;
import dev.tellmej.model.numerics.StorageFormat;
import dev.tellmej.model.ternary.TlmmKernel;
import java.util.EnumMap;
import java.util.Map;

/**
 * Executes the program on one chunk of tokens, instruction by instruction, with the hardware-exact operations of
 * NUMERICS.md: what the on-chip sequencer and its units do, in Java. Holds the on-chip state (the buffers, one
 * vector per token of the chunk; the quantized activations with their tables; the SETUP registers) and the KV
 * cache.
 */
final class ReferenceExecutor {
    private final AcceleratorConfig config;
    private final ModelConfig model;
    private final StorageFormat st;
    private final int lanes;
    private final TlmmKernel kernel;
    private final ImageTensors tensors;
    private final KvCacheBuffer cache;
    private final Map<OnChipBuffer, float[][]> buffers = new EnumMap<>(OnChipBuffer.class);
    private final byte[][] xq;
    private final float[] mc;
    private final short[][] tables;
    private final int[] acc;
    private final float[] y;
    private final float[] pair = new float[2];
    private final float[] normed;
    private final float[] keys;
    private final float[] values;
    private final float[] scores;
    private final float[] logits;

    // SETUP registers.
    private int headDim;
    private int heads;
    private int kvHeads;
    private boolean ropeAdjacent;
    private long ropeTable;

    // The chunk.
    private int[] tokens;
    private int firstPosition;
    private boolean lastChunk;

    // DDR traffic since resetTraffic(): what the kernel would move for the same instructions.
    private long bytesRead;
    private long bytesWritten;

    ReferenceExecutor(MemoryImage image, TlmmKernel kernel, KvCacheBuffer cache) {
        this.config = image.config();
        this.model = image.header().model();
        this.st = config.exact().storage();
        this.lanes = config.exact().lanes();
        this.kernel = kernel;
        this.cache = cache;
        this.tensors = new ImageTensors(image, st, kernel);
        int chunk = config.tlmmConfig().maxTokens();
        int widest = Math.max(Math.max(model.dim(), model.qDim()), model.ffnDim());
        buffers.put(OnChipBuffer.RESIDUAL, new float[chunk][model.dim()]);
        buffers.put(OnChipBuffer.QUERY, new float[chunk][model.qDim()]);
        buffers.put(OnChipBuffer.ATTENTION, new float[chunk][model.qDim()]);
        buffers.put(OnChipBuffer.GATE, new float[chunk][model.ffnDim()]);
        buffers.put(OnChipBuffer.FFN, new float[chunk][model.ffnDim()]);
        xq = new byte[chunk][widest + 3];
        mc = new float[chunk];
        tables = new short[chunk][TlmmKernel.tableSize(widest)];
        acc = new int[Math.max(widest, model.qDim())];
        y = new float[Math.max(widest, model.qDim())];
        normed = new float[widest];
        int positions = cache.layout().positions();
        keys = new float[positions * model.headDim()];
        values = new float[positions * model.headDim()];
        scores = new float[positions];
        logits = new float[model.vocabSize()];
    }

    /** Starts a chunk: {@code tokens} at positions {@code firstPosition ..}; the LM head runs when it is the last. */
    void beginChunk(int[] tokens, int firstPosition, boolean lastChunk) {
        this.tokens = tokens;
        this.firstPosition = firstPosition;
        this.lastChunk = lastChunk;
    }

    /** Starts counting DDR traffic from zero (at the start of a call). */
    void resetTraffic() {
        bytesRead = 0;
        bytesWritten = 0;
    }

    /** Bytes the instructions since {@link #resetTraffic()} read from DDR. */
    long bytesRead() {
        return bytesRead;
    }

    /** Bytes they wrote to DDR. */
    long bytesWritten() {
        return bytesWritten;
    }

    /** The logits the last LM_HEAD wrote. */
    float[] logits() {
        return logits.clone();
    }

    void execute(Instruction in) {
        switch (in.opcode()) {
            case SETUP -> setup(in);
            case EMBED -> embed(in);
            case QUANTIZE -> quantize(in);
            case LINEAR -> linear(in);
            case ATTENTION -> attention(in);
            case LM_HEAD -> lmHead(in);
            case BARRIER, END -> { }
        }
    }

    /**
     * Adds the debug-tap record of {@code in}, which just executed as instruction {@code pc} (DebugTaps: what each
     * opcode's record holds), read from the state it left.
     */
    void tap(Instruction in, int pc, int firstToken, DebugArea.Writer out) {
        int n = tokens.length;
        switch (in.opcode()) {
            case EMBED -> {
                float[][] dst = buffers.get(in.getBuffer("dst"));
                out.add(pc, firstToken, n, in.getInt("dim"), (j, e) -> dst[j][e]);
            }
            case QUANTIZE -> {
                int length = in.getInt("length");
                out.add(pc, firstToken, n, length + 1, (j, e) -> e < length ? xq[j][e] : mc[j]);
            }
            case LINEAR -> {
                Epilogue epilogue = in.getEpilogue("epilogue");
                int layer = in.getInt("layer");
                int rows = in.getInt("rows");
                if (epilogue == Epilogue.ROPE_KEY_CACHE || epilogue == Epilogue.VALUE_CACHE) {
                    int kind = epilogue == Epilogue.ROPE_KEY_CACHE ? KvCacheLayout.KEYS : KvCacheLayout.VALUES;
                    out.add(pc, firstToken, n, rows, (j, e) -> cache.get(layer, e / headDim, kind, firstPosition + j,
                            e % headDim));
                } else {
                    float[][] dst = buffers.get(in.getBuffer("dst"));
                    out.add(pc, firstToken, n, rows, (j, e) -> dst[j][e]);
                }
            }
            case ATTENTION -> {
                float[][] dst = buffers.get(in.getBuffer("dst"));
                out.add(pc, firstToken, n, heads * headDim, (j, e) -> dst[j][e]);
            }
            case LM_HEAD -> {
                if (lastChunk) {
                    out.add(pc, firstToken, 1, in.getInt("rows"), (j, e) -> logits[e]);
                }
            }
            case END, SETUP, BARRIER -> { }
        }
    }

    /**
     * Flips bit {@code bit} of element {@code element} of token {@code token}'s vector in the buffer {@code in}
     * (which just executed) wrote: a fault for tests of the cross-check, which must name this place.
     *
     * @throws IllegalArgumentException when {@code in} writes no on-chip buffer
     */
    void flip(Instruction in, int token, int element, int bit) {
        // A cache epilogue's tap shows the cache, not dst: a flip there would go unseen.
        boolean toCache = in.opcode() == Opcode.LINEAR && (in.getEpilogue("epilogue") == Epilogue.ROPE_KEY_CACHE
                || in.getEpilogue("epilogue") == Epilogue.VALUE_CACHE);
        if (!(in.opcode() == Opcode.EMBED || in.opcode() == Opcode.ATTENTION || in.opcode() == Opcode.LINEAR)
                || toCache) {
            throw new IllegalArgumentException(in.opcode() + " writes no on-chip buffer to flip a bit of");
        }
        float[] v = buffers.get(in.getBuffer("dst"))[token];
        v[element] = Float.intBitsToFloat(Float.floatToRawIntBits(v[element]) ^ (1 << bit));
    }

    private void setup(Instruction in) {
        headDim = in.getInt("head_dim");
        heads = in.getInt("heads");
        kvHeads = in.getInt("kv_heads");
        ropeAdjacent = in.getFlag("rope_adjacent");
        ropeTable = in.get("rope_table");
    }

    private void embed(Instruction in) {
        float[][] dst = buffers.get(in.getBuffer("dst"));
        int dim = in.getInt("dim");
        for (int j = 0; j < tokens.length; j++) {
            tensors.storedRow(in.get("table") + 2L * tokens[j] * dim, dim, dst[j]); // N17.1
            bytesRead += 2L * dim;
        }
    }

    /** N13 when {@code norm} is set, then N6, then the TLMM tables of every token. */
    private void quantize(Instruction in) {
        float[][] src = buffers.get(in.getBuffer("src"));
        int n = in.getInt("length");
        float[] gain = in.getFlag("norm") ? tensors.stored(in.get("gain"), n) : null;
        if (gain != null) {
            bytesRead += 2L * n;
        }
        for (int j = 0; j < tokens.length; j++) {
            float[] x = src[j];
            if (gain != null) {
                ExactOps.rmsNorm(x, n, gain, in.getFloat("eps"), lanes, st, normed);
                x = normed;
            }
            mc[j] = ActivationQuantizer.quantize(x, n, xq[j]);
            TlmmKernel.buildTables(xq[j], n, tables[j]);
        }
    }

    /** N8's dequantization and the epilogue, token by token. */
    private void linear(Instruction in) {
        int rows = in.getInt("rows");
        int cols = in.getInt("cols");
        float scale = in.getFloat("scale");
        TlmmLayout layout = new TlmmLayout(config.tlmmConfig(), rows, cols);
        TlmmKernel.Prepared weights = tensors.linear(in.get("weights"), layout, scale);
        bytesRead += layout.bytesRead();
        Epilogue epilogue = in.getEpilogue("epilogue");
        float[][] dst = buffers.get(in.getBuffer("dst"));
        float[][] src = buffers.get(in.getBuffer("src"));
        int layer = in.getInt("layer");
        for (int j = 0; j < tokens.length; j++) {
            int position = firstPosition + j;
            kernel.matVec(weights, tables[j], acc);
            float f = ActivationQuantizer.factor(mc[j], scale);
            for (int r = 0; r < rows; r++) {
                y[r] = (float) acc[r] * f;
            }
            switch (epilogue) {
                case STORE -> System.arraycopy(y, 0, dst[j], 0, rows);
                case ROPE_QUERY -> {
                    rope(y, rows / headDim, position);
                    for (int r = 0; r < rows; r++) {
                        dst[j][r] = st.round(y[r]);
                    }
                }
                case ROPE_KEY_CACHE -> {
                    rope(y, rows / headDim, position);
                    toCache(y, rows, layer, KvCacheLayout.KEYS, position, dst[j]);
                }
                case VALUE_CACHE -> toCache(y, rows, layer, KvCacheLayout.VALUES, position, dst[j]);
                case RESIDUAL_ADD -> {
                    for (int r = 0; r < rows; r++) {
                        dst[j][r] = st.round(dst[j][r] + y[r]);
                    }
                }
                case GATE_UP -> {
                    boolean relu2 = in.getFlag("relu2");
                    for (int r = 0; r < rows; r++) {
                        float g = src[j][r];
                        float act = relu2 ? ExactActivations.relu2(g) : ExactActivations.silu(g);
                        dst[j][r] = st.round(act * y[r]);
                    }
                }
            }
        }
    }

    /** Stores the rows into the cache and, as the kernel leaves them, into {@code dst} (Epilogue). */
    private void toCache(float[] row, int rows, int layer, int kind, int position, float[] dst) {
        for (int r = 0; r < rows; r++) {
            row[r] = st.round(row[r]);
            dst[r] = row[r];
        }
        for (int h = 0; h < rows / headDim; h++) {
            cache.write(layer, h, kind, position, row, h * headDim);
        }
        bytesWritten += 2L * rows;
    }

    /** N14.2 on every head of {@code vec} at {@code position}, with the image's cos/sin table. */
    private void rope(float[] vec, int headCount, int position) {
        int half = headDim / 2;
        float[] table = tensors.binary32(ropeTable, cache.layout().positions() * headDim);
        int row = position * headDim;
        for (int hh = 0; hh < headCount; hh++) {
            int base = hh * headDim;
            for (int i = 0; i < half; i++) {
                int ia = ropeAdjacent ? base + 2 * i : base + i;
                int ib = ropeAdjacent ? ia + 1 : ia + half;
                ExactOps.rotate(vec[ia], vec[ib], table[row + i], table[row + half + i], pair);
                vec[ia] = pair[0];
                vec[ib] = pair[1];
            }
        }
        bytesRead += 8L * half;
    }

    /** N15 for every query head of every token; each KV head's rows are read once for its group. */
    private void attention(Instruction in) {
        float[][] q = buffers.get(in.getBuffer("src"));
        float[][] out = buffers.get(in.getBuffer("dst"));
        int layer = in.getInt("layer");
        float scale = in.getFloat("score_scale");
        int group = heads / kvHeads;
        int positions = firstPosition + tokens.length;
        for (int kvh = 0; kvh < kvHeads; kvh++) {
            cache.read(layer, kvh, KvCacheLayout.KEYS, positions, keys);
            cache.read(layer, kvh, KvCacheLayout.VALUES, positions, values);
            bytesRead += 2L * 2 * positions * headDim;
            for (int g = 0; g < group; g++) {
                int hh = kvh * group + g;
                for (int j = 0; j < tokens.length; j++) {
                    ExactOps.attentionHead(q[j], hh * headDim, keys, values, 0, headDim, firstPosition + j + 1,
                            headDim, scale, lanes, st, scores, out[j], hh * headDim);
                }
            }
        }
    }

    /** N16 for the call's last token only. */
    private void lmHead(Instruction in) {
        if (!lastChunk) {
            return;
        }
        int rows = in.getInt("rows");
        int cols = in.getInt("cols");
        byte[] w = tensors.int8(in.get("weights"), (long) rows * cols);
        float[] rowScales = tensors.binary32(in.get("row_scales"), rows);
        int last = tokens.length - 1;
        float fx = mc[last] * ActivationQuantizer.INV127;
        byte[] x = xq[last];
        kernel.forRows(rows, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                logits[r] = (float) kernel.dot8(w, r * cols, x, cols) * (rowScales[r] * fx);
            }
        });
        bytesRead += (long) rows * cols + 4L * rows;
        bytesWritten += 4L * rows;
    }
}
