package dev.tellmej.model.inference;

/**
 * Observes the intermediate vectors of {@link ExactModel}'s dataflow (NUMERICS.md N17), so test benches can
 * drive one accelerator block with real activations and compare with what the model computed. Every array is
 * a fresh copy the probe may keep. The model calls nothing when no probe is set.
 */
public interface ExactProbe {
    /** N13: an RMSNorm's stored input, its stored gains and eps, and its stored output. */
    default void rmsNorm(float[] in, float[] gamma, float eps, float[] out) {}

    /** N6: a vector about to be quantized, its int8 values and the clamped absmax mc. */
    default void quantize(float[] x, byte[] q, float mc) {}

    /** N8: a linear's int32 accumulators, the input's mc, the matrix scale, and the dequantized outputs. */
    default void dequantize(int[] acc, float mc, float weightScale, float[] y) {}

    /** N14: q or k before RoPE (binary32), the token's position, and after (binary32, not yet stored). */
    default void rope(float[] before, int position, float[] after) {}

    /** N17.2.6, N17.3.5: the stored residual, the dequantized projection, and the stored sum. */
    default void residual(float[] h, float[] y, float[] out) {}

    /** N17.3.3: the dequantized gate and up projections and the stored product. */
    default void gating(float[] gate, float[] up, float[] out) {}

    /**
     * N17.2.4: a layer's attention for the token at {@code position}: every head's stored query
     * ({@code heads x headDim}), the layer's cached K and V rows of positions 0 .. position
     * ({@code (position + 1) x kvDim} each, stored values, KV head h at {@code h x headDim} of a row), and every
     * head's stored output ({@code heads x headDim}).
     */
    default void attention(int layer, int position, float[] q, float[] keys, float[] values, float[] out) {}
}
