package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.HwEnum;
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
import dev.tellmej.hdl.lib.fp.FpReciprocal;
import dev.tellmej.hdl.lib.fp.FpSchedule;
import java.util.ArrayList;
import java.util.List;

/**
 * The reduction of a command's value partials (NUMERICS.md N15.4-5), the last stage of an {@link AttentionUnit}:
 * for each slot, {@code o_i = st(tree(partials of element i) * rz)} with {@code rz = reciprocal(tree(Z's lanes))},
 * the trees N5.2's pairwise tree over L lanes (lanes no position reached count as +0.0), all through one tree.
 *
 * <p>Two walkers share the tree. The <b>Z walker</b> runs a slot ahead: it gathers the slot's L lanes of Z (a
 * lane a cycle from Z's LUT RAM), pushes them through the tree (before any element waiting) and the reciprocal,
 * and keeps rz in one of two registers by the slot's parity. The <b>element walker</b> gathers a pass beat of the
 * slot's partials (L reads of the PW banks, each giving one lane of every element of the pass beat, then a cycle
 * for the last read's block RAM output register), and pushes
 * its elements one a cycle while the tree's queue has room, once the slot's rz is known; every W elements leave
 * as an output beat, multiplied by their slot's rz and rounded to the storage format. A slot's first pass beat is
 * gathered while the tree still works on the last one's elements, so slots follow each other with no gap; an
 * output beat's last element is pushed only when the output queue has room for it beside the beats already
 * promised ({@link AttentionShape#maxRowBeats} beats), so the queue never overflows under backpressure.
 */
final class Reduction extends Area {
    /** The element walker's phases: GATHER then PUSH for each pass beat of each slot; DRAIN until the outputs left. */
    enum ElementPhase { IDLE, GATHER, PUSH, DRAIN }

    /** The Z walker's phases: GATHER then PUSH for each slot; WAIT while it is a slot ahead of the elements. */
    enum ZPhase { IDLE, GATHER, PUSH, WAIT }

    /**
     * The reduction's reads, for the memories' read ports (a read's data is due a cycle later).
     *
     * @param gathering     a read of the partials of the element walker's slot
     * @param gatherSecond  that slot is in the second set
     * @param gatherAddress the word: (slot in its set, pass beat, lane)
     * @param zGathering    a read of Z's lanes of the Z walker's slot
     * @param zSecond       that slot is in the second set
     * @param zAddress      the word: (slot in its set, lane)
     */
    record Reads(Bool gathering, Bool gatherSecond, UInt gatherAddress, Bool zGathering, Bool zSecond,
                 UInt zAddress) {}

    /**
     * First-level adders of the serial tree: 8 adders instead of 15 at L = 16, a vector every L / 8 cycles, so a
     * pass beat of PW = 16 elements takes 32 cycles in the tree, about its gather and push (34), the next pass
     * beat's gather overlapping with the tree's work on this one's. (With 2, when a gather took W = 8 elements,
     * kv260's bitnet_b1_58-large heads took 3 % more cycles in decode at context 128 and 5 % more in a 128-token
     * prefill than with 4.)
     */
    static final int SERIAL_FIRST_ADDERS = 4;

    /** The reads to serve. */
    final Reads reads;
    /** Event: every output beat of the command has left. */
    final Bool finished;

