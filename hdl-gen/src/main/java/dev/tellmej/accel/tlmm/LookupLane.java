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
 * table half to read, the accumulator (one per token of the chunk and row group of the tile:
 * {@code slot x maxGroups + group}), and whether this is the first block (the accumulator is overwritten)
 * or the last (the sum also leaves on {@link #result}). Accumulators live in block RAM when there are many
 * (read one cycle ahead of the sum), with a bypass for an accumulator written in the cycle it is read. {@link #tableWrite} writes entry e of all T tables
 * of one half at once (the builder broadcasts it to every lane).
 *
 * <p>Latency from {@link #step} to {@link #result}: 1 (table read registered) + the adder tree's latency
 * + 1 (accumulate registered): {@link #latency(TlmmConfig)}.
 */
public final class LookupLane extends Module {
    /** One index word for this lane. */
    public record Step(Bits indices, Bool tableHalf, UInt accumulator, Bool first, Bool last) {}

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
        param("a", config.accumulators());
        int tables = config.tables();
        int accumulatorBits = config.accumulatorAddressBits();
        step = in("step", Flow.of(new Step(bits(TlmmConfig.INDEX_BITS * tables), bool(), uint(accumulatorBits), bool(), bool())));
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
        // The accumulator address at each stage: index k is k cycles after the step.
        List<UInt> address = new ArrayList<>(List.of(step.payload.accumulator()));
        address.add(regNext("entries_accumulator", step.payload.accumulator()));
        Bool sumFirst = regNext("entries_first", step.payload.first());
        Bool sumLast = regNext("entries_last", step.payload.last());

        // ---- the sum of the T entries ----
        SInt sum;
        Bool sumValid;
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
                address.add(regNext("sum_accumulator_" + stage, address.getLast()));
                sumFirst = regNext("sum_first_" + stage, sumFirst);
                sumLast = regNext("sum_last_" + stage, sumLast);
            }
        }

        // ---- accumulate: read a cycle ahead, add, write back; a bypass covers back-to-back use ----
        int depth = config.accumulators();
        RamStyle style = depth * TlmmConfig.ACCUMULATOR_BITS > 8192 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED;
        Mem<SInt> accumulators = mem("accumulators", sint(TlmmConfig.ACCUMULATOR_BITS), depth).style(style);
        UInt group = address.getLast();
        SInt stored = accumulators.readSync("stored", address.get(address.size() - 2));
        Bool written = reg("written", bool(), 0);
        UInt writtenAddress = reg("written_address", uint(accumulatorBits));
        SInt writtenValue = reg("written_value", sint(TlmmConfig.ACCUMULATOR_BITS));
        SInt previous = mux(written.and(writtenAddress.eq(group)), writtenValue, stored).named("previous");
        SInt widened = sum.sext(TlmmConfig.ACCUMULATOR_BITS);
        SInt total = mux(sumFirst, widened, previous.add(widened)).named("total");
        when(sumValid, () -> accumulators.write(group, total));
        written.set(sumValid);
        writtenAddress.set(group);
        writtenValue.set(total);
        result.valid.set(regNext("result_q_valid", sumValid.and(sumLast), 0));
        result.payload.set(regNextWhen("result_q_value", total, sumValid.and(sumLast)));
    }

}
