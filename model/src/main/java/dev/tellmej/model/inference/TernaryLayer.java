package dev.tellmej.model.inference;

import dev.tellmej.model.tensor.TernaryRows;

/**
 * One decoder block whose linears are all ternary, each handed out a few rows at a time ({@link TernaryRows}), as
 * the hardware-exact path reads it: from a file's source the trits are decoded from the file's encoding as they
 * are packed, so the whole matrix never exists as one byte a weight. Sub-norm gains are null for models without
 * sub-norms.
 */
public record TernaryLayer(float[] attnNorm, TernaryRows q, TernaryRows k, TernaryRows v, TernaryRows o,
                           float[] attnSubNorm, float[] ffnNorm, TernaryRows gate, TernaryRows up, TernaryRows down,
                           float[] ffnSubNorm) {
    /**
     * The ternary view of a block in memory.
     *
     * @param layer the block's index, for the error
     * @throws NotTernaryException when a linear is not ternary
     */
    public static TernaryLayer of(LayerWeights l, int layer) {
        return new TernaryLayer(l.attnNorm(), trits(l.q(), layer), trits(l.k(), layer), trits(l.v(), layer),
                trits(l.o(), layer), l.attnSubNorm(), l.ffnNorm(), trits(l.gate(), layer), trits(l.up(), layer),
                trits(l.down(), layer), l.ffnSubNorm());
    }

    private static TernaryRows trits(Linear linear, int layer) {
        if (linear instanceof Linear.Ternary t) {
            return t.tensor();
        }
        throw new NotTernaryException(layer);
    }
}
