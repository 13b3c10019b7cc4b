package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.Fp32SerialTree;
import java.util.ArrayList;
import java.util.List;

/**
 * The score pass of an {@link AttentionUnit} (NUMERICS.md N15.1): {@code s = dot(q, k_t) * C} for every slot's
 * query and every key row it attends to, with N5's lane order over the head dimension.
 *
 * <p><b>Schedule.</b> The pass works in <em>pass beats</em>: P beats of a row (P x W values, one beat from each of
 * a loader's P memories), a pass beat a cycle. For each chunk of key rows in the buffers, for each slot, the
 * slot's rows of the chunk are taken {@link AttentionShape#interleave A} at a time and read pass-beat-major: pass
 * beat k of rows r .. r + A - 1, then pass beat k + 1 of the same rows. A pass beat's P x W products go into the
 * partials of lane group {@code k mod (L / PW)} of its row, and the same row and group come round A x L / PW
 * cycles later, after the adder's result is back, so a pass beat is taken every cycle. With an odd d / W and two
 * ports, the last pass beat's second beat is past the row: its lanes write nothing. Rows past the slot's context
 * are never read (the causal mask of a prefill block), and turns of rows past the chunk's end are empty cycles.
 * When a row's last pass beat is added, its L partials (lanes no element reached count as +0.0) go into the
 * pairwise tree (N5.2) and are multiplied by C. With {@link AttentionShape#serialTrees} the tree has P adders
 * on its first level and one on each above ({@link Fp32SerialTree}) and takes a row every L / 2P cycles: a turn
 * lasts at least that many pass beats a row (a short row's turn ends with empty beats), and the tree's queue
 * holds a turn's rows, which launch on consecutive cycles; otherwise it is a full tree taking a row a cycle.
 */
final class ScoreEngine extends Area {
    /** A score: the slot's place in the per-slot stores, its position and the value (binary32 bits). */
    record Score(UInt slot, UInt position, Bits value) {}

    /** Each score as it leaves the tree. */
    final Flow<Score> scores;
    /** Event: the engine has finished reading a chunk. */
    final Bool chunkFinished;
    /** The loader of the chunk being read (of {@link #chunkFinished}'s). */
    final UInt chunkLoader;
    /** Event: the last score of the pass has left. */
    final Bool finished;

