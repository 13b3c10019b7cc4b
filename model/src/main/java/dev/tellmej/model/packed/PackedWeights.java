package dev.tellmej.model.packed;

import dev.tellmej.model.config.ModelConfig;
import dev.tellmej.model.inference.LmHead;
import dev.tellmej.model.ternary.TlmmKernel;
import dev.tellmej.model.ternary.TlmmKernel.Prepared;
import java.util.List;

/**
 * What the exact path derives from a model's file before it can run, and what its packed-weight cache holds: every
 * ternary matrix in the layout of one kernel kind, and the int8 LM head (N16).
 *
 * @param kind     the kernel kind the matrices are laid out for
 * @param matrices {@link #MATRICES_PER_LAYER} a layer, layer by layer, in the order of {@link #LAYER_ORDER}
 * @param head     the int8 LM head
 */
public record PackedWeights(TlmmKernel.Kind kind, List<Prepared> matrices, LmHead head) {
    /** The linears of a layer, in the order they are stored. */
    public static final List<String> LAYER_ORDER = List.of("q", "k", "v", "o", "gate", "up", "down");
    /** Ternary matrices in a layer. */
    public static final int MATRICES_PER_LAYER = LAYER_ORDER.size();

    public PackedWeights {
        matrices = List.copyOf(matrices);
        if (matrices.size() % MATRICES_PER_LAYER != 0) {
            throw new IllegalArgumentException(matrices.size() + " matrices are not whole layers of "
                    + MATRICES_PER_LAYER);
        }
    }

    /** Matrix {@code m} (an index into {@link #LAYER_ORDER}) of layer {@code layer}. */
    public Prepared matrix(int layer, int m) {
        return matrices.get(layer * MATRICES_PER_LAYER + m);
    }

    /** Layers held. */
    public int layers() {
        return matrices.size() / MATRICES_PER_LAYER;
    }

    /**
     * The (rows, cols) of every matrix a model of this configuration has, in the order of {@link #matrices}: what a
     * cache file read back must match.
     */
    public static int[][] shapes(ModelConfig c) {
        int[][] layer = {
            {c.qDim(), c.dim()}, {c.kvDim(), c.dim()}, {c.kvDim(), c.dim()}, {c.dim(), c.qDim()},
            {c.ffnDim(), c.dim()}, {c.ffnDim(), c.dim()}, {c.dim(), c.ffnDim()},
        };
        int[][] out = new int[c.layers() * MATRICES_PER_LAYER][];
        for (int i = 0; i < out.length; i++) {
            out[i] = layer[i % MATRICES_PER_LAYER];
        }
        return out;
    }
}
