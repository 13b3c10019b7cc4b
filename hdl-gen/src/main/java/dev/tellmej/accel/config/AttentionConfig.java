package dev.tellmej.accel.config;

/**
 * The attention units' parameters (fused prefill and decode attention over the DDR KV cache). The longest
 * context is a model maximum ({@link ModelLimits#context()}).
 *
 * @param dotLanes    multiply-adds per cycle of each pass (the score pass's and the value pass's lanes): the
 *                    stored values of a port's beat W times the ports P each pass reads at once (chunk k of a
 *                    head's rows on port k mod P), a power of two, at most N5's L
 * @param serialTrees the score and value passes add their L partials with few adders ({@code Fp32SerialTree})
 *                    rather than with full trees (L - 1 adders, a vector a cycle); the same sums either way. The
 *                    score pass's tree has P first-level adders and one a level above (a row every L / 2P
 *                    cycles, a row of fewer pass beats than that padded with empty beats), the value pass's tree
 *                    has four first-level adders (a vector every L / 8 cycles). Worth it where rows have at least
 *                    L / 2P pass beats (kv260: heads of 64 and more), not for tiny heads
 */
public record AttentionConfig(int dotLanes, boolean serialTrees) {}