    /**
     * @param command the command's fields (the score side's)
     * @param scale  the score scale C (binary32 bits)
     * @param start  event: the pass starts (chunk 0, slot 0)
     * @param progress the job's chunks in the key loaders' buffers
     * @param keys     the key buffers' read port ({@link ChunkLoader#readPort}): a pass beat a read
     * @param queries  the query store's P memories (beat b of a slot's query in memory b mod P)
     */
    ScoreEngine(AttentionShape shape, CommandFields command, Bits scale, Bool start, ChunkProgress progress,
                BufferPort keys, List<Mem<Bits>> queries) {
        super("score_engine", "multiplies each slot's query with its key rows, row-interleaved beat by beat, and"
                + " adds each row's lane partials by the pairwise tree");
        int a = shape.interleave();
        int groups = shape.groups();
        int width = shape.passWidth();
        int beatWidth = shape.width();
        int ports = shape.ports();
        int lanes = shape.lanes();
        int turnBits = Math.max(1, log2Up(a));
        int groupBits = Math.max(1, log2Up(groups));
        // With the serial tree (a row every L / 2 cycles) a turn of rows lasts at least that many beats, the beats
        // past a short row's last being empty cycles.
        boolean serial = shape.serialTrees();
        // The serial tree's first level has P adders, so it keeps up with rows P times as short.
        int firstAdders = Math.min(ports, lanes / 2);
        int treeInterval = serial ? lanes / (2 * firstAdders) : 1;
        int beatBits = Math.max(shape.passBeatBits(), bitsFor(treeInterval));
        int rowBits = shape.chunkRowBits() + 1;
        int positionBits = shape.positionBits();

        // ---- Issue: chunk and slot (the walk), then row turn and beat.
        ChunkWalk walk = area(new ChunkWalk("score", shape, command, start, progress, a));
        chunkFinished = walk.chunkFinished;
        chunkLoader = walk.loader;
        // Pass beats of a row: d / (P x W) rounded up (the last one's later beats are past the row with an odd
        // d / W).
        UInt passBeats = PassBeats.perRow(shape, command.rowBeats()).named("score_pass_beats");
        UInt rowBase = reg("row_base", uint(rowBits), 0);
        UInt beat = reg("score_beat", uint(beatBits), 0);
        UInt turn = reg("turn", uint(turnBits), 0);
        UInt rowInChunk = rowBase.add(turn.resize(rowBits)).trunc(rowBits).named("row_in_chunk");
        Bool rowValid = rowInChunk.lt(walk.rowsHere).named("row_valid");
        Bool lastTurn = turn.eq(a - 1).named("last_turn");
        Bool lastRowBeat = beat.eq(passBeats.sub(1).trunc(beatBits)).named("last_row_beat");
        int wide = Math.max(8, beatBits);
        UInt rowBeats = passBeats.resize(wide);
        UInt turnBeats = serial ? mux(rowBeats.lt(treeInterval), U(treeInterval, wide), rowBeats).named("turn_beats")
                : rowBeats;
        // A turn's last beat, registered (for timing: the pass beats' rounding, the clamp and the subtraction lay
        // on the path into the walk's end of a slot). The command's fields are set at least a cycle before the
        // pass starts and held while it runs, so it is current whenever the walk steps.
        UInt lastBeatIndex = regNext("score_last_beat_index", (serial ? turnBeats : rowBeats).sub(1).trunc(wide));
        assertAlways(walk.step.not().or(lastBeatIndex.eq((serial ? turnBeats : rowBeats).sub(1).trunc(wide))),
                "ScoreEngine: the turn's last beat is current");
        Bool lastBeat = beat.resize(wide).eq(lastBeatIndex).named("last_beat");
        Bool realBeat = serial ? beat.resize(wide).lt(rowBeats).named("real_beat") : TRUE;
        // Whether the turn of rows reaches the slot's last row in the chunk, from flags (for timing: rowBase + A
        // against the rows lay on the path through the walk's step into the key buffers' enables): on a slot's
        // first turn the walk's own, on a later one a register set as the turn advances (the rows stay the same
        // until the slot is done).
        Bool firstTurns = reg("score_first_turns", bool(), 1);
        Bool laterTurnsDone = reg("score_later_turns_done", bool(), 0);
        Bool groupDone = mux(firstTurns, walk.rowsFitTurn, laterTurnsDone).named("turns_done");
        assertAlways(walk.active.not().or(groupDone.eq(rowBase.resize(rowBits + 1).add(a)
                        .ge(walk.rowsHere.resize(rowBits + 1)))), "ScoreEngine: the turns-done flag is current");
        // The row after the turn, rowBase + A, kept with rowBase (for timing: the sum lay on the path through the
        // walk's "rows landed" into its step and the key buffers' enables).
        UInt turnEnd = reg("score_turn_end", uint(rowBits), a);
        assertAlways(turnEnd.eq(rowBase.add(a).trunc(rowBits)), "ScoreEngine: the turn's end follows its first row");
        // A turn reads beats of its A rows: all of them (those the slot attends to) must have landed.
        walk.needRows.set(mux(groupDone, walk.rowsHere, turnEnd).named("score_turn_rows"));
        walk.finishing.set(lastTurn.and(lastBeat).and(groupDone));
        walk.needMoves.set(lastTurn.and(lastBeat));
        Bool issueDone = walk.done;
        when(start.or(walk.slotDone), () -> {
            rowBase.set(0);
            turnEnd.set(a);
            beat.set(0);
            turn.set(0);
            firstTurns.set(true);
        }).elseWhen(walk.step, () -> {
            turn.set(turn.add(1).trunc(turnBits));
            when(lastTurn, () -> beat.set(beat.add(1).trunc(beatBits)));
            when(lastTurn.and(lastBeat), () -> {
                beat.set(0);
                rowBase.set(turnEnd);
                turnEnd.set(turnEnd.add(a).trunc(rowBits));
                firstTurns.set(false);
                laterTurnsDone.set(rowBase.resize(rowBits + 1).add(2 * a).ge(walk.rowsHere.resize(rowBits + 1)));
            });
        });

        Bool issue = (serial ? walk.step.and(walk.any).and(rowValid).and(realBeat) : walk.step.and(walk.any).and(rowValid))
                .named("score_issue");
        UInt chunkAddress = walk.bufferAddress(shape, rowInChunk.resize(rowBits - 1), beat)
                .named("key_read_address");
        UInt queryAddress = cat(walk.slots.physical, beat.resize(shape.passStrideBits())).asUInt()
                .resize(log2Up(shape.queryStoreWords())).named("query_read_address");
        // A beat past the row (the last pass beat's second, with an odd d / W) neither adds nor reaches the sum.
        Bits presentBeats = PassBeats.present(shape, beat, command.rowBeats()).named("score_present_beats");

        // ---- Datapath: the W shared multiply-add lanes into the interleaved rows' partials.
        Pipeline pipe = new Pipeline("score_issue", issue);
        Timed<UInt> slotT = pipe.input("issue_slot", walk.slots.physical);
        Timed<UInt> rowT = pipe.input("issue_row",
                walk.chunkStart.add(rowInChunk.resize(positionBits)).trunc(positionBits));
        Timed<UInt> turnT = pipe.input("issue_turn", turn);
        // A pass beat's lane group is its beat mod L / PW: always group 0 when a pass beat covers all L lanes.
        Timed<UInt> groupT = pipe.input("issue_group", groups == 1 ? U(0, 1) : beat.resize(groupBits));
        Timed<Bool> firstT = pipe.input("issue_first", groups > shape.maxPassBeats() ? bool(true) : beat.lt(groups));
        Timed<Bool> rowLastT = pipe.input("issue_row_last", lastRowBeat);
        Timed<Bits> presentT = pipe.input("issue_present", presentBeats);
        keys.address().set(chunkAddress);
        keys.enable().set(issue);
        List<Bits> queryBeats = new ArrayList<>();
        for (int p = ports - 1; p >= 0; p--) {
            queryBeats.add(queries.get(p).readSync("query_read" + (ports > 1 ? "_" + p : ""), queryAddress, issue,
                    keys.latency()));
        }
        Bits queryWord = cat(queryBeats.toArray(new Bits[0])).named("query_word_read");
        Timed<Bits> keyT = pipe.at(keys.latency(), "key_word", keys.data());
        Timed<Bits> queryT = pipe.at(keys.latency(), "query_word", queryWord);

        // The interleaved rows' partials: per multiply-add lane e, one LUT-RAM word per (turn, group) entry,
        // written as its sum comes back and read twice, for the addend and for a launched row's snapshot (48 LUTs
        // a lane in Yosys, where registers and two multiplexers took about 200). Every entry a row reads is
        // written first (its first pass beat writes all lanes; lanes no element reaches are zeroed below), so
        // the memories need no reset.
        int entries = a * groups;
        int entryBits = Math.max(1, log2Up(entries));
        List<Mem<Bits>> partials = new ArrayList<>();   // [lane e], word t x groups + g
        for (int e = 0; e < width; e++) {
            partials.add(mem("partials_" + e, bits(32), 1 << entryBits).style(RamStyle.DISTRIBUTED));
        }
        // The products (of stored values, exact: MacLanes) and sums are this pass's own lanes: operands at
        // macCycle, addends as the products land (addCycle), sums at sumCycle.
        MacLanes lanesOf = area(new MacLanes("score_mac", width, MacLanes.Operands.stored(shape.format())));
        MacLanes.Port mac = lanesOf.port;
        List<Timed<Bits>> sums = new ArrayList<>();
        int macCycle = keys.latency();
        mac.valid().set(pipe.valid(macCycle));
        for (int e = 0; e < width; e++) {
            final int lo = 16 * e;
            mac.a().get(e).set(queryT.value().slice(lo + 15, lo));
            mac.b().get(e).set(keyT.value().slice(lo + 15, lo));
        }
        int addCycle = macCycle + lanesOf.addendCycle;
        // The addend is read from the LUT RAM a cycle before the add, into a register (for timing: the RAM's clock
        // to out and the first beat's zero before the adder's compare), so an entry is read a cycle after its
        // last write at the earliest: a turn of A rows spans Fp32Add.LATENCY + 2 beats (AttentionShape#interleave).
        int readCycle = addCycle - 1;
        UInt entryAtRead = (groups == 1 ? turnT.at(readCycle)
                : cat(turnT.at(readCycle), groupT.at(readCycle)).asUInt()).resize(entryBits).named("read_entry");
        for (int e = 0; e < width; e++) {
            String l = "key_lane" + e;
            Bits current = partials.get(e).readAsync(entryAtRead).named(l + "_partial");
            Timed<Bits> addend = pipe.at(readCycle, l + "_addend", mux(firstT.at(readCycle), B(0, 32), current));
            mac.addend().get(e).set(addend.at(addCycle));
            sums.add(pipe.at(macCycle + lanesOf.latency, l + "_sum", mac.sum().get(e)));
        }
        int sumCycle = macCycle + lanesOf.latency;
        Bool sumValid = pipe.valid(sumCycle);
        UInt turnAtSum = turnT.at(sumCycle);
        UInt groupAtSum = groupT.at(sumCycle);
        Bits presentAtSum = presentT.at(sumCycle);
        UInt entryAtSum = (groups == 1 ? turnAtSum : cat(turnAtSum, groupAtSum).asUInt()).resize(entryBits)
                .named("sum_entry");
        for (int e = 0; e < width; e++) {
            Mem<Bits> partial = partials.get(e);
            Bits sum = sums.get(e).value();
            Bool written = ports == 1 ? sumValid : sumValid.and(presentAtSum.asUInt().bit(e / beatWidth));
            when(written, () -> partial.write(entryAtSum, sum));
        }
        Bool launch = sumValid.and(rowLastT.at(sumCycle)).named("row_launch");
        List<Bits> snapshot = new ArrayList<>();
        for (int j = 0; j < lanes; j++) {
            int g = j / width;
            int e = j % width;
            UInt heldEntry = (groups == 1 ? turnAtSum : cat(turnAtSum, U(g, groupBits)).asUInt()).resize(entryBits);
            Bits held = partials.get(e).readAsync(heldEntry).named("held_" + j);
            Bool fresh = groupAtSum.eq(g);
            if (ports > 1) {
                fresh = fresh.and(presentAtSum.asUInt().bit(e / beatWidth));
            }
            Bits latest = mux(fresh, sums.get(e).value(), held);
            // Lane j is reached when the row has an element j: d / W > j / W.
            snapshot.add(mux(command.rowBeats().gt(j / beatWidth), latest, B(0, 32)).named("row_partial_" + j));
        }

        if (serial) {
            SerialSums summed = serialTree(lanes, firstAdders, a, launch, snapshot, slotT.at(sumCycle),
                    rowT.at(sumCycle), scale, issueDone, sumCycle);
            scores = summed.scores();
            finished = summed.finished();
        } else {
            // ---- The tree over a row's L partials, one row per cycle, and the scale.
            Pipeline tree = new Pipeline("row_launch", launch);
            List<Timed<Bits>> level = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                level.add(tree.input("tree_in_" + j, snapshot.get(j)));
            }
            Timed<Bits> score = Fp32Mul.apply("scaled", Fp32Add.tree("tree", level), tree.steady(scale));
            int out = score.cycle();
            scores = new Flow<>(tree.valid(out), new Score(tree.input("tree_slot", slotT.at(sumCycle)).at(out),
                    tree.input("tree_row", rowT.at(sumCycle)).at(out), score.value()));
            // The pass ends when the last issued row has left the tree (the pipeline never stalls).
            finished = Delay.valid("score_pass_finished", issueDone, sumCycle + out + 2);
        }
    }

    /** The scores and the end of the pass, from the serial tree. */
    private record SerialSums(Flow<Score> scores, Bool finished) {}

    /**
     * The tree over a row's L partials with one adder a level, and the scale. A turn launches its rows on
     * consecutive cycles and lasts at least a row per tree interval, so the queue holds a turn's A rows; the pass
     * ends when the last issued row has left the tree and the scale.
     */
    private static SerialSums serialTree(int lanes, int firstAdders, int turnRows, Bool launch, List<Bits> snapshot,
            UInt slot, UInt row, Bits commandScale, Bool issueDone, int sumCycle) {
        int tagBits = widthOf(slot) + widthOf(row);
        Fp32SerialTree tree = Hdl.instance("score_tree", new Fp32SerialTree(lanes, tagBits, turnRows + 1,
                firstAdders));
        tree.in.valid.set(launch);
        for (int j = 0; j < lanes; j++) {
            tree.in.payload.values().get(j).set(snapshot.get(j));
        }
        tree.in.payload.tag().set(cat(slot, row));
        Pipeline scale = new Pipeline("row_summed", tree.out.valid);
        Timed<Bits> score = Fp32Mul.apply("scaled", scale.input("row_sum", tree.out.payload.sum()),
                scale.steady(commandScale));
        int out = score.cycle();
        Bits tag = scale.input("row_tag", tree.out.payload.tag()).at(out);
        int rowBits = widthOf(row);
        Flow<Score> scores = new Flow<>(scale.valid(out), new Score(tag.slice(tagBits - 1, rowBits).asUInt(),
                tag.slice(rowBits - 1, 0).asUInt(), score.value()));
        Bool draining = reg("score_draining", bool(), 0);
        Bool drained = draining.and(tree.idle).named("score_drained");
        when(Delay.valid("score_rows_launched", issueDone, sumCycle + 1), () -> draining.set(true))
                .elseWhen(drained, () -> draining.set(false));
        return new SerialSums(scores, Delay.valid("score_pass_finished", drained, out + 2));
    }
}
