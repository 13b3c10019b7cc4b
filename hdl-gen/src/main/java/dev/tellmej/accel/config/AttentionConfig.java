package dev.tellmej.accel.config;

/**
 * The attention units' parameters (fused prefill and decode attention over the DDR KV cache). The longest
 * context is a model maximum ({@link ModelLimits#context()}).
 *
 * @param dotLanes binary32 multiply-adds per cycle of the score and value dot products
 */
public record AttentionConfig(int dotLanes) {}
