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
import dev.tellmej.hdl.lib.AddSubTree;
import dev.tellmej.hdl.lib.Delay;
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
        return latency(config.tables());
    }

    /** {@link #latency(TlmmConfig)} of a lane of T = {@code tables}. */
    static int latency(int tables) {
        return 2 + adderTreeLatency(tables);
    }

    static int adderTreeLatency(TlmmConfig config) {
        return adderTreeLatency(config.tables());
    }

    private static int adderTreeLatency(int tables) {
        return tables == 1 ? 0 : (log2Up(tables) + 1) / 2;
    }

    public LookupLane(TlmmConfig config) {
        param("t", config.tables());
        param("a", config.accumulators());
        int tables = config.tables();
        int accumulatorBits = config.accumulatorAddressBits();
        step = in("step", Flow.of(new Step(bits(TlmmConfig.INDEX_BITS * tables), bool(), uint(accumulatorBits), bool(), bool())));
        tableWrite = in("table_write", Flow.of(new TableWrite(bool(), uint(TlmmConfig.STORED_ENTRY_BITS),
                vec(tables, sint(TlmmConfig.ENTRY_BITS)))));
        result = out("result", Flow.of(sint(TlmmConfig.ACCUMULATOR_BITS)));

        // ---- tables and lookups: an index is a stored entry and whether to negate it ----
        List<SInt> looked = new ArrayList<>();
        List<Bool> negated = new ArrayList<>();
        int entryBits = TlmmConfig.STORED_ENTRY_BITS;
        for (int t = 0; t < tables; t++) {
            Mem<SInt> table = mem("table" + t, sint(TlmmConfig.ENTRY_BITS), 2 << entryBits).style(RamStyle.DISTRIBUTED);
            SInt value = tableWrite.payload.values().get(t);
            UInt writeAddress = cat(tableWrite.payload.half(), tableWrite.payload.entry()).asUInt();
            when(tableWrite.valid, () -> table.write(writeAddress, value));
            int lo = TlmmConfig.INDEX_BITS * t;
            UInt entry = step.payload.indices().slice(lo + entryBits - 1, lo).asUInt();
            looked.add(table.readAsync(cat(step.payload.tableHalf(), entry).asUInt()));
            negated.add(step.payload.indices().bit(lo + TlmmConfig.INDEX_BITS - 1));
        }
        Vec<SInt> entries = regNext("entries", new Vec<>(looked));
        Vec<Bool> entriesNegate = regNext("entries_negate", new Vec<>(negated));
        Bool entriesValid = regNext("entries_valid", step.valid, 0);
        UInt entriesAccumulator = regNext("entries_accumulator", step.payload.accumulator());
        Bool entriesFirst = regNext("entries_first", step.payload.first());
        Bool entriesLast = regNext("entries_last", step.payload.last());

        // ---- the signed sum of the T entries (value, negate); the step's side data travels alongside ----
        SInt sum;
        Bool sumNegate;
        Bool sumValid;
        int treeLatency = 0;
        if (tables == 1) {
            sum = entries.get(0);
            sumNegate = entriesNegate.get(0);
            sumValid = entriesValid;
        } else {
            AddSubTree tree = instance("adder_tree", new AddSubTree(tables, TlmmConfig.ENTRY_BITS, 2));
            tree.in.valid.set(entriesValid);
            for (int t = 0; t < tables; t++) {
                tree.in.payload.get(t).value().set(entries.get(t));
                tree.in.payload.get(t).negate().set(entriesNegate.get(t));
            }
            sum = tree.out.payload.value();
            sumNegate = tree.out.payload.negate();
            sumValid = tree.out.valid;
            treeLatency = tree.latency;
        }
        Bool sumFirst = Delay.of("sum_first", entriesFirst, treeLatency);
        Bool sumLast = Delay.of("sum_last", entriesLast, treeLatency);
        // The accumulator is read a cycle before the sum arrives: the address one stage early, then the group.
        UInt readAddress = treeLatency == 0 ? step.payload.accumulator()
                : Delay.of("sum_accumulator", entriesAccumulator, treeLatency - 1);
        UInt group = treeLatency == 0 ? entriesAccumulator : regNext("sum_group", readAddress);

        // ---- accumulate: read a cycle ahead, add, write back; a bypass covers back-to-back use ----
        int depth = config.accumulators();
        // From 8 Kbit on, block RAM (a RAMB18E2 holds 512 x 36); in LUT RAM 8 Kbit would take some 160 LUTs a lane.
        RamStyle style = depth * TlmmConfig.ACCUMULATOR_BITS >= 8192 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED;
        Mem<SInt> accumulators = mem("accumulators", sint(TlmmConfig.ACCUMULATOR_BITS), depth).style(style);
        SInt stored = accumulators.readSync("stored", readAddress);
        // Whether the accumulator read now is the one written in the previous cycle, decided a cycle ahead
        // (this cycle's write address against the next read's), so the add sees one select bit rather than
        // an address comparison per bit.
        Bool bypass = regNext("bypass", sumValid.and(group.eq(readAddress)), 0);
        SInt writtenValue = reg("written_value", sint(TlmmConfig.ACCUMULATOR_BITS));
        SInt previous = mux(bypass, writtenValue, stored).named("previous");
        // The first block starts from zero: the select goes before the adder, into its per-bit LUTs, and the
        // sum's sign into the adder (an add or a subtract; the sum is widened first, so negating it is exact).
        SInt base = mux(sumFirst, S(0, TlmmConfig.ACCUMULATOR_BITS), previous).named("base");
        SInt total = AddSubTree.addOrSubtract(base, sum.sext(TlmmConfig.ACCUMULATOR_BITS), sumNegate, "accumulate")
                .trunc(TlmmConfig.ACCUMULATOR_BITS).named("total");
        when(sumValid, () -> accumulators.write(group, total));
        writtenValue.set(total);
        result.valid.set(regNext("result_q_valid", sumValid.and(sumLast), 0));
        result.payload.set(regNextWhen("result_q_value", total, sumValid.and(sumLast)));
    }
}