    /**
     * @param command     the command being reduced (the reduce side's fields)
     * @param start       event: its reduction starts (its accumulation is over)
     * @param partialData the data of the partials' reads, [set][element], {@link AttentionShape#PARTIAL_READ_LATENCY}
     *                    cycles after {@link Reads#gathering}
     * @param zData       the data of Z's reads, [set], a cycle after {@link Reads#zGathering}
     * @param out         where the output beats go
     */
    Reduction(AttentionShape shape, CommandFields command, Bool start, List<List<Bits>> partialData,
              List<Bits> zData, Stream<Vec<Bits>> out) {
        super("reduction", "reduces each slot's partials and Z's lanes by the pairwise tree, normalizes, rounds and"
                + " sends the outputs");
        int width = shape.width();
        int ports = shape.ports();
        int passWidth = shape.passWidth();
        int lanes = shape.lanes();
        int laneBits = log2Up(lanes);
        int passBeatBits = shape.passBeatBits();
        int bankBits = log2Up(shape.partialBankWords());
        int zBits = log2Up(shape.setSlots() * lanes);
        int elementBits = Math.max(1, log2Up(passWidth));
        int queueBeats = Math.max(2, shape.maxRowBeats());
        int creditBits = bitsFor(queueBeats);

        // ---- The element walker.
        HwEnum<ElementPhase> phase = reg("element_phase", enumOf(ElementPhase.class), ElementPhase.IDLE);
        Bool slotDone = wire("element_slot_done", bool());
        SlotWalker slots = area(new SlotWalker("reduce_slots", shape, command, start, slotDone, lanes));
        SlotSet slotSet = SlotSet.of("reduce", shape, slots.physical);
        UInt pass = reg("reduce_pass_beat", uint(passBeatBits), 0);
        UInt passBeats = PassBeats.perRow(shape, command.rowBeats()).named("reduce_pass_beats");
        Bool lastPass = pass.eq(passBeats.sub(1).trunc(passBeatBits)).named("reduce_last_pass_beat");
        // The gather reads lanes 0 to L - 1, then waits for the last read's data.
        int gatherCycles = lanes + AttentionShape.PARTIAL_READ_LATENCY - 1;
        UInt index = reg("reduce_index", uint(bitsFor(gatherCycles)), 0);
        Bool gathering = phase.is(ElementPhase.GATHER).and(index.lt(lanes)).named("gathering");
        UInt gatherAddress = cat(slotSet.local(), pass.resize(shape.passStrideBits()), index.resize(laneBits))
                .asUInt().resize(bankBits).named("gather_address");

        // ---- The Z walker, a slot ahead at most.
        HwEnum<ZPhase> zPhase = reg("z_phase", enumOf(ZPhase.class), ZPhase.IDLE);
        Bool zPushed = wire("z_pushed", bool());
        SlotWalker zSlots = area(new SlotWalker("z_slots", shape, command, start, zPushed, lanes));
        SlotSet zSet = SlotSet.of("z", shape, zSlots.physical);
        UInt zIndex = reg("z_index", uint(bitsFor(lanes)), 0);
        Bool zGathering = zPhase.is(ZPhase.GATHER).and(zIndex.lt(lanes)).named("z_gathering");
        UInt zAddress = cat(zSet.local(), zIndex.resize(laneBits)).asUInt().resize(zBits).named("z_gather_address");
        reads = new Reads(gathering, slotSet.second(), gatherAddress, zGathering, zSet.second(), zAddress);

        // Gathers: lane j of every element of the pass beat lands PARTIAL_READ_LATENCY cycles after its read, of Z
        // a cycle after.
        int latency = AttentionShape.PARTIAL_READ_LATENCY;
        Bool readValid = Delay.valid("gather_read_valid", gathering, latency);
        UInt readLane = Delay.of("gather_read_lane", index.resize(laneBits), latency);
        Bool readSecond = Delay.of("gather_read_set", slotSet.second(), latency);
        List<List<Bits>> gathered = new ArrayList<>();   // [element][lane]
        for (int e = 0; e < passWidth; e++) {
            List<Bits> ofElement = new ArrayList<>();
            for (List<Bits> set : partialData) {
                ofElement.add(set.get(e));
            }
            Bits read = SlotSet.pick("gather_set_" + e, readSecond, ofElement);
            List<Bits> partials = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                Bits p = reg("gathered_" + e + "_" + j, bits(32), 0);
                final int jj = j;
                when(readValid.and(readLane.eq(jj)), () -> p.set(read));
                partials.add(p);
            }
            gathered.add(partials);
        }
        Bool zReadValid = regNext("z_read_valid", zGathering, 0);
        UInt zReadLane = regNext("z_read_lane", zIndex.resize(laneBits), 0);
        Bits zRead = SlotSet.pick("z_gathered", regNext("z_read_set", zSet.second(), 0), zData);
        List<Bits> zLanes = new ArrayList<>();
        for (int j = 0; j < lanes; j++) {
            Bits z = reg("z_lane_" + j, bits(32), 0);
            final int jj = j;
            when(zReadValid.and(zReadLane.eq(jj)), () -> z.set(zRead));
            zLanes.add(z);
        }

