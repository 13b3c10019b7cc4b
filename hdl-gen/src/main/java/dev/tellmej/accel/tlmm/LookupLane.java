package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.AdderTree;
import dev.tellmej.hdl.lib.Flow;
import java.util.ArrayList;
import java.util.List;

/**
 * One output lane of the lookup-accumulate array: its own copy of the T tables of the current block (LUT
 * RAM, two halves so the next block's tables are written while this block's are read), T lookups per
 * cycle, a pipelined adder tree, and the lane's accumulators (one per row group of the tile).
 *
 * <p>Each cycle {@link #step} may bring one index word (the T indices of one row for this block), the
 * table half to read, the row group, and whether this is the first block (the accumulator is overwritten)
 * or the last (the sum also leaves on {@link #result}). {@link #tableWrite} writes entry e of all T tables
 * of one half at once (the builder broadcasts it to every lane).
 *
 * <p>Latency from {@link #step} to {@link #result}: 1 (table read registered) + the adder tree's latency
 * + 1 (accumulate registered): {@link #latency(TlmmConfig)}.
 */
public final class LookupLane extends Module {
    /** One index word for this lane. */
    public record Step(Bits indices, Bool tableHalf, UInt group, Bool first, Bool last) {}

    /** Entry {@code entry} of every table of half {@code half}. */
    public record TableWrite(Bool half, UInt entry, Vec<SInt> values) {}

    public final Flow<Step> step;
    public final Flow<TableWrite> tableWrite;
    public final Flow<SInt> result;

    /** Cycles from a step to its result. */
    public static int latency(TlmmConfig config) {
        return 2 + adderTreeLatency(config);
    }

    static int adderTreeLatency(TlmmConfig config) {
        return config.tables() == 1 ? 0 : (log2Up(config.tables()) + 1) / 2;
    }

    public LookupLane(TlmmConfig config) {
        param("t", config.tables());
        param("g", config.maxGroups());
        int tables = config.tables();
        int groupBits = log2Up(config.maxGroups());
        step = in("step", Flow.of(new Step(bits(TlmmConfig.INDEX_BITS * tables), bool(), uint(groupBits), bool(), bool())));
        tableWrite = in("table_write", Flow.of(new TableWrite(bool(), uint(TlmmConfig.INDEX_BITS),
                vec(tables, sint(TlmmConfig.ENTRY_BITS)))));
        result = out("result", Flow.of(sint(TlmmConfig.ACCUMULATOR_BITS)));

        // ---- tables and lookups ----
        List<SInt> looked = new ArrayList<>();
        for (int t = 0; t < tables; t++) {
            Mem<SInt> table = mem("table" + t, sint(TlmmConfig.ENTRY_BITS), 64).style(RamStyle.DISTRIBUTED);
            SInt value = tableWrite.payload.values().get(t);
            when(tableWrite.valid, () -> table.write(cat(tableWrite.payload.half(), tableWrite.payload.entry()).asUInt(), value));
            UInt index = step.payload.indices().slice(TlmmConfig.INDEX_BITS * t + TlmmConfig.INDEX_BITS - 1,
                    TlmmConfig.INDEX_BITS * t).asUInt();
            looked.add(table.readAsync(cat(step.payload.tableHalf(), index).asUInt()));
        }
        Vec<SInt> entries = regNext("entries", new Vec<>(looked));
        Bool entriesValid = regNext("entries_valid", step.valid, 0);
        UInt entriesGroup = regNext("entries_group", step.payload.group());
        Bool entriesFirst = regNext("entries_first", step.payload.first());
        Bool entriesLast = regNext("entries_last", step.payload.last());

        // ---- the sum of the T entries ----
        SInt sum;
        Bool sumValid;
        UInt sumGroup = entriesGroup;
        Bool sumFirst = entriesFirst;
        Bool sumLast = entriesLast;
        if (tables == 1) {
            sum = entries.get(0);
            sumValid = entriesValid;
        } else {
            AdderTree tree = instance("adder_tree", new AdderTree(tables, TlmmConfig.ENTRY_BITS, 2));
            tree.in.valid.set(entriesValid);
            for (int t = 0; t < tables; t++) {
                tree.in.payload.get(t).set(entries.get(t));
            }
            sum = tree.out.payload;
            sumValid = tree.out.valid;
            for (int stage = 0; stage < tree.latency; stage++) {
                sumGroup = regNext("sum_group_" + stage, sumGroup);
                sumFirst = regNext("sum_first_" + stage, sumFirst);
                sumLast = regNext("sum_last_" + stage, sumLast);
            }
        }

        // ---- accumulate (read, add, write back in one cycle; the same group recurs only a block later) ----
        Mem<SInt> accumulators = mem("accumulators", sint(TlmmConfig.ACCUMULATOR_BITS), config.maxGroups())
                .style(RamStyle.DISTRIBUTED);
        SInt widened = sum.sext(TlmmConfig.ACCUMULATOR_BITS);
        UInt group = sumGroup;
        SInt previous = accumulators.readAsync(group);
        SInt total = mux(sumFirst, widened, previous.add(widened)).named("total");
        when(sumValid, () -> accumulators.write(group, total));
        result.valid.set(regNext("result_valid", sumValid.and(sumLast), 0));
        result.payload.set(regNextWhen("result_value", total, sumValid.and(sumLast)));
    }
}
