package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Delay;
import java.util.ArrayList;
import java.util.List;

/**
 * The Q lookup lanes: each takes its row's index word from the buffer read the sweep issued (the step's side
 * data delayed by the buffer's read latency to meet it), adds its T table lookups to the row group's
 * accumulator, and on the last block hands the sum to the result queue. The table builder writes every lane's
 * tables at once.
 */
final class LookupArray extends Area {
    LookupArray(TlmmConfig config, Sweep sweep, TableBuilder tables, WeightBuffer buffer, ResultQueue results) {
        super("lookup_lanes", "Q lanes: table lookups of each step's index words, summed into the row group's"
                + " accumulator; the last block's sums go to the result queue");
        int latency = WeightBuffer.READ_LATENCY;
        Bool stepValid = Delay.valid("step_valid", sweep.issue, latency);
        Bool stepHalf = Delay.of("step_table_half", sweep.tableHalf, latency);
        UInt stepAccumulator = Delay.of("step_accumulator", sweep.accumulator, latency);
        Bool stepFirst = Delay.of("step_first", sweep.firstBlock, latency);
        Bool stepLast = Delay.of("step_last", sweep.lastBlock, latency);
        Bool resultValid = null;
        for (int q = 0; q < config.columns(); q++) {
            LookupLane lane = instance("lane" + q, new LookupLane(config));
            lane.step.valid.set(stepValid);
            lane.step.payload.indices().set(indicesOf(buffer.readWords.get(q), config.tables()));
            lane.step.payload.tableHalf().set(stepHalf);
            lane.step.payload.accumulator().set(stepAccumulator);
            lane.step.payload.first().set(stepFirst);
            lane.step.payload.last().set(stepLast);
            lane.tableWrite.valid.set(tables.building);
            lane.tableWrite.payload.half().set(tables.half);
            lane.tableWrite.payload.entry().set(tables.entry);
            for (int t = 0; t < config.tables(); t++) {
                lane.tableWrite.payload.values().get(t).set(tables.values.get(t));
            }
            results.sums.payload.get(q).set(lane.result.payload);
            if (q == 0) {
                resultValid = lane.result.valid;
            }
        }
        results.sums.valid.set(resultValid);
    }

    /** The T indices of a lane's index word (index 14w + s in bits 72w + 5s + 4 .. 72w + 5s). */
    private static Bits indicesOf(Bits words, int tables) {
        List<Bits> parts = new ArrayList<>();
        for (int i = tables - 1; i >= 0; i--) {
            int lo = 72 * (i / TlmmConfig.INDICES_PER_BUFFER_WORD)
                    + TlmmConfig.INDEX_BITS * (i % TlmmConfig.INDICES_PER_BUFFER_WORD);
            parts.add(words.slice(lo + TlmmConfig.INDEX_BITS - 1, lo));
        }
        return cat(parts.toArray(new Bits[0]));
    }
}
