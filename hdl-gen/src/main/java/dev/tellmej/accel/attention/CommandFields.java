package dev.tellmej.accel.attention;

import dev.tellmej.hdl.UInt;

/**
 * The fields of a taken {@link AttentionUnit} command that a pass and its walkers read. The score side holds its
 * command's while it takes the queries and scores; the value side holds a copy of them while the value pass runs,
 * and the reduce side one while the reduction runs, so the next commands may be taken and scored meanwhile.
 *
 * @param firstPositions positions the first slot attends to
 * @param lastPositions  positions the last slot attends to: the rows each pass reads
 * @param heads          query heads per token
 * @param slots          slots of the command (tokens x heads)
 * @param rowBeats       beats per row, d / W
 * @param base           the command's first slot in the unit's per-slot stores (queries, scores, maxima,
 *                       reciprocals, value partials): 0, or half the unit's slots when it runs beside another
 */
record CommandFields(UInt firstPositions, UInt lastPositions, UInt heads, UInt slots, UInt rowBeats, UInt base) {}
