package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpExp;
import dev.tellmej.hdl.lib.fp.FpFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The value pass of an {@link AttentionUnit}, with the softmax fused into it (NUMERICS.md N15.3-5):
 * {@code o_i = st(sum_t(e_t * v_t[i]) * rz)} for every slot, where {@code e_t = exp(s_t + (-M))} (one RNE
 * subtraction, then N9's exp), Z is N5's sum of the weights and {@code rz = reciprocal(Z)} (N10), and the sums
 * over positions are N5's with L lanes (lane j takes positions j, j + L, ... from +0.0) and the pairwise tree.
 *
 * <p><b>Weights.</b> As a row's pass beats issue, its score is read from the score buffer and goes through the
 * subtraction and the exp beside the value word; at the row's first pass beat the weight is also added into Z's
 * lane {@code t mod L} of the slot (a small LUT RAM of slots x L sums, read, added to and written back).
 *
 * <p><b>Accumulate.</b> For each chunk of value rows in the buffers, for each slot, the slot's rows of the chunk
 * stream a pass beat (P beats, P x W values) a cycle with the slot's weight of the row from the score buffer;
 * element i's partial of lane {@code t mod L} lives in bank {@code i mod PW} at {@code (slot, i div PW, lane)}:
 * it is read, added to and written back, and the same partial comes round no sooner than L rows later. With an
 * odd d / W and two ports, the last pass beat's second beat is past the row and its banks are not written.
 *
 * <p><b>Reduce.</b> The {@link Reduction} of the command before (its own command, {@code reduceCommand}) reads
 * the partials and Z's lanes while this pass adds into its own: they are two sets of memories
 * ({@link AttentionShape#slotSets}), the slots below half the unit's and the rest, each with its own read port;
 * the two commands' slots must be in different sets (the unit's value side waits for the reduction otherwise), so
 * the value pass and the reduction never read one set in the same cycle.
 */
final class ValueEngine extends Area {
    /** Event: the engine has finished reading a chunk. */
    final Bool chunkFinished;
    /** The loader of the chunk being read (of {@link #chunkFinished}'s). */
    final UInt chunkLoader;
    /** Event: the accumulation is over (the last issued pass beat's partials and its row's Z lane are written). */
    final Bool accumulated;
    /** Event: every output of the reduced command has left ({@link Reduction#finished}). */
    final Bool finished;

    /**
     * @param command the command's fields (the value side's)
     * @param start   event: the pass starts (chunk 0, slot 0)
     * @param progress the job's chunks in the value loaders' buffers
     * @param values  the value buffers' read port ({@link ChunkLoader#readPort}): a pass beat a read
     * @param scores  the score buffer's read port (the scores of the score pass)
     * @param maxima  each slot's maximum score M (binary32 bits; the value side's slots are not rewritten while
     *                its pass runs)
     * @param reduceCommand the fields of the command being reduced (its slots in the other set than
     *                      {@code command}'s while both run)
     * @param reduceStart   event: the reduction of {@code reduceCommand} starts (its accumulation is over)
     */
    ValueEngine(AttentionShape shape, CommandFields command, Bool start, ChunkProgress progress, BufferPort values,
                BufferPort scores, List<Bits> maxima, CommandFields reduceCommand, Bool reduceStart,
                Stream<Vec<Bits>> out) {
        super("value_engine", "adds each slot's weighted value rows into per-lane partials, then reduces them by the"
                + " pairwise tree, normalizes, rounds and sends each slot's output");
        int width = shape.width();
        int ports = shape.ports();
        int passWidth = shape.passWidth();
        int lanes = shape.lanes();
        int laneBits = log2Up(lanes);
        int strideBits = shape.passStrideBits();
        int passBeatBits = shape.passBeatBits();
        int rowBits = shape.chunkRowBits() + 1;
        int positionBits = shape.positionBits();
        int bankBits = log2Up(shape.partialBankWords());
        int setCount = shape.slotSets();
        List<List<Mem<Bits>>> banks = new ArrayList<>();   // [set][element]
        // Z's lane sums (N15.4): lane t mod L of each slot adds e_t, from +0.0 at the slot's first position.
        int zBits = log2Up(shape.setSlots() * lanes);
        List<Mem<Bits>> zLanes = new ArrayList<>();
        for (int h = 0; h < setCount; h++) {
            String set = setCount > 1 ? "_s" + h : "";
            List<Mem<Bits>> setBanks = new ArrayList<>();
            for (int e = 0; e < passWidth; e++) {
                setBanks.add(mem("partials" + set + "_" + e, bits(32), shape.partialBankWords())
                        .style(shape.partialBankWords() >= 64 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED));
            }
            banks.add(setBanks);
            zLanes.add(mem("z_lanes" + set, bits(32), shape.setSlots() * lanes).style(RamStyle.DISTRIBUTED));
        }

        // ---- Issue: chunk and slot (the walk), then row and beat.
        ChunkWalk walk = area(new ChunkWalk("value", shape, command, start, progress, 1));
        chunkFinished = walk.chunkFinished;
        chunkLoader = walk.loader;
        UInt passBeats = PassBeats.perRow(shape, command.rowBeats()).named("value_pass_beats");
        UInt row = reg("value_row", uint(rowBits), 0);
        UInt beat = reg("value_beat", uint(passBeatBits), 0);
        // A row's last pass beat, registered as the score pass's is (the fields are copied a cycle before the pass
        // starts and held while it runs).
        UInt lastBeatIndex = regNext("value_last_beat_index", passBeats.sub(1).trunc(passBeatBits));
        assertAlways(walk.step.not().or(lastBeatIndex.eq(passBeats.sub(1).trunc(passBeatBits))),
                "ValueEngine: the row's last beat is current");
        Bool lastBeat = beat.eq(lastBeatIndex).named("value_last_beat");
        Bool lastRow = row.eq(walk.rowsHere.sub(1).trunc(rowBits)).named("value_last_row");
        walk.finishing.set(lastBeat.and(lastRow));
        walk.needMoves.set(lastBeat);
        // row + 1, kept with the row (for timing: the sum lay on the path through the walk's "rows landed" into its
        // step and the partials' address).
        UInt rowAfter = reg("value_row_after", uint(rowBits), 1);
        assertAlways(rowAfter.eq(row.add(1).trunc(rowBits)), "ValueEngine: the row after follows the row");
        walk.needRows.set(mux(walk.any, rowAfter, U(0, rowBits)).named("value_row_needs"));
        Bool issueDone = walk.done;
        when(start.or(walk.slotDone), () -> {
            row.set(0);
            rowAfter.set(1);
            beat.set(0);
        }).elseWhen(walk.step, () -> {
            beat.set(beat.add(1).trunc(passBeatBits));
            when(lastBeat, () -> {
                beat.set(0);
                row.set(rowAfter);
                rowAfter.set(rowAfter.add(1).trunc(rowBits));
            });
        });
        Bool issue = walk.step.and(walk.any).named("value_issue");
        UInt position = walk.chunkStart.add(row.resize(positionBits)).trunc(positionBits).named("value_position");
        values.address().set(walk.bufferAddress(shape, row.resize(rowBits - 1), beat)
                .resize(widthOf(values.address())));
        values.enable().set(issue);
        scores.address().set(cat(walk.slots.physical, position.resize(shape.positionIndexBits())).asUInt()
                .resize(widthOf(scores.address())));
        scores.enable().set(issue);

        // ---- Accumulate: W products (the shared multiply-add lanes) into the partials of lane position mod L.
        Pipeline pipe = new Pipeline("value_issue", issue);
        SlotSet issueSet = SlotSet.of("value_issue", shape, walk.slots.physical);
        UInt address = cat(issueSet.local(), beat.resize(strideBits),
                position.resize(laneBits)).asUInt().resize(bankBits)
                .named("partial_address");
        Timed<UInt> addressT = pipe.input("accumulate_address", address);
        Timed<Bool> setT = pipe.input("accumulate_set", issueSet.second());
        Timed<Bool> freshT = pipe.input("accumulate_fresh", position.lt(lanes));
        Timed<Bool> rowFirstT = pipe.input("row_first_beat", beat.eq(0));
        Timed<UInt> zAddressT = pipe.input("z_address", cat(issueSet.local(), position.resize(laneBits)).asUInt()
                .resize(zBits));
        Bits slotMax = maxima.size() == 1 ? maxima.getFirst() : new Vec<>(maxima).get("slot_max", walk.slots.physical);
        Timed<Bits> negatedMax = pipe.input("row_negated_max", FpFormat.FP32.negate(slotMax));
        // With an odd d / W the last pass beat's later beats are past the row: their lanes write nothing.
        Timed<Bits> presentT = pipe.input("value_present", PassBeats.present(shape, beat, command.rowBeats()));
        Timed<Bits> valueT = pipe.at(values.latency(), "value_word", values.data());
        // The weight of the row, e_t = exp(s_t + (-M)) (N15.3: one RNE subtraction, then N9's exp), computed as the
        // row's score is read: the softmax is fused into the value pass.
        Timed<Bits> scoreT = pipe.at(scores.latency(), "row_score", scores.data());
        Timed<Bits> weightT = FpExp.apply("row_weight", Fp32Add.apply("row_shifted", scoreT, negatedMax));
        // The products and sums are this pass's own lanes (MacLanes): operands at macCycle, addends as the
        // products land (addCycle), sums at sumCycle.
        MacLanes lanesOf = area(new MacLanes("value_mac", passWidth,
                MacLanes.Operands.weightsByStored(shape.format())));
        MacLanes.Port mac = lanesOf.port;
        List<Timed<Bits>> vs = new ArrayList<>();
        int macCycle = weightT.cycle();
        for (int e = 0; e < passWidth; e++) {
            final int lo = 16 * e;
            vs.add(FpConvert.toFp32("value_lane" + e + "_v", shape.format(), valueT.map(w -> w.slice(lo + 15, lo)))
                    .named("value_lane" + e + "_v"));
            macCycle = Math.max(macCycle, vs.getLast().cycle());
        }
        mac.valid().set(pipe.valid(macCycle));
        for (int e = 0; e < passWidth; e++) {
            mac.a().get(e).set(weightT.at(macCycle));
            mac.b().get(e).set(vs.get(e).at(macCycle));
        }
        int addCycle = macCycle + lanesOf.addendCycle;
        // The partial read lands, through the block RAM's output register, a cycle before the product does: the
        // set's pick and the first row's zero go into a register in front of the adder (for timing: they lay in
        // front of its first stage's compare). A partial is read again L rows later, long after its sum is
        // written.
        int landCycle = addCycle - 1;
        int readCycle = landCycle - AttentionShape.PARTIAL_READ_LATENCY;
        UInt accumulateRead = addressT.at(readCycle);
        Bool accumulateEnable = pipe.valid(readCycle);
        // Z's lanes add each row's weight once, at the row's first pass beat, as the weight comes out of the exp;
        // the sum so far is read (LUT RAM) and picked a cycle earlier still, into a register, as the partials are.
        int zCycle = weightT.cycle();
        int zReadCycle = zCycle - 2;
        Bool zAccumulateEnable = pipe.valid(zReadCycle).and(rowFirstT.at(zReadCycle)).named("z_read_enable");

        // ---- Reduce: the command before this pass's (its own stage), reading each set's port when this pass
        // does not use it.
        List<List<Bits>> gatherData = new ArrayList<>();   // [set][element]
        List<Bits> zGatherData = new ArrayList<>();
        for (int h = 0; h < setCount; h++) {
            String set = setCount > 1 ? "_s" + h : "";
            List<Bits> data = new ArrayList<>();
            for (int e = 0; e < passWidth; e++) {
                data.add(wire("gather_data" + set + "_" + e, bits(32)));
            }
            gatherData.add(data);
            zGatherData.add(wire("z_gather_data" + set, bits(32)));
        }
        Reduction reduction = area(new Reduction(shape, reduceCommand, reduceStart, gatherData, zGatherData, out));
        Reduction.Reads gathers = reduction.reads;
        finished = reduction.finished;
        List<Bits> zReads = new ArrayList<>();
        List<List<Bits>> setReads = new ArrayList<>();   // [set][element]
        for (int h = 0; h < setCount; h++) {
            String set = setCount > 1 ? "_s" + h : "";
            Bool zMine = SlotSet.is(setT.at(zReadCycle), h).and(zAccumulateEnable).named("z_accumulate_read" + set);
            Bool zTheirs = SlotSet.is(gathers.zSecond(), h).and(gathers.zGathering()).named("z_gather_read" + set);
            assertAlways(zMine.and(zTheirs).not(), "AttentionUnit: the value pass and the reduction read one set of"
                    + " Z's lanes");
            UInt zAddress = mux(zMine, zAddressT.at(zReadCycle), gathers.zAddress())
                    .named("z_lanes_read_address" + set);
            Bits zData = zLanes.get(h).readSync("z_lanes_read" + set, zAddress, zMine.or(zTheirs), 1);
            zReads.add(zData);
            zGatherData.get(h).set(zData);
            Bool mine = SlotSet.is(setT.at(readCycle), h).and(accumulateEnable).named("bank_accumulate_read" + set);
            Bool theirs = SlotSet.is(gathers.gatherSecond(), h).and(gathers.gathering()).named("bank_gather_read" + set);
            assertAlways(mine.and(theirs).not(), "AttentionUnit: the value pass and the reduction read one set of"
                    + " partials");
            UInt bankAddress = mux(mine, accumulateRead, gathers.gatherAddress()).named("bank_read_address" + set);
            List<Bits> reads = new ArrayList<>();
            for (int e = 0; e < passWidth; e++) {
                Bits data = banks.get(h).get(e).readSync("bank_read" + set + "_" + e, bankAddress, mine.or(theirs),
                        AttentionShape.PARTIAL_READ_LATENCY);
                reads.add(data);
                gatherData.get(h).get(e).set(data);
            }
            setReads.add(reads);
        }
        Bits zRead = SlotSet.pick("z_accumulated", setT.at(zReadCycle + 1), zReads);
        Timed<Bits> zCurrent = pipe.at(zReadCycle + 1, "z_current", mux(freshT.at(zReadCycle + 1), B(0, 32), zRead));
        Timed<Bits> zSum = Fp32Add.apply("z_sum", zCurrent.stage("z_current_q"), weightT);
        Bool zWrite = pipe.valid(zSum.cycle()).and(rowFirstT.at(zSum.cycle())).named("z_write");
        UInt zWriteAddress = zAddressT.at(zSum.cycle());
        Bool zWriteSet = setT.at(zSum.cycle());
        for (int h = 0; h < setCount; h++) {
            Mem<Bits> zSet = zLanes.get(h);
            when(zWrite.and(SlotSet.is(zWriteSet, h)), () -> zSet.write(zWriteAddress, zSum.value()));
        }
        List<Timed<Bits>> sums = new ArrayList<>();
        Bool landSet = setT.at(landCycle);
        for (int e = 0; e < passWidth; e++) {
            List<Bits> ofElement = new ArrayList<>();
            for (List<Bits> reads : setReads) {
                ofElement.add(reads.get(e));
            }
            Bits current = SlotSet.pick("value_lane" + e + "_partial", landSet, ofElement);
            Timed<Bits> addend = pipe.at(landCycle, "value_lane" + e + "_addend",
                    mux(freshT.at(landCycle), B(0, 32), current));
            mac.addend().get(e).set(addend.at(addCycle));
            sums.add(pipe.at(macCycle + lanesOf.latency, "value_lane" + e + "_sum", mac.sum().get(e)));
        }
        int sumCycle = macCycle + lanesOf.latency;
        Bool write = pipe.valid(sumCycle);
        UInt writeAddress = addressT.at(sumCycle);
        Bool writeSet = setT.at(sumCycle);
        Bits presentAtSum = presentT.at(sumCycle);
        for (int h = 0; h < setCount; h++) {
            Bool inSet = write.and(SlotSet.is(writeSet, h)).named("partial_write" + (setCount > 1 ? "_s" + h : ""));
            for (int e = 0; e < passWidth; e++) {
                Mem<Bits> bank = banks.get(h).get(e);
                Bits sum = sums.get(e).value();
                Bool written = ports == 1 ? inSet : inSet.and(presentAtSum.asUInt().bit(e / width));
                when(written, () -> bank.write(writeAddress, sum));
            }
        }
        // The accumulation is over when the last issued beat's partials (and its row's Z lane) are written.
        accumulated = Delay.valid("accumulated_last", issueDone, Math.max(sumCycle, zSum.cycle()) + 2);
    }
}
