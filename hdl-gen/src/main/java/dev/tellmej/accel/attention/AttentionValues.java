package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.elementwise.Storage;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The third pass of decode attention (NUMERICS.md N15.5) for one query head: the output
 * {@code o_i = st(sum_t(e_t * v_t[i]) * rz)}, where the sum over positions is N5's dot product with L lanes
 * (lane j takes positions j, j + L, ..., from +0.0) and the pairwise tree, and st is storage rounding (N4).
 *
 * <p>A head starts with {@link #setup} (positions n, beats per row d/W, rz as binary32 bits); the value rows
 * follow on {@link #values} (n rows of d/W beats of W stored values, position-major, as the KV cache holds
 * them) and their weights on {@link #weights} (e_t, one per row, taken with the row's first beat). Element i's
 * L partials live in bank {@code i mod W} of W block RAMs at {@code (i div W) L + j}: a beat reads, adds and
 * writes back W partials of lane {@code t mod L}, which comes round again L rows later, so V streams at one
 * beat per cycle (L at least 8) and is read once, in order. A partial's first term is added to +0.0.
 *
 * <p>Then the reduction: for each output beat, the L partials of its W elements are read (lanes no position
 * reached count as +0.0), each element's go through a pipelined pairwise tree, one multiply by rz and storage
 * rounding, and the W results leave as one beat of {@link #out}.
 *
 * <p>Processes: the {@link Sequencer}, the {@link Accumulate} pass and the {@link Reduce} pass. Named
 * {@code AttentionValues_l<L>_w<W>_d<D>_<format>}.
 */
public final class AttentionValues extends Module {
    /** One head: positions n, beats per row d/W, rz (binary32 bits). */
    public record Setup(UInt positions, UInt rowBeats, Bits reciprocal) {}

    enum Phase { IDLE, VALUES, DRAIN, GATHER, PUSH, FLUSH }

    public final Stream<Setup> setup;
    public final Stream<Bits> weights;
    public final Stream<Vec<Bits>> values;
    public final Stream<Vec<Bits>> out;
    public final Bool idle;
    /** Cycles between value beats. */
    public final int beatInterval;

    /** The value pass of build {@code config} (as {@link AttentionScores#of}). */
    public static AttentionValues of(AcceleratorConfig config) {
        return new AttentionValues(config.elementwise().sumLanes(), config.memory().portBits() / 16,
                config.limits().headDim(), config.limits().context(), config.elementwise().storage());
    }

    public AttentionValues(int lanes, int width, int maxHeadDim, int maxPositions, StorageFormat storage) {
        if (lanes < 1 || Integer.bitCount(lanes) != 1 || width < 1 || Integer.bitCount(width) != 1 || width > lanes) {
            throw new InvalidParameterException(Locations.capture(), "AttentionValues needs L and W powers of two"
                    + " with W <= L, got L = " + lanes + ", W = " + width);
        }
        if (maxHeadDim < width || maxHeadDim % width != 0 || maxPositions < 1) {
            throw new InvalidParameterException(Locations.capture(), "AttentionValues needs a head dimension that"
                    + " is a multiple of W = " + width + " and at least one position, got " + maxHeadDim + ", "
                    + maxPositions);
        }
        FpFormat format = Storage.format(storage);
        param("l", lanes);
        param("w", width);
        param("d", maxHeadDim);
        param("", format.name());
        int maxBeats = maxHeadDim / width;
        int positionBits = bitsFor(maxPositions);
        int beatBits = bitsFor(maxBeats);
        setup = in("setup", Stream.of(new Setup(uint(positionBits), uint(beatBits), bits(32))));
        weights = in("weights", Stream.of(bits(32)));
        values = in("values", Stream.of(vec(width, bits(16))));
        out = out("out", Stream.of(vec(width, bits(16))));
        idle = out("idle", bool());
        // A lane's partials come round L rows (at least L beats) later: the read, add and write take 8 cycles.
        beatInterval = (Fp32Add.LATENCY + 2 + lanes - 1) / lanes;

        int depth = maxBeats * lanes;
        int addressBits = log2Up(depth);
        List<Mem<Bits>> banks = new ArrayList<>();
        for (int e = 0; e < width; e++) {
            banks.add(mem("partials_" + e, bits(32), depth).style(depth >= 64 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED));
        }
        Bool accumulated = wire("accumulated", bool());
        Bool gathered = wire("gathered", bool());
        Bool pushed = wire("pushed", bool());
        Bool flushed = wire("flushed", bool());
        Sequencer sequencer = area(new Sequencer(lanes, positionBits, beatBits, beatInterval, setup, weights, values,
                accumulated, gathered, pushed, flushed));
        Accumulate accumulate = area(new Accumulate(format, lanes, width, addressBits, banks, sequencer, weights,
                values));
        Reduce reduce = area(new Reduce(format, lanes, width, addressBits, maxBeats, banks, sequencer, out));
        accumulated.set(accumulate.drained);
        gathered.set(reduce.gathered);
        pushed.set(reduce.pushed);
        flushed.set(reduce.flushed);
        idle.set(sequencer.phase.is(Phase.IDLE));
    }

    /** The phase, the head's parameters and the indices of both passes. */
    static final class Sequencer extends Area {
        final HwEnum<Phase> phase;
        final UInt positions;
        final UInt rowBeats;
        final Bits reciprocal;
        final UInt row;
        final UInt rowBeat;
        final Bool beatFire;
        final Bool lastBeatOfHead;
        /** The output beat being reduced, and the lane being gathered or the element being pushed. */
        final UInt reduceBeat;
        final UInt reduceIndex;

        Sequencer(int lanes, int positionBits, int beatBits, int interval, Stream<Setup> setup, Stream<Bits> weights,
                  Stream<Vec<Bits>> values, Bool accumulated, Bool gathered, Bool pushed, Bool flushed) {
            super("sequencer", "the head's phase (values, drain, gather, push, flush), n, d/W, rz, the row and"
                    + " beat of the value stream and the indices of the reduction");
            phase = reg("phase", enumOf(Phase.class), Phase.IDLE);
            positions = reg("positions", uint(positionBits), 0);
            rowBeats = reg("row_beats", uint(beatBits), 0);
            reciprocal = reg("reciprocal", bits(32), 0);
            row = reg("row", uint(positionBits), 0);
            rowBeat = reg("row_beat", uint(beatBits), 0);
            reduceBeat = reg("reduce_beat", uint(beatBits), 0);
            reduceIndex = reg("reduce_index", uint(bitsFor(lanes)), 0);
            UInt cooldown = reg("cooldown", uint(bitsFor(interval)), 0);

            Bool firstBeat = rowBeat.eq(0).named("first_beat");
            Bool lastRowBeat = rowBeat.eq(rowBeats.sub(1).trunc(beatBits)).named("last_row_beat");
            Bool lastRow = row.eq(positions.sub(1).trunc(positionBits)).named("last_row");
            setup.ready.set(phase.is(Phase.IDLE));
            values.ready.set(phase.is(Phase.VALUES).and(cooldown.eq(0)).and(firstBeat.not().or(weights.valid)));
            beatFire = values.fire().named("value_fire");
            weights.ready.set(beatFire.and(firstBeat));
            lastBeatOfHead = lastRowBeat.and(lastRow).named("last_beat_of_head");
            when(cooldown.ne(0), () -> cooldown.set(cooldown.sub(1)));
            when(setup.fire(), () -> {
                positions.set(setup.payload.positions());
                rowBeats.set(setup.payload.rowBeats());
                reciprocal.set(setup.payload.reciprocal());
                row.set(0);
                rowBeat.set(0);
                phase.set(Phase.VALUES);
            });
            when(beatFire, () -> {
                if (interval > 1) {
                    cooldown.set(interval - 1);
                }
                rowBeat.set(rowBeat.add(1).trunc(beatBits));
                when(lastRowBeat, () -> {
                    rowBeat.set(0);
                    row.set(row.add(1).trunc(positionBits));
                    when(lastRow, () -> phase.set(Phase.DRAIN));
                });
            });
            // The index steps every cycle of both reduction phases; the events below restart it.
            when(phase.is(Phase.GATHER).or(phase.is(Phase.PUSH)), () ->
                    reduceIndex.set(reduceIndex.add(1).trunc(widthOf(reduceIndex))));
            when(accumulated, () -> {
                reduceBeat.set(0);
                reduceIndex.set(0);
                phase.set(Phase.GATHER);
            });
            when(gathered, () -> {
                reduceIndex.set(0);
                phase.set(Phase.PUSH);
            });
            when(pushed, () -> {
                reduceIndex.set(0);
                reduceBeat.set(reduceBeat.add(1).trunc(beatBits));
                phase.set(Phase.GATHER);
                when(reduceBeat.eq(rowBeats.sub(1).trunc(beatBits)), () -> phase.set(Phase.FLUSH));
            });
            when(flushed, () -> phase.set(Phase.IDLE));
        }
    }

    /** N15.5's sums: each value beat's W products added into the W partials of lane {@code t mod L}. */
    static final class Accumulate extends Area {
        /** Event: the last beat's partials are written; the reduction may read. */
        final Bool drained;

        Accumulate(FpFormat format, int lanes, int width, int addressBits, List<Mem<Bits>> banks, Sequencer sequencer,
                   Stream<Bits> weights, Stream<Vec<Bits>> values) {
            super("accumulate", "adds e_t * v_t[i] into partial (i, t mod L) of element i's bank");
            Bits held = reg("row_weight", bits(32), 0);
            Bool firstBeat = sequencer.rowBeat.eq(0);
            Bits weight = mux(firstBeat, weights.payload, held).named("beat_weight");
            when(sequencer.beatFire.and(firstBeat), () -> held.set(weights.payload));
            int laneBits = Math.max(1, log2Up(lanes));
            UInt lane = lanes == 1 ? U(0, 1) : sequencer.row.resize(laneBits).named("beat_lane");
            UInt address = (lanes == 1 ? sequencer.rowBeat.resize(addressBits)
                    : cat(sequencer.rowBeat, lane.resize(laneBits)).asUInt().resize(addressBits)).named("beat_address");
            Bool fresh = sequencer.row.lt(lanes).named("beat_fresh");

            Pipeline pipe = new Pipeline("value_fire", sequencer.beatFire);
            Timed<Bits> weightT = pipe.input("weight", weight);
            Timed<UInt> addressT = pipe.input("address", address);
            Timed<Bool> freshT = pipe.input("fresh", fresh);
            Timed<Bool> lastT = pipe.input("last", sequencer.lastBeatOfHead);
            List<Timed<Bits>> sums = new ArrayList<>();
            int addCycle = -1;
            for (int e = 0; e < width; e++) {
                String l = "lane" + e;
                Timed<Bits> v = FpConvert.toFp32(l + "_v", format, pipe.input(l + "_v", values.payload.get(e)));
                Timed<Bits> product = Fp32Mul.apply(l + "_product", weightT, v);
                addCycle = product.cycle();
                sums.add(product);
            }
            // Read the partials a cycle before the products are ready, so the value read is the newest.
            int readCycle = addCycle - 1;
            UInt readAddress = addressT.at(readCycle);
            Bool readEnable = pipe.valid(readCycle);
            List<Timed<Bits>> results = new ArrayList<>();
            for (int e = 0; e < width; e++) {
                Bits current = banks.get(e).readSync("acc_read_" + e, readAddress, readEnable, 1);
                Bits addend = mux(freshT.at(addCycle), B(0, 32), current).named("lane" + e + "_addend");
                results.add(Fp32Add.apply("lane" + e + "_sum", pipe.at(addCycle, "lane" + e + "_addend", addend),
                        sums.get(e)));
            }
            int sumCycle = results.getFirst().cycle();
            Bool write = pipe.valid(sumCycle);
            UInt writeAddress = addressT.at(sumCycle);
            for (int e = 0; e < width; e++) {
                Mem<Bits> bank = banks.get(e);
                Bits sum = results.get(e).value();
                when(write, () -> bank.write(writeAddress, sum));
            }
            drained = regNext("accumulated_last", write.and(lastT.at(sumCycle)), 0);
        }
    }

    /** The tree over each element's L partials, the multiply by rz and storage rounding, a beat at a time. */
    static final class Reduce extends Area {
        final Bool gathered;
        final Bool pushed;
        final Bool flushed;

        Reduce(FpFormat format, int lanes, int width, int addressBits, int maxBeats, List<Mem<Bits>> banks,
               Sequencer sequencer, Stream<Vec<Bits>> out) {
            super("reduce", "reads the L partials of a beat's W elements, adds each element's by the pairwise tree,"
                    + " multiplies by rz, rounds to storage and sends the beat");
            int laneBits = Math.max(1, log2Up(lanes));
            // Lanes 0 .. L-1 are read at indices 0 .. L-1; index L waits for the last read to land.
            Bool gathering = sequencer.phase.is(Phase.GATHER).and(sequencer.reduceIndex.lt(lanes)).named("gathering");
            UInt lane = sequencer.reduceIndex.resize(laneBits);
            UInt address = (lanes == 1 ? sequencer.reduceBeat.resize(addressBits)
                    : cat(sequencer.reduceBeat, lane).asUInt().resize(addressBits)).named("gather_address");
            // The bank's read port is shared with the accumulation, which is over by now.
            List<List<Bits>> gatheredValues = new ArrayList<>();
            Bool readValid = regNext("gather_read_valid", gathering, 0);
            UInt readLane = regNext("gather_read_lane", lane, 0);
            for (int e = 0; e < width; e++) {
                Bits read = banks.get(e).readSync("gather_read_" + e, address, gathering, 1);
                List<Bits> partials = new ArrayList<>();
                for (int j = 0; j < lanes; j++) {
                    Bits p = reg("gathered_" + e + "_" + j, bits(32), 0);
                    final int jj = j;
                    when(readValid.and(readLane.eq(jj)), () -> p.set(read));
                    partials.add(p);
                }
                gatheredValues.add(partials);
            }
            gathered = sequencer.phase.is(Phase.GATHER).and(sequencer.reduceIndex.eq(lanes)).named("gather_last");

            // Push: element e's partials into the tree (lanes no position reached are +0.0), one per cycle.
            Bool pushing = sequencer.phase.is(Phase.PUSH);
            UInt element = sequencer.reduceIndex.resize(Math.max(1, log2Up(width)));
            pushed = pushing.and(sequencer.reduceIndex.eq(width - 1)).named("push_last");
            Pipeline pipe = new Pipeline("push", pushing);
            List<Timed<Bits>> level = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                List<Bits> lane_j = new ArrayList<>();
                for (int e = 0; e < width; e++) {
                    lane_j.add(gatheredValues.get(e).get(j));
                }
                Bits chosen = width == 1 ? lane_j.getFirst() : new Vec<>(lane_j).get("tree_pick_" + j, element);
                Bits masked = mux(sequencer.positions.gt(j), chosen, B(0, 32)).named("tree_in_" + j);
                level.add(pipe.input("tree_in_" + j, masked));
            }
            Timed<Bits> scaled = Fp32Mul.apply("normalized", Fp32Add.tree("tree", level), pipe.steady(sequencer.reciprocal));
            Timed<Bits> stored = FpConvert.fromFp32("stored_output", format, scaled);
            int outCycle = stored.cycle();
            Bool outValid = pipe.valid(outCycle);
            UInt outElement = pipe.input("push_element", element).at(outCycle);
            Bool lastElement = outElement.eq(width - 1);

            // Assemble the beat, then queue it (the whole head's output fits, so nothing is pushed into a full queue).
            List<Bits> word = new ArrayList<>();
            for (int e = 0; e < width; e++) {
                Bits w = reg("out_word_" + e, bits(16), 0);
                final int ee = e;
                when(outValid.and(outElement.eq(ee)), () -> w.set(stored.value()));
                word.add(w);
            }
            Bool beatReady = regNext("beat_assembled", outValid.and(lastElement), 0);
            Stream<Vec<Bits>> beats = wire("out_beat", Stream.of(vec(width, bits(16))));
            beats.valid.set(beatReady);
            assign(beats.payload, new Vec<>(word));
            Stream.Queued<Vec<Bits>> queued = beats.queue("out_queue", Math.max(2, maxBeats), RamStyle.DISTRIBUTED);
            queued.stream().connectTo(out);
            UInt emitted = reg("beats_queued", uint(bitsFor(maxBeats)), 0);
            when(beatReady, () -> emitted.set(emitted.add(1).trunc(widthOf(emitted))));
            // The head ends when its beats have left, so the next head's output finds the queue empty.
            flushed = sequencer.phase.is(Phase.FLUSH).and(emitted.eq(sequencer.rowBeats))
                    .and(queued.occupancy().eq(0)).named("flush_done");
            when(flushed, () -> emitted.set(0));
            assertAlways(beatReady.not().or(beats.ready), "AttentionValues: the output queue holds a head's beats");
        }
    }
}
