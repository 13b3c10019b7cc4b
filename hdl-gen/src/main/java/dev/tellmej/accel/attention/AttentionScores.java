package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.elementwise.Storage;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Max;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.model.numerics.StorageFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The first pass of decode attention (NUMERICS.md N15.1-2) for one query head: the scores
 * {@code s_t = dot(q, k_t) * C} of the query against every cached key row t = 0 .. n-1, with N5's lane order
 * over the head dimension, and their maximum.
 *
 * <p>A head starts with {@link #setup} (positions n, beats per row d/W, the score scale C as binary32 bits),
 * then takes the query ({@code d/W} beats of W stored values) and the key rows (n rows of d/W beats,
 * position-major, as the KV cache holds them). Element i of a row is N5's term i, so it belongs to partial
 * sum (lane) {@code i mod L}; a beat carries W consecutive elements, so beat b feeds the W lanes of group
 * {@code b mod (L/W)}. Each of the W physical lanes has a multiplier and an adder; a group's partial comes
 * round again every L/W beats, so a beat is taken every {@link #beatInterval} cycles, enough for the previous
 * addition into the same partials to be back. A partial's first term is added to +0.0, as N5 says.
 *
 * <p>When a row's last beat has been added, its L partials (lanes no element reached stay +0.0) go into a
 * pipelined pairwise tree of {@code L - 1} adders (N5.2), then one multiply by C: {@link #scores} carries each
 * score with its position, in order. {@link #max} pulses once per head after its last score with the maximum
 * (N15.2: -inf for no scores, NaN if any score is NaN, +0 above -0, as Java's {@code Math.max}).
 *
 * <p>Processes: the {@link Sequencer} (phase, indices, pacing), the {@link QueryStore}, the
 * {@link LanePartials} and the {@link ScoreTree}. Named {@code AttentionScores_l<L>_w<W>_d<D>_<format>}.
 */
public final class AttentionScores extends Module {
    /** One head's parameters: positions n (1 ..), beats per row d/W (1 .. D/W), the scale C (binary32 bits). */
    public record Setup(UInt positions, UInt rowBeats, Bits scale) {}

    /** A score and its position. */
    public record Score(UInt position, Bits value) {}

    enum Phase { IDLE, QUERY, KEYS, DRAIN }

    public final Stream<Setup> setup;
    public final Stream<Vec<Bits>> query;
    public final Stream<Vec<Bits>> keys;
    public final Flow<Score> scores;
    public final Flow<Bits> max;
    public final Bool idle;
    /** Cycles between key beats. */
    public final int beatInterval;
    /** Cycles from a row's last key beat to its score. */
    public final int latency;

    /**
     * The score pass of build {@code config}: N5's L from the element-wise configuration, a beat as wide as a data
     * port (128 bits: 8 stored values on kv260), the head dimension and context of the build's maxima.
     */
    public static AttentionScores of(AcceleratorConfig config) {
        return new AttentionScores(config.elementwise().sumLanes(), config.memory().portBits() / 16,
                config.limits().headDim(), config.limits().context(), config.elementwise().storage());
    }

    public AttentionScores(int lanes, int width, int maxHeadDim, int maxPositions, StorageFormat storage) {
        if (lanes < 1 || Integer.bitCount(lanes) != 1 || width < 1 || Integer.bitCount(width) != 1 || width > lanes) {
            throw new InvalidParameterException(Locations.capture(), "AttentionScores needs L and W powers of two"
                    + " with W <= L, got L = " + lanes + ", W = " + width);
        }
        if (maxHeadDim < width || maxHeadDim % width != 0 || maxPositions < 1) {
            throw new InvalidParameterException(Locations.capture(), "AttentionScores needs a head dimension that"
                    + " is a multiple of W = " + width + " and at least one position, got " + maxHeadDim + ", "
                    + maxPositions);
        }
        FpFormat format = Storage.format(storage);
        param("l", lanes);
        param("w", width);
        param("d", maxHeadDim);
        param("", format.name());
        int groups = lanes / width;
        int maxBeats = maxHeadDim / width;
        int positionBits = bitsFor(maxPositions);
        int beatBits = bitsFor(maxBeats);
        setup = in("setup", Stream.of(new Setup(uint(positionBits), uint(beatBits), bits(32))));
        query = in("query", Stream.of(vec(width, bits(16))));
        keys = in("keys", Stream.of(vec(width, bits(16))));
        scores = out("scores", Flow.of(new Score(uint(positionBits), bits(32))));
        max = out("max", Flow.of(bits(32)));
        idle = out("idle", bool());
        beatInterval = (Fp32Add.LATENCY + 1 + groups - 1) / groups;

        Bool headDone = wire("head_done", bool());
        Sequencer sequencer = area(new Sequencer(groups, maxBeats, positionBits, beatBits, beatInterval, setup, query,
                keys, headDone));
        QueryStore store = area(new QueryStore(maxBeats, width, query, sequencer));
        LanePartials partials = area(new LanePartials(format, lanes, width, positionBits, keys, store, sequencer));
        ScoreTree tree = area(new ScoreTree(lanes, positionBits, partials, sequencer.scale, scores));
        ScoreMaximum maximum = area(new ScoreMaximum(positionBits, tree.scoreOut, sequencer, max));
        headDone.set(maximum.lastScore);
        idle.set(sequencer.phase.is(Phase.IDLE).and(maximum.pending.not()));
        latency = tree.outputCycle;
    }

    /** The phase, the head's parameters, the query and key indices, and the key pacing. */
    static final class Sequencer extends Area {
        final HwEnum<Phase> phase;
        final UInt positions;
        final UInt rowBeats;
        final Bits scale;
        final UInt queryBeat;
        final UInt rowBeat;
        final UInt group;
        final UInt row;
        final Bool keyFire;

        Sequencer(int groups, int maxBeats, int positionBits, int beatBits, int interval, Stream<Setup> setup,
                  Stream<Vec<Bits>> query, Stream<Vec<Bits>> keys, Bool headDone) {
            super("sequencer", "the head's phase (query, keys, drain), its parameters, the indices into the query"
                    + " and the key rows, and the pacing of the key beats");
            phase = reg("phase", enumOf(Phase.class), Phase.IDLE);
            positions = reg("positions", uint(positionBits), 0);
            rowBeats = reg("row_beats", uint(beatBits), 0);
            scale = reg("scale", bits(32), 0);
            queryBeat = reg("query_beat", uint(beatBits), 0);
            rowBeat = reg("row_beat", uint(beatBits), 0);
            group = reg("group", uint(Math.max(1, log2Up(groups))), 0);
            row = reg("row", uint(positionBits), 0);
            UInt cooldown = reg("cooldown", uint(bitsFor(interval)), 0);

            setup.ready.set(phase.is(Phase.IDLE));
            query.ready.set(phase.is(Phase.QUERY));
            keys.ready.set(phase.is(Phase.KEYS).and(cooldown.eq(0)));
            keyFire = keys.fire().named("key_fire");
            Bool lastQueryBeat = queryBeat.eq(rowBeats.sub(1).trunc(beatBits)).named("last_query_beat");
            Bool lastRowBeat = rowBeat.eq(rowBeats.sub(1).trunc(beatBits)).named("last_row_beat");
            Bool lastRow = row.eq(positions.sub(1).trunc(positionBits)).named("last_row");
            when(cooldown.ne(0), () -> cooldown.set(cooldown.sub(1)));

            when(setup.fire(), () -> {
                positions.set(setup.payload.positions());
                rowBeats.set(setup.payload.rowBeats());
                scale.set(setup.payload.scale());
                queryBeat.set(0);
                phase.set(Phase.QUERY);
            });
            when(query.fire(), () -> {
                queryBeat.set(queryBeat.add(1).trunc(beatBits));
                when(lastQueryBeat, () -> {
                    rowBeat.set(0);
                    group.set(0);
                    row.set(0);
                    phase.set(Phase.KEYS);
                });
            });
            when(keyFire, () -> {
                if (interval > 1) {
                    cooldown.set(interval - 1);
                }
                rowBeat.set(rowBeat.add(1).trunc(beatBits));
                group.set(groups == 1 ? U(0, widthOf(group)) : group.add(1).trunc(widthOf(group)));
                when(lastRowBeat, () -> {
                    rowBeat.set(0);
                    group.set(0);
                    row.set(row.add(1).trunc(positionBits));
                    when(lastRow, () -> phase.set(Phase.DRAIN));
                });
            });
            when(headDone, () -> phase.set(Phase.IDLE));
        }
    }

    /** Counts a head's scores, keeps their running maximum (N15.2), and reports it after the last score. */
    static final class ScoreMaximum extends Area {
        /** Event: the head's last score is out. */
        final Bool lastScore;
        /** The maximum is yet to leave. */
        final Bool pending;

        ScoreMaximum(int positionBits, Flow<Score> scoreOut, Sequencer sequencer, Flow<Bits> max) {
            super("score_maximum", "counts the scores of the head and keeps their maximum, from -inf");
            UInt emitted = reg("emitted", uint(positionBits), 0);
            Bits running = reg("running_max", bits(32), 0);
            Bool maxOut = reg("max_out", bool(), 0);
            Bits maxValue = reg("max_value", bits(32), 0);
            lastScore = scoreOut.valid.and(emitted.eq(sequencer.positions.sub(1).trunc(positionBits)))
                    .named("last_score");
            Bits updated = Fp32Max.max(running, scoreOut.payload.value());
            when(sequencer.phase.is(Phase.QUERY), () -> {
                emitted.set(0);
                running.set(FpFormat.FP32.constant(0xFF800000L));
            });
            when(scoreOut.valid, () -> {
                emitted.set(emitted.add(1).trunc(positionBits));
                running.set(updated);
            });
            maxOut.set(lastScore);
            when(lastScore, () -> maxValue.set(updated));
            pending = maxOut;
            max.valid.set(maxOut);
            max.payload.set(maxValue);
        }
    }

    /** The query, d/W words of W stored values, written as it arrives and read by the key beat's index. */
    static final class QueryStore extends Area {
        final Vec<Bits> word;

        QueryStore(int maxBeats, int width, Stream<Vec<Bits>> query, Sequencer sequencer) {
            super("query_store", "the head's query, one register word per beat of the key rows");
            List<Bits> words = new ArrayList<>();
            for (int b = 0; b < maxBeats; b++) {
                final int beat = b;
                Bits w = reg("query_word_" + b, bits(16 * width), 0);
                when(query.fire().and(sequencer.queryBeat.eq(beat)), () -> w.set(asBits(query.payload)));
                words.add(w);
            }
            Bits selected = maxBeats == 1 ? words.getFirst() : new Vec<>(words).get("query_read", sequencer.rowBeat);
            List<Bits> values = new ArrayList<>();
            for (int e = 0; e < width; e++) {
                values.add(selected.slice(16 * e + 15, 16 * e));
            }
            word = new Vec<>(values);
        }
    }

    /**
     * The L partial sums of the current row: W multipliers and W adders, partial {@code g W + e} on physical
     * lane e; a row's partials, once its last beat is added, leave on {@link #rowDone}.
     */
    static final class LanePartials extends Area {
        /** A row's L partials and its position, when its last beat's sums are back. */
        final Flow<RowPartials> rowDone;

        record RowPartials(Vec<Bits> partials, UInt row) {}

        LanePartials(FpFormat format, int lanes, int width, int positionBits, Stream<Vec<Bits>> keys,
                     QueryStore store, Sequencer sequencer) {
            super("lane_partials", "multiplies the query by each key beat and adds the products into the row's"
                    + " L partial sums, lane i mod L for element i");
            int groups = lanes / width;
            Pipeline pipe = new Pipeline("key_fire", sequencer.keyFire);
            int beatBits = widthOf(sequencer.rowBeat);
            UInt rowBeat = sequencer.rowBeat;
            UInt rowBeats = sequencer.rowBeats;
            Bool first = rowBeat.lt(groups).named("first_chunk");
            // The group's last chunk of the row: no later beat of the row feeds the same lanes.
            Bool last = rowBeat.resize(beatBits + 1).add(groups).trunc(beatBits + 1).ge(rowBeats.resize(beatBits + 1))
                    .named("last_chunk");
            Bool rowLast = rowBeat.eq(rowBeats.sub(1).trunc(beatBits)).named("row_last_beat");
            Timed<UInt> group = pipe.input("beat_group", sequencer.group);
            Timed<Bool> firstT = pipe.input("beat_first", first);
            Timed<Bool> lastT = pipe.input("beat_last", last);
            Timed<Bool> rowLastT = pipe.input("beat_row_last", rowLast);
            Timed<UInt> rowT = pipe.input("beat_row", sequencer.row);

            List<Bits> partials = new ArrayList<>();
            List<Bits> finals = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                partials.add(reg("partial_" + j, bits(32), 0));
                finals.add(reg("final_" + j, bits(32), 0));
            }
            List<Timed<Bits>> sums = new ArrayList<>();
            int addCycle = -1;
            for (int e = 0; e < width; e++) {
                String l = "lane" + e;
                Timed<Bits> q = FpConvert.toFp32(l + "_q", format, pipe.input(l + "_q", store.word.get(e)));
                Timed<Bits> k = FpConvert.toFp32(l + "_k", format, pipe.input(l + "_k", keys.payload.get(e)));
                Timed<Bits> product = Fp32Mul.apply(l + "_product", q, k);
                addCycle = product.cycle();
                List<Bits> mine = new ArrayList<>();
                for (int g = 0; g < groups; g++) {
                    mine.add(partials.get(g * width + e));
                }
                Bits current = groups == 1 ? mine.getFirst() : new Vec<>(mine).get(l + "_partial", group.at(addCycle));
                Bits addend = mux(firstT.at(addCycle), B(0, 32), current).named(l + "_addend");
                sums.add(Fp32Add.apply(l + "_sum", pipe.at(addCycle, l + "_addend", addend), product));
            }
            int sumCycle = sums.getFirst().cycle();
            Bool sumValid = pipe.valid(sumCycle);
            UInt sumGroup = group.at(sumCycle);
            Bool sumLast = lastT.at(sumCycle);
            Bool launch = sumValid.and(rowLastT.at(sumCycle)).named("row_done");
            List<Bits> snapshot = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                int g = j / width;
                int e = j % width;
                Bool mine = sumValid.and(sumGroup.eq(g));
                Bits sum = sums.get(e).value();
                Bits partial = partials.get(j);
                Bits fin = finals.get(j);
                when(mine, () -> partial.set(sum));
                when(mine.and(sumLast), () -> fin.set(sum));
                when(launch, () -> fin.set(B(0, 32)));
                snapshot.add(mux(mine.and(sumLast), sum, fin));
            }
            rowDone = new Flow<>(launch, new RowPartials(new Vec<>(snapshot), rowT.at(sumCycle)));
        }
    }

    /** N5.2's pairwise tree over a row's partials, then the multiply by C. */
    static final class ScoreTree extends Area {
        final Flow<Score> scoreOut;
        final int outputCycle;

        ScoreTree(int lanes, int positionBits, LanePartials partials, Bits scale, Flow<Score> scores) {
            super("score_tree", "the pairwise tree over each row's L partials (N5.2) and the multiply by the scale");
            Pipeline pipe = new Pipeline("row_done", partials.rowDone.valid);
            List<Timed<Bits>> level = new ArrayList<>();
            for (int j = 0; j < lanes; j++) {
                level.add(pipe.input("tree_in_" + j, partials.rowDone.payload.partials().get(j)));
            }
            Timed<Bits> score = Fp32Mul.apply("scaled", Fp32Add.tree("tree", level), pipe.steady(scale));
            outputCycle = score.cycle();
            UInt row = pipe.input("tree_row", partials.rowDone.payload.row()).at(outputCycle);
            scoreOut = new Flow<>(pipe.valid(outputCycle), new Score(row, score.value()));
            scores.valid.set(scoreOut.valid);
            scores.payload.position().set(row);
            scores.payload.value().set(score.value());
        }
    }
}