        // ---- Pushes: Z first; an element once its slot's rz is known and, if it ends an output beat, the output
        // queue has room. The elements of a pass beat's absent beat (with an odd d / W) are not pushed.
        UInt element = index.resize(elementBits);
        Bits present = PassBeats.present(shape, pass, command.rowBeats()).named("reduce_present");
        UInt lastElement = U(width - 1, elementBits);   // W x (the pass beat's beats) - 1
        for (int p = 1; p < ports; p++) {
            lastElement = mux(present.asUInt().bit(p), U((p + 1) * width - 1, elementBits), lastElement);
        }
        lastElement = lastElement.named("reduce_last_element");
        // Whether the element ends an output beat, a flag kept with the index (for timing: the index's compare lay on
        // the path through the push into the tree's FIFO); set below with the index, an assertion holds it.
        int beatBits = log2Up(width);
        Bool endsBeat = width == 1 ? TRUE : reg("element_ends_beat", bool(), 0);
        if (width > 1) {
            assertAlways(endsBeat.eq(element.resize(beatBits).eq(width - 1)),
                    "AttentionUnit: the ends-beat flag follows the element");
        }
        UInt promised = reg("beats_promised", uint(creditBits), 0);
        UInt rzKnown = reg("rz_known", uint(8), 0);   // slots of the command whose rz is known
        Bool rzReady = rzKnown.gt(slots.slot.resize(8)).named("slot_rz_known");
        Bool roomFor = endsBeat.not().or(promised.lt(queueBeats)).named("output_room");
        Bool zWants = zPhase.is(ZPhase.PUSH);
        Bool elementWants = phase.is(ElementPhase.PUSH).and(rzReady).and(roomFor).and(zWants.not())
                .named("element_wants_push");
        List<Bits> level = new ArrayList<>();
        // Lane j of the slot in the tree holds a position's value when the slot attends to more than j positions.
        Bits reached = mux(zWants, zSlots.reached, slots.reached).named("reduce_lanes_reached");
        for (int j = 0; j < lanes; j++) {
            List<Bits> laneJ = new ArrayList<>();
            for (int e = 0; e < passWidth; e++) {
                laneJ.add(gathered.get(e).get(j));
            }
            Bits chosen = passWidth == 1 ? laneJ.getFirst() : new Vec<>(laneJ).get("tree_pick_" + j, element);
            level.add(mux(reached.bit(j), mux(zWants, zLanes.get(j), chosen), B(0, 32))
                    .named("reduce_in_" + j));
        }
        // The tag: Z or an element, the slot's parity (which rz), the element.
        Bits tag = cat(zWants, mux(zWants, zSlots.slot.lsb(), slots.slot.lsb()), mux(zWants, U(0, elementBits),
                element)).named("reduce_tag");
        int tagBits = elementBits + 2;
        Bool pushStep;
        Pipeline reduced;
        Timed<Bits> sum;
        Timed<Bits> sumTag;
        Bool treeOut;
        Bool wants = zWants.or(elementWants).named("reduce_wants_push");
        if (shape.serialTrees()) {
            Fp32SerialTree tree = Hdl.instance("reduce_tree",
                    new Fp32SerialTree(lanes, tagBits, Math.max(2, passWidth), SERIAL_FIRST_ADDERS));
            pushStep = wants.and(tree.ready).named("push_step");
            tree.in.valid.set(pushStep);
            assign(tree.in.payload.values(), new Vec<>(level));
            tree.in.payload.tag().set(tag);
            reduced = new Pipeline("reduced", tree.out.valid);
            sum = reduced.input("reduced_sum", tree.out.payload.sum());
            sumTag = reduced.input("reduced_tag", tree.out.payload.tag());
            treeOut = tree.out.valid;
        } else {
            pushStep = wants;
            reduced = new Pipeline("push", pushStep);
            List<Timed<Bits>> inputs = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                inputs.add(reduced.input("reduce_in_" + j, level.get(j)));
            }
            sum = Fp32Add.tree("reduce_tree", inputs);
            sumTag = reduced.input("push_tag", tag);
            treeOut = reduced.valid(sum.cycle());
        }
        zPushed.set(pushStep.and(zWants));
        Bool elementPushed = pushStep.and(zWants.not()).named("element_pushed");
        Bool passPushed = elementPushed.and(element.eq(lastElement)).named("pass_beat_pushed");

        // rz = reciprocal(Z) (N10), into the register of the slot's parity: the Z walker is at most a slot ahead,
        // so the other slot's rz stays while its elements leave the tree.
        Bits sumTagNow = sumTag.at(sum.cycle());
        Bool sumIsZ = sumTagNow.msb().named("reduced_is_z");
        Pipeline zPipe = new Pipeline("z_reduced", treeOut.and(sumIsZ));
        Timed<Bits> rzT = FpReciprocal.apply("rz", zPipe.input("z", sum.at(sum.cycle())), FpSchedule.SHARED);
        Bool rzParity = zPipe.input("z_parity", sumTagNow.asUInt().bit(elementBits)).at(rzT.cycle());
        Bool rzDone = zPipe.valid(rzT.cycle()).named("rz_ready");
        List<Bits> rz = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Bits r = reg("slot_rz_" + k, bits(32), 0);
            Bool mine = k == 1 ? rzParity : rzParity.not();
            when(rzDone.and(mine), () -> r.set(rzT.value()));
            rz.add(r);
        }
        // The slot's rz, picked by the tag's parity and registered before the multiply (for timing: the pick lay
        // in front of the multiplier's first stage); the sum waits the cycle beside it.
        Timed<Bits> rzOfSum = reduced.at(sum.cycle(), "sum_rz",
                mux(sumTagNow.asUInt().bit(elementBits), rz.get(1), rz.get(0))).stage("sum_rz_q");
        Timed<Bits> scaled = Fp32Mul.apply("normalized", sum, rzOfSum);
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
        Stream<Vec<Bits>> queued = beats.queue("out_queue", queueBeats, RamStyle.DISTRIBUTED).stream();
        queued.connectTo(out);
        assertAlways(beatReady.not().or(beats.ready), "AttentionUnit: the output queue holds the beats promised");
        Bool promise = elementPushed.and(endsBeat).named("beat_promised");
        Bool delivered = queued.fire().named("beat_delivered");
        when(promise.and(delivered.not()), () -> promised.set(promised.add(1).trunc(creditBits)))
                .elseWhen(delivered.and(promise.not()), () -> promised.set(promised.sub(1).trunc(creditBits)));
        when(rzDone, () -> rzKnown.set(rzKnown.add(1).trunc(8)));

        // ---- The element walker's steps.
        Bool gatherDone = phase.is(ElementPhase.GATHER).and(index.eq(gatherCycles)).named("gather_done");
        slotDone.set(passPushed.and(lastPass).named("slot_pushed"));
        finished = phase.is(ElementPhase.DRAIN).and(promised.eq(0)).named("reduction_finished");
        when(phase.is(ElementPhase.GATHER).or(elementPushed), () -> {
            UInt next = index.add(1).trunc(widthOf(index));
            index.set(next);
            if (width > 1) {
                endsBeat.set(next.resize(beatBits).eq(width - 1));
            }
        });
        if (width > 1) {
            when(gatherDone.or(passPushed).or(start), () -> endsBeat.set(false));
        }
        when(gatherDone, () -> {
            index.set(0);
            phase.set(ElementPhase.PUSH);
        });
        when(passPushed, () -> {
            index.set(0);
            pass.set(pass.add(1).trunc(passBeatBits));
            phase.set(ElementPhase.GATHER);
            when(lastPass, () -> {
                pass.set(0);
                when(slots.last, () -> phase.set(ElementPhase.DRAIN));
            });
        });
        when(finished, () -> phase.set(ElementPhase.IDLE));
        when(start, () -> {
            phase.set(ElementPhase.GATHER);
            pass.set(0);
            index.set(0);
            rzKnown.set(0);
        });

        // ---- The Z walker's steps: gather, push, then wait until the elements reach the slot before it.
        Bool zGatherDone = zPhase.is(ZPhase.GATHER).and(zIndex.eq(lanes)).named("z_gather_done");
        Bool zMayGo = zSlots.slot.resize(9).le(slots.slot.resize(9).add(1).trunc(9)).named("z_may_gather");
        when(zGathering, () -> zIndex.set(zIndex.add(1).trunc(widthOf(zIndex))));
        when(zGatherDone, () -> zPhase.set(ZPhase.PUSH));
        when(zPushed, () -> {
            zIndex.set(0);
            zPhase.set(ZPhase.WAIT);
            when(zSlots.last, () -> zPhase.set(ZPhase.IDLE));
        });
        when(zPhase.is(ZPhase.WAIT).and(zMayGo), () -> zPhase.set(ZPhase.GATHER));
        when(start, () -> {
            zPhase.set(ZPhase.GATHER);
            zIndex.set(0);
        });
    }
}
