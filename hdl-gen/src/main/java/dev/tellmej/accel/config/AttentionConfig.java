package dev.tellmej.accel.config;

/**
 * The attention units' parameters (fused prefill and decode attention over the DDR KV cache). The longest
 * context is a model maximum ({@link ModelLimits#context()}).
 *
 * @param dotLanes        binary32 multiply-adds per cycle of the score and value dot products
 * @param serialScoreTree the score pass adds a row's L partials with one adder a level (log2 L adders, a row
 *                        every L / 2 cycles, a row of fewer beats than that padded with empty beats) rather than
 *                        with a full tree (L - 1 adders, a row a cycle); the same sums either way. Worth it where
 *                        rows have at least L / 2 beats (kv260: heads of 64 and more), not for tiny heads
 */
public record AttentionConfig(int dotLanes, boolean serialScoreTree) {}
