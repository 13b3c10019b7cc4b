package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.Fp32SerialTree;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpExp;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.hdl.lib.fp.FpReciprocal;
import dev.tellmej.hdl.lib.fp.FpSchedule;
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
 * <p><b>Reduce.</b> Then, slot by slot: Z's L lanes go through the pairwise tree (lanes no position reached
 * count as +0.0) and the reciprocal gives the slot's rz; then pass beat by pass beat, the L partials of its P x W
 * elements are gathered (a read of the PW banks gives one lane of every element), each element's go through the
 * same tree, one multiply by rz and storage rounding, and every W elements leave as an output beat on the output
 * stream (elements of a pass beat's absent beat, with an odd d / W, are not pushed).
 *
 * <p><b>Accumulation beside a reduction.</b> The reduction has its own command ({@code reduceCommand}): a
 * command whose accumulation is over is reduced while the next command's value pass adds into its partials. The
 * partials and Z's lanes are two sets of memories ({@link AttentionShape#slotSets}), the slots below half the
 * unit's and the rest, each with its own read port: the two commands' slots must be in different sets (the
 * unit's value side waits for the reduction otherwise), so the value pass and the gathers never read one set in
 * the same cycle.
 */
final class ValueEngine extends Area {
    /**
     * The reduction's phases, per slot: Z_GATHER and Z_PUSH put the slot's L lane sums of Z through the tree;
     * then GATHER and PUSH for each pass beat (the first gathered while the reciprocal of Z is formed, its push
     * waiting for rz), FLUSH until the slot's beats have left.
     */
    enum Reduce { IDLE, Z_GATHER, Z_PUSH, GATHER, PUSH, FLUSH }

    /**
     * First-level adders of the serial reduce tree: 8 adders instead of 15 at L = 16, a vector every L / 8 cycles,
     * so a pass beat of PW = 16 elements takes 32 cycles in the tree, about its gather and push (33), the next
     * pass beat's gather overlapping with the tree's work on this one's. (With 2, when a gather took W = 8
     * elements, kv260's bitnet_b1_58-large heads took 3 % more cycles in decode at context 128 and 5 % more in a
     * 128-token prefill than with 4.)
     */
    static final int SERIAL_FIRST_ADDERS = 4;

    /** Event: the engine has finished reading a chunk. */
    final Bool chunkFinished;
    /** The loader of the chunk being read (of {@link #chunkFinished}'s). */
    final UInt chunkLoader;
    /** Event: the accumulation is over (the last issued pass beat's partials and its row's Z lane are written). */
    final Bool accumulated;
    /** Event: every slot's output of the reduced command has left. */
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
        int beatBits = shape.beatBits();
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
        ChunkWalk walk = area(new ChunkWalk("value", shape, command, start, progress));
        chunkFinished = walk.chunkFinished;
        chunkLoader = walk.loader;
        UInt passBeats = PassBeats.perRow(shape, command.rowBeats()).named("value_pass_beats");
        UInt row = reg("value_row", uint(rowBits), 0);
        UInt beat = reg("value_beat", uint(passBeatBits), 0);
        Bool lastBeat = beat.eq(passBeats.sub(1).trunc(passBeatBits)).named("value_last_beat");
        Bool lastRow = row.eq(walk.rowsHere.sub(1).trunc(rowBits)).named("value_last_row");
        walk.finishing.set(lastBeat.and(lastRow));
        walk.needRows.set(mux(walk.any, row.add(1).trunc(rowBits), U(0, rowBits)).named("value_row_needs"));
        Bool issueDone = walk.done;
        when(start.or(walk.slotDone), () -> {
            row.set(0);
            beat.set(0);
        }).elseWhen(walk.step, () -> {
            beat.set(beat.add(1).trunc(passBeatBits));
            when(lastBeat, () -> {
                beat.set(0);
                row.set(row.add(1).trunc(rowBits));
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
        MacLanes lanesOf = area(new MacLanes("value_mac", passWidth, MacLanes.Operands.BINARY32));
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
        int readCycle = addCycle - 1;   // the partial read lands as the product does
        UInt accumulateRead = addressT.at(readCycle);
        Bool accumulateEnable = pipe.valid(readCycle);
        // Z's lanes add each row's weight once, at the row's first pass beat, as the weight comes out of the exp.
        int zCycle = weightT.cycle();
        Bool zAccumulateEnable = pipe.valid(zCycle - 1).and(rowFirstT.at(zCycle - 1)).named("z_read_enable");

        // ---- Reduce: slot by slot, beat by beat.
        HwEnum<Reduce> phase = reg("reduce_phase", enumOf(Reduce.class), Reduce.IDLE);
        Bool flushedEvent = wire("slot_flushed", bool());
        SlotWalker reduceWalker = area(new SlotWalker("reduce_slots", shape, reduceCommand, reduceStart,
                flushedEvent));
        SlotSet reduceSet = SlotSet.of("reduce", shape, reduceWalker.physical);
        UInt reducePositions = reduceWalker.positions;
        UInt reducePass = reg("reduce_pass_beat", uint(passBeatBits), 0);
        UInt reducePassBeats = PassBeats.perRow(shape, reduceCommand.rowBeats()).named("reduce_pass_beats");
        UInt index = reg("reduce_index", uint(bitsFor(lanes)), 0);
        Bool gathering = phase.is(Reduce.GATHER).and(index.lt(lanes)).named("gathering");
        Bool zGathering = phase.is(Reduce.Z_GATHER).and(index.lt(lanes)).named("z_gathering");
        // Each set's read port serves the value pass or the reduction, whichever has its slots there.
        UInt zGatherAddress = cat(reduceSet.local(), index.resize(laneBits)).asUInt().resize(zBits)
                .named("z_gather_address");
        UInt gatherAddress = cat(reduceSet.local(), reducePass.resize(strideBits),
                index.resize(laneBits)).asUInt().resize(bankBits).named("gather_address");
        List<Bits> zReads = new ArrayList<>();
        List<List<Bits>> setReads = new ArrayList<>();   // [set][element]
        for (int h = 0; h < setCount; h++) {
            String set = setCount > 1 ? "_s" + h : "";
            Bool zMine = SlotSet.is(setT.at(zCycle - 1), h).and(zAccumulateEnable).named("z_accumulate_read" + set);
            Bool zTheirs = SlotSet.is(reduceSet.second(), h).and(zGathering).named("z_gather_read" + set);
            assertAlways(zMine.and(zTheirs).not(), "AttentionUnit: the value pass and the reduction read one set of"
                    + " Z's lanes");
            UInt zAddress = mux(zMine, zAddressT.at(zCycle - 1), zGatherAddress).named("z_lanes_read_address" + set);
            zReads.add(zLanes.get(h).readSync("z_lanes_read" + set, zAddress, zMine.or(zTheirs), 1));
            Bool mine = SlotSet.is(setT.at(readCycle), h).and(accumulateEnable).named("bank_accumulate_read" + set);
            Bool theirs = SlotSet.is(reduceSet.second(), h).and(gathering).named("bank_gather_read" + set);
            assertAlways(mine.and(theirs).not(), "AttentionUnit: the value pass and the reduction read one set of"
                    + " partials");
            UInt bankAddress = mux(mine, accumulateRead, gatherAddress).named("bank_read_address" + set);
            List<Bits> reads = new ArrayList<>();
            for (int e = 0; e < passWidth; e++) {
                reads.add(banks.get(h).get(e).readSync("bank_read" + set + "_" + e, bankAddress, mine.or(theirs), 1));
            }
            setReads.add(reads);
        }
        Bits zRead = SlotSet.pick("z_accumulated", setT.at(zCycle), zReads);
        Timed<Bits> zSum = Fp32Add.apply("z_sum", pipe.at(zCycle, "z_current",
                mux(freshT.at(zCycle), B(0, 32), zRead)), weightT);
        Bool zWrite = pipe.valid(zSum.cycle()).and(rowFirstT.at(zSum.cycle())).named("z_write");
        UInt zWriteAddress = zAddressT.at(zSum.cycle());
        Bool zWriteSet = setT.at(zSum.cycle());
        for (int h = 0; h < setCount; h++) {
            Mem<Bits> zSet = zLanes.get(h);
            when(zWrite.and(SlotSet.is(zWriteSet, h)), () -> zSet.write(zWriteAddress, zSum.value()));
        }
        List<Timed<Bits>> sums = new ArrayList<>();
        Bool addSet = setT.at(addCycle);
        for (int e = 0; e < passWidth; e++) {
            List<Bits> ofElement = new ArrayList<>();
            for (List<Bits> reads : setReads) {
                ofElement.add(reads.get(e));
            }
            Bits current = SlotSet.pick("value_lane" + e + "_partial", addSet, ofElement);
            mac.addend().get(e).set(mux(freshT.at(addCycle), B(0, 32), current).named("value_lane" + e + "_addend"));
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

        // Gather: lane j of the pass beat's P x W elements (bank e holds element e) lands a cycle after its read.
        Bool readValid = regNext("gather_read_valid", gathering.or(zGathering), 0);
        Bool readZ = regNext("gather_read_z", zGathering, 0);
        UInt readLane = regNext("gather_read_lane", index.resize(laneBits), 0);
        Bool readSet = regNext("gather_read_set", reduceSet.second(), 0);
        Bits zGathered = SlotSet.pick("z_gathered", readSet, zReads);
        List<List<Bits>> gathered = new ArrayList<>();   // [element][lane]
        for (int e = 0; e < passWidth; e++) {
            List<Bits> partials = new ArrayList<>();
            List<Bits> ofElement = new ArrayList<>();
            for (List<Bits> reads : setReads) {
                ofElement.add(reads.get(e));
            }
            Bits partial = SlotSet.pick("gather_set_" + e, readSet, ofElement);
            // Element 0's registers also take Z's lanes, before the slot's first pass beat.
            final Bits read = e == 0 ? mux(readZ, zGathered, partial).named("gather_read_0") : partial;
            for (int j = 0; j < lanes; j++) {
                Bits p = reg("gathered_" + e + "_" + j, bits(32), 0);
                final int jj = j;
                when(readValid.and(readLane.eq(jj)), () -> p.set(read));
                partials.add(p);
            }
            gathered.add(partials);
        }
        Bool gatherDone = phase.is(Reduce.GATHER).and(index.eq(lanes)).named("gather_done");
        Bool zGatherDone = phase.is(Reduce.Z_GATHER).and(index.eq(lanes)).named("z_gather_done");

        // Push: element e's partials into the tree, one element a cycle (with serial trees, while the tree's queue
        // has room: the next pass beat's gather goes on while the tree works through this one's elements). The
        // elements of a pass beat's absent beat (its second, with an odd d / W) are not pushed.
        // Z's lanes go through the same tree (N5.2, as the element sums), tagged; its sum goes to the reciprocal.
        Bool zPushing = phase.is(Reduce.Z_PUSH);
        Bool rzKnown = reg("rz_known", bool(), 0);
        Bool pushing = phase.is(Reduce.PUSH).and(rzKnown).or(zPushing).named("pushing");
        int elementBits = Math.max(1, log2Up(passWidth));
        UInt element = index.resize(elementBits);
        Bits reducePresent = PassBeats.present(shape, reducePass, reduceCommand.rowBeats()).named("reduce_present");
        // The pass beat's last element: W x (its beats) - 1 (its beats are a prefix of the P).
        UInt lastElement = U(width - 1, elementBits);
        for (int p = 1; p < ports; p++) {
            lastElement = mux(reducePresent.asUInt().bit(p), U((p + 1) * width - 1, elementBits), lastElement);
        }
        lastElement = lastElement.named("reduce_last_element");
        Bits tag = cat(zPushing, element).named("reduce_tag");
        List<Bits> level = new ArrayList<>();
        for (int j = 0; j < lanes; j++) {
            List<Bits> laneJ = new ArrayList<>();
            for (int e = 0; e < passWidth; e++) {
                laneJ.add(gathered.get(e).get(j));
            }
            Bits chosen = passWidth == 1 ? laneJ.getFirst() : new Vec<>(laneJ).get("tree_pick_" + j, element);
            level.add(mux(reducePositions.gt(j), chosen, B(0, 32)).named("reduce_in_" + j));
        }
        Bool pushStep;
        Pipeline reduced;
        Timed<Bits> sum;
        Timed<Bits> sumTag;
        Bool treeOut;
        if (shape.serialTrees()) {
            Fp32SerialTree tree = Hdl.instance("reduce_tree",
                    new Fp32SerialTree(lanes, elementBits + 1, Math.max(2, passWidth), SERIAL_FIRST_ADDERS));
            pushStep = pushing.and(tree.ready).named("push_step");
            tree.in.valid.set(pushStep);
            assign(tree.in.payload.values(), new Vec<>(level));
            tree.in.payload.tag().set(tag);
            reduced = new Pipeline("reduced", tree.out.valid);
            sum = reduced.input("reduced_sum", tree.out.payload.sum());
            sumTag = reduced.input("reduced_tag", tree.out.payload.tag());
            treeOut = tree.out.valid;
        } else {
            pushStep = pushing;
            reduced = new Pipeline("push", pushing);
            List<Timed<Bits>> inputs = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                inputs.add(reduced.input("reduce_in_" + j, level.get(j)));
            }
            sum = Fp32Add.tree("reduce_tree", inputs);
            sumTag = reduced.input("push_tag", tag);
            treeOut = reduced.valid(sum.cycle());
        }
        Bool pushDone = pushStep.and(phase.is(Reduce.PUSH)).and(index.resize(elementBits).eq(lastElement))
                .named("push_done");
        Bool zPushed = pushStep.and(zPushing).named("z_pushed");
        Bool sumIsZ = sumTag.at(sum.cycle()).msb().named("reduced_is_z");
        // rz = reciprocal(Z) (N10), one slot's at a time: the beats wait for it.
        Pipeline zPipe = new Pipeline("z_reduced", treeOut.and(sumIsZ));
        Timed<Bits> rzT = FpReciprocal.apply("rz", zPipe.input("z", sum.at(sum.cycle())), FpSchedule.SHARED);
        Bool rzReady = zPipe.valid(rzT.cycle()).named("rz_ready");
        Bits slotRz = reg("slot_rz", bits(32), 0);
        when(rzReady, () -> {
            slotRz.set(rzT.value());
            rzKnown.set(true);
        });
        Timed<Bits> scaled = Fp32Mul.apply("normalized", sum, reduced.steady(slotRz));
        Timed<Bits> stored = FpConvert.fromFp32("stored_output", shape.format(), scaled);
        int outCycle = stored.cycle();
        Bits tagOut = sumTag.at(outCycle);
        Bool outValid = reduced.valid(outCycle).and(tagOut.msb().not()).named("element_out");
        // Element e of a pass beat is element e mod W of output beat e / W of it.
        UInt outElement = width == 1 ? U(0, 1) : tagOut.asUInt().resize(log2Up(width));
        List<Bits> word = new ArrayList<>();
        for (int e = 0; e < width; e++) {
            Bits w = reg("out_word_" + e, bits(16), 0);
            final int ee = e;
            when(outValid.and(outElement.eq(ee)), () -> w.set(stored.value()));
            word.add(w);
        }
        Bool beatReady = regNext("beat_assembled", outValid.and(outElement.eq(width - 1)), 0);
        Stream<Vec<Bits>> beats = wire("out_beat", Stream.of(vec(width, bits(16))));
        beats.valid.set(beatReady);
        assign(beats.payload, new Vec<>(word));
        Stream.Queued<Vec<Bits>> queued = beats.queue("out_queue", Math.max(2, shape.maxRowBeats()),
                RamStyle.DISTRIBUTED);
        queued.stream().connectTo(out);
        assertAlways(beatReady.not().or(beats.ready), "AttentionUnit: the output queue holds a slot's beats");
        UInt emitted = reg("beats_queued", uint(beatBits), 0);
        when(beatReady, () -> emitted.set(emitted.add(1).trunc(beatBits)));
        Bool flushed = phase.is(Reduce.FLUSH).and(emitted.eq(reduceCommand.rowBeats())).and(queued.occupancy().eq(0))
                .named("slot_flush_done");
        flushedEvent.set(flushed);
        finished = flushed.and(reduceWalker.last).named("value_pass_finished");

        when(phase.is(Reduce.GATHER).or(phase.is(Reduce.Z_GATHER)).or(pushStep),
                () -> index.set(index.add(1).trunc(widthOf(index))));
        when(reduceStart, () -> {
            phase.set(Reduce.Z_GATHER);
            reducePass.set(0);
            index.set(0);
        });
        when(zGatherDone, () -> {
            index.set(0);
            phase.set(Reduce.Z_PUSH);
        });
        when(zPushed, () -> {
            index.set(0);
            rzKnown.set(false);
            phase.set(Reduce.GATHER);
        });
        when(gatherDone, () -> {
            index.set(0);
            phase.set(Reduce.PUSH);
        });
        when(pushDone, () -> {
            index.set(0);
            reducePass.set(reducePass.add(1).trunc(passBeatBits));
            phase.set(Reduce.GATHER);
            when(reducePass.eq(reducePassBeats.sub(1).trunc(passBeatBits)), () -> phase.set(Reduce.FLUSH));
        });
        when(flushed, () -> {
            emitted.set(0);
            reducePass.set(0);
            index.set(0);
            phase.set(Reduce.Z_GATHER);
            when(finished, () -> phase.set(Reduce.IDLE));
        });
    }

    /**
     * A slot's set of the partials and Z's lanes ({@link AttentionShape#slotSets}) and its place within the set:
     * slots from {@link AttentionShape#secondSetBase} on are the second set's.
     *
     * @param second the slot is in the second set (always false with one set)
     * @param local  the slot's index within its set
     */
    private record SlotSet(Bool second, UInt local) {
        static SlotSet of(String name, AttentionShape shape, UInt physical) {
            int localBits = log2Up(shape.setSlots());
            if (shape.slotSets() == 1) {
                return new SlotSet(FALSE, physical.resize(localBits));
            }
            int base = shape.secondSetBase();
            Bool second = physical.ge(base).named(name + "_second_set");
            UInt local = mux(second, physical.sub(base).trunc(widthOf(physical)), physical).resize(localBits)
                    .named(name + "_set_slot");
            return new SlotSet(second, local);
        }

        /** Whether {@code second} names set {@code h}. */
        static Bool is(Bool second, int h) {
            return h == 1 ? second : second.not();
        }

        /** The value of the set {@code second} names, from one value per set. */
        static Bits pick(String name, Bool second, List<Bits> perSet) {
            return perSet.size() == 1 ? perSet.getFirst() : mux(second, perSet.get(1), perSet.get(0)).named(name);
        }
    }
}
