package dev.tellmej.image;

import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.inference.LayerWeights;
import dev.tellmej.model.inference.Linear;

/** The tensors of one decoder block as the image stores them: section {@code blk.<layer>.<name>}. */
public enum LayerTensor {
    ATTN_NORM("attn_norm", SectionKind.NORM_GAIN),
    ATTN_Q("attn_q", SectionKind.TERNARY_LINEAR),
    ATTN_K("attn_k", SectionKind.TERNARY_LINEAR),
    ATTN_V("attn_v", SectionKind.TERNARY_LINEAR),
    ATTN_SUB_NORM("attn_sub_norm", SectionKind.NORM_GAIN),
    ATTN_OUTPUT("attn_output", SectionKind.TERNARY_LINEAR),
    FFN_NORM("ffn_norm", SectionKind.NORM_GAIN),
    FFN_GATE("ffn_gate", SectionKind.TERNARY_LINEAR),
    FFN_UP("ffn_up", SectionKind.TERNARY_LINEAR),
    FFN_SUB_NORM("ffn_sub_norm", SectionKind.NORM_GAIN),
    FFN_DOWN("ffn_down", SectionKind.TERNARY_LINEAR);

    private final String shortName;
    private final SectionKind kind;

    LayerTensor(String shortName, SectionKind kind) {
        this.shortName = shortName;
        this.kind = kind;
    }

    /** What the section holds. */
    public SectionKind kind() {
        return kind;
    }

    /** The section's name in layer {@code layer}. */
    public String sectionName(int layer) {
        return "blk." + layer + "." + shortName;
    }

    /** True when a model of configuration {@code c} has this tensor. */
    public boolean presentIn(ModelConfig c) {
        return c.subNorms() || (this != ATTN_SUB_NORM && this != FFN_SUB_NORM);
    }

    /** Outputs of a linear (elements of a gain). */
    public int rows(ModelConfig c) {
        return switch (this) {
            case ATTN_Q -> c.qDim();
            case ATTN_K, ATTN_V -> c.kvDim();
            case ATTN_OUTPUT, FFN_DOWN, ATTN_NORM, FFN_NORM, ATTN_SUB_NORM -> c.dim();
            case FFN_GATE, FFN_UP, FFN_SUB_NORM -> c.ffnDim();
        };
    }

    /** Inputs of a linear (1 for a gain). */
    public int cols(ModelConfig c) {
        return switch (this) {
            case ATTN_Q, ATTN_K, ATTN_V, FFN_GATE, FFN_UP -> c.dim();
            case ATTN_OUTPUT -> c.qDim();
            case FFN_DOWN -> c.ffnDim();
            case ATTN_NORM, FFN_NORM, ATTN_SUB_NORM, FFN_SUB_NORM -> 1;
        };
    }

    /** The linear of this kind in {@code w} (for {@link SectionKind#TERNARY_LINEAR} tensors). */
    public Linear linear(LayerWeights w) {
        return switch (this) {
            case ATTN_Q -> w.q();
            case ATTN_K -> w.k();
            case ATTN_V -> w.v();
            case ATTN_OUTPUT -> w.o();
            case FFN_GATE -> w.gate();
            case FFN_UP -> w.up();
            case FFN_DOWN -> w.down();
            default -> throw new IllegalStateException(this + " is a gain, not a linear");
        };
    }

    /** The gain of this kind in {@code w} (for {@link SectionKind#NORM_GAIN} tensors). */
    public float[] gain(LayerWeights w) {
        return switch (this) {
            case ATTN_NORM -> w.attnNorm();
            case ATTN_SUB_NORM -> w.attnSubNorm();
            case FFN_NORM -> w.ffnNorm();
            case FFN_SUB_NORM -> w.ffnSubNorm();
            default -> throw new IllegalStateException(this + " is a linear, not a gain");
        };
    }
}
