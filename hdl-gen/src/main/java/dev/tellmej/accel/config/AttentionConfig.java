package dev.tellmej.accel.config;

/**
 * The attention units' parameters (fused prefill and decode attention over the DDR KV cache). The longest
 * context is a model maximum ({@link ModelLimits#context()}).
 *
 * @param dotLanes        binary32 multiply-adds per cycle of the score and value dot products
 * @param serialTrees the score and value passes add their L partials with few adders ({@code Fp32SerialTree})
 *                    rather than with full trees (L - 1 adders, a vector a cycle); the same sums either way. The
 *                    score pass's tree has one adder a level (log2 L adders, a row every L / 2 cycles, a row of
 *                    fewer beats than that padded with empty beats), the value pass's tree has four first-level adders
 *                    (a vector every L / 8 cycles). Worth it where rows have at least L / 2 beats (kv260: heads of
 *                    64 and more), not for tiny heads
 */
public record AttentionConfig(int dotLanes, boolean serialTrees) {}
