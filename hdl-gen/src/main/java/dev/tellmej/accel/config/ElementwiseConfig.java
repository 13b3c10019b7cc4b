package dev.tellmej.accel.config;

import dev.tellmej.model.numerics.StorageFormat;

/**
 * The fused element-wise datapath's parameters (docs/elementwise.md).
 *
 * @param sumLanes      N5's L: the partial sums whose order NUMERICS fixes (RMS-MAX, attention); part of the
 *                      model's exact configuration, so a build and the software model must agree on it
 * @param normWidth     values per beat of RMS-MAX and the quantizer after it (W, a power of two dividing L)
 * @param matmulLanes   lanes of the units behind the ternary matmul (dequantizer, RoPE, residual add, gating)
 * @param ropeTableRows rows of cos/sin the RoPE unit holds on chip
 * @param storage       the format of values stored between stages and in the KV cache (N4)
 */
public record ElementwiseConfig(int sumLanes, int normWidth, int matmulLanes, int ropeTableRows,
        StorageFormat storage) {}
