package dev.tellmej.image;

import static dev.tellmej.accel.protocol.OnChipBuffer.ATTENTION;
import static dev.tellmej.accel.protocol.OnChipBuffer.FFN;
import static dev.tellmej.accel.protocol.OnChipBuffer.GATE;
import static dev.tellmej.accel.protocol.OnChipBuffer.QUERY;
import static dev.tellmej.accel.protocol.OnChipBuffer.RESIDUAL;

import dev.tellmej.accel.protocol.Epilogue;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.OnChipBuffer;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.config.RopeStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles a model into the accelerator's program (docs/program.md): one unrolled pass over the layers that the
 * sequencer runs for every chunk of a call's tokens. Model differences live here, not in the hardware: GQA is
 * the {@code kv_heads} register; BitNet's sub-norms are the {@code norm} flag of the quantize that feeds o and
 * down; SiLU or ReLU² is GATE_UP's flag; a tied LM head is the packer's business (the LM head section is made
 * from the embedding). The order of operations is NUMERICS.md N17's, so that running the program reproduces
 * {@code ExactModel} bit for bit.
 */
public final class ProgramCompiler {
    /** Instructions per layer: quantize, q, k, v, barrier, attention, quantize, o, quantize, gate, up, quantize, down. */
    private static final int PER_LAYER = 13;
    /** Instructions outside the layers: setup, embed, final quantize, LM head, end. */
    private static final int OUTSIDE = 5;

    private ProgramCompiler() {}

    /** Instruction words of {@code model}'s program. */
    public static int instructionCount(ModelConfig model) {
        return OUTSIDE + PER_LAYER * model.layers();
    }

    /**
     * The program of the planned image.
     *
     * @param scales the weight scale of every ternary linear, by section name
     */
    public static List<Instruction> compile(ImagePlan plan, Map<String, Float> scales) {
        ModelConfig c = plan.model();
        if (c.subNorms() && c.qDim() != c.dim()) {
            throw new IllegalArgumentException("a model with sub-norms needs heads x head_dim (" + c.qDim()
                    + ") equal to the hidden size (" + c.dim() + "): its attention sub-norm gain has the hidden size");
        }
        List<Instruction> p = new ArrayList<>();
        p.add(Instruction.of(Opcode.SETUP)
                .with("head_dim", c.headDim()).with("heads", c.heads()).with("kv_heads", c.kvHeads())
                .with("rope_adjacent", c.ropeStyle() == RopeStyle.ADJACENT).with("context", plan.context())
                .with("rope_table", offset(plan, ImagePlan.ROPE)));
        p.add(Instruction.of(Opcode.EMBED).with("dst", RESIDUAL).with("dim", c.dim())
                .with("table", offset(plan, ImagePlan.EMBEDDING)).with("vocab", c.vocabSize()));
        float scoreScale = (float) (1.0 / StrictMath.sqrt(c.headDim())); // N15.1
        for (int l = 0; l < c.layers(); l++) {
            p.add(quantize(plan, RESIDUAL, c.dim(), LayerTensor.ATTN_NORM.sectionName(l), c));
            p.add(linear(plan, scales, l, LayerTensor.ATTN_Q, Epilogue.ROPE_QUERY, QUERY, RESIDUAL));
            p.add(linear(plan, scales, l, LayerTensor.ATTN_K, Epilogue.ROPE_KEY_CACHE, ATTENTION, RESIDUAL));
            p.add(linear(plan, scales, l, LayerTensor.ATTN_V, Epilogue.VALUE_CACHE, ATTENTION, RESIDUAL));
            p.add(Instruction.of(Opcode.BARRIER));
            p.add(Instruction.of(Opcode.ATTENTION).with("src", QUERY).with("dst", ATTENTION).with("layer", l)
                    .with("score_scale", scoreScale));
            p.add(quantize(plan, ATTENTION, c.qDim(), c.subNorms() ? LayerTensor.ATTN_SUB_NORM.sectionName(l) : null, c));
            p.add(linear(plan, scales, l, LayerTensor.ATTN_OUTPUT, Epilogue.RESIDUAL_ADD, RESIDUAL, RESIDUAL));
            p.add(quantize(plan, RESIDUAL, c.dim(), LayerTensor.FFN_NORM.sectionName(l), c));
            p.add(linear(plan, scales, l, LayerTensor.FFN_GATE, Epilogue.STORE, GATE, RESIDUAL));
            p.add(linear(plan, scales, l, LayerTensor.FFN_UP, Epilogue.GATE_UP, FFN, GATE)
                    .with("relu2", c.activation() == Activation.RELU2));
            p.add(quantize(plan, FFN, c.ffnDim(), c.subNorms() ? LayerTensor.FFN_SUB_NORM.sectionName(l) : null, c));
            p.add(linear(plan, scales, l, LayerTensor.FFN_DOWN, Epilogue.RESIDUAL_ADD, RESIDUAL, RESIDUAL));
        }
        p.add(quantize(plan, RESIDUAL, c.dim(), ImagePlan.OUTPUT_NORM, c));
        p.add(Instruction.of(Opcode.LM_HEAD).with("cols", c.dim()).with("rows", c.vocabSize())
                .with("weights", offset(plan, ImagePlan.LM_HEAD_WEIGHTS))
                .with("row_scales", offset(plan, ImagePlan.LM_HEAD_SCALES)));
        p.add(Instruction.of(Opcode.END));
        if (p.size() != instructionCount(c)) {
            throw new IllegalStateException("compiled " + p.size() + " instructions, planned " + instructionCount(c));
        }
        return p;
    }

    private static Instruction quantize(ImagePlan plan, OnChipBuffer src, int length, String gain, ModelConfig c) {
        Instruction q = Instruction.of(Opcode.QUANTIZE).with("src", src).with("length", length);
        if (gain == null) {
            return q;
        }
        return q.with("norm", true).with("gain", offset(plan, gain)).with("eps", c.rmsEps());
    }

    private static Instruction linear(ImagePlan plan, Map<String, Float> scales, int layer, LayerTensor t, Epilogue epilogue, OnChipBuffer dst,
                                      OnChipBuffer src) {
        ModelConfig c = plan.model();
        return Instruction.of(Opcode.LINEAR).with("epilogue", epilogue).with("src", src).with("dst", dst)
                .with("layer", layer).with("rows", t.rows(c)).with("cols", t.cols(c))
                .with("weights", offset(plan, t.sectionName(layer))).with("scale", scale(scales, t.sectionName(layer)));
    }

    private static float scale(Map<String, Float> scales, String section) {
        Float scale = scales.get(section);
        if (scale == null) {
            throw new IllegalArgumentException("no weight scale for " + section);
        }
        return scale;
    }

    private static long offset(ImagePlan plan, String section) {
        return plan.section(section).offset();
    }
}
