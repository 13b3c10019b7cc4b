package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.model.numerics.StorageFormat;

/**
 * Decode attention for one query head (NUMERICS.md N15, the whole of it): the {@link AttentionScores} pass over
 * the key rows, the {@link AttentionSoftmax} pass over the scores, the {@link AttentionValues} pass over the
 * value rows, joined by an on-chip buffer of one binary32 per position (the scores, overwritten by their
 * weights), sized for the build's whole context, so no context up to the maximum is refused.
 *
 * <p>A head starts with {@link #setup} (positions n, beats per row d/W, the score scale C); the query and the
 * key rows follow on {@link #query} and {@link #keys}, then the value rows on {@link #values}; the head's
 * output, d/W beats of W stored values, leaves on {@link #out}. The next head may start once the output has
 * left. Keys and values are read once per query head (a GQA group's query heads, today, each read them).
 *
 * <p>Processes: the {@link Controller} (the pass in progress) and the {@link BufferReader} (feeds the buffer's
 * contents, in position order, to the softmax and then to the value pass). Named
 * {@code DecodeAttention_l<L>_w<W>_d<D>_<format>}.
 */
public final class DecodeAttention extends Module {
    /** One head: positions n, beats per row d/W, the scale C (binary32 bits). */
    public record Setup(UInt positions, UInt rowBeats, Bits scale) {}

    enum Pass { IDLE, SCORES, SOFTMAX, VALUES }

    public final Stream<Setup> setup;
    public final Stream<Vec<Bits>> query;
    public final Stream<Vec<Bits>> keys;
    public final Stream<Vec<Bits>> values;
    public final Stream<Vec<Bits>> out;
    public final Bool idle;

    /** The decode attention of build {@code config} (the passes' {@code of(config)}). */
    public static DecodeAttention of(AcceleratorConfig config) {
        return new DecodeAttention(config.elementwise().sumLanes(), config.memory().portBits() / 16,
                config.limits().headDim(), config.limits().context(), config.elementwise().storage());
    }

    public DecodeAttention(int lanes, int width, int maxHeadDim, int maxPositions, StorageFormat storage) {
        param("l", lanes);
        param("w", width);
        param("d", maxHeadDim);
        param("", storage.name().toLowerCase(java.util.Locale.ROOT));
        int positionBits = bitsFor(maxPositions);
        int beatBits = bitsFor(maxHeadDim / width);
        setup = in("setup", Stream.of(new Setup(uint(positionBits), uint(beatBits), bits(32))));
        query = in("query", Stream.of(vec(width, bits(16))));
        keys = in("keys", Stream.of(vec(width, bits(16))));
        values = in("values", Stream.of(vec(width, bits(16))));
        out = out("out", Stream.of(vec(width, bits(16))));
        idle = out("idle", bool());

        AttentionScores scores = instance("scores", new AttentionScores(lanes, width, maxHeadDim, maxPositions, storage));
        AttentionSoftmax softmax = instance("softmax", new AttentionSoftmax(lanes, maxPositions));
        AttentionValues valuePass = instance("value_pass",
                new AttentionValues(lanes, width, maxHeadDim, maxPositions, storage));
        query.connectTo(scores.query);
        keys.connectTo(scores.keys);
        values.connectTo(valuePass.values);
        valuePass.out.connectTo(out);

        Mem<Bits> buffer = mem("score_buffer", bits(32), maxPositions)
                .style(maxPositions >= 64 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED);
        // One write port: the scores in the first pass, their weights in the second (same positions, in order).
        when(scores.scores.valid, () -> buffer.write(scores.scores.payload.position().resize(log2Up(maxPositions)),
                scores.scores.payload.value()));
        when(softmax.weights.valid, () -> buffer.write(softmax.weights.payload.position().resize(log2Up(maxPositions)),
                softmax.weights.payload.value()));

        Controller controller = area(new Controller(positionBits, setup, scores, softmax, valuePass));
        BufferReader reader = area(new BufferReader(maxPositions, positionBits, buffer, controller, softmax, valuePass));
        controller.readerDone.set(reader.done);
        idle.set(controller.pass.is(Pass.IDLE));
    }

    /** Starts each pass when the previous one ends and passes the head's parameters along. */
    static final class Controller extends Area {
        final HwEnum<Pass> pass;
        final UInt positions;
        final Bool readerDone;

        Controller(int positionBits, Stream<Setup> setup, AttentionScores scores, AttentionSoftmax softmax,
                   AttentionValues valuePass) {
            super("controller", "the pass in progress (scores, softmax, values) and the head's parameters");
            pass = reg("pass", enumOf(Pass.class), Pass.IDLE);
            positions = reg("positions", uint(positionBits), 0);
            UInt rowBeats = reg("row_beats", uint(widthOf(setup.payload.rowBeats())), 0);
            Bits max = reg("max", bits(32), 0);
            Bits reciprocal = reg("reciprocal", bits(32), 0);
            Bool softmaxPending = reg("softmax_pending", bool(), 0);
            Bool valuesPending = reg("values_pending", bool(), 0);
            readerDone = wire("reader_finished", bool());

            // The head enters the score pass directly; the other passes are started from registers.
            setup.ready.set(pass.is(Pass.IDLE).and(scores.setup.ready));
            scores.setup.valid.set(setup.valid.and(pass.is(Pass.IDLE)));
            scores.setup.payload.positions().set(setup.payload.positions());
            scores.setup.payload.rowBeats().set(setup.payload.rowBeats());
            scores.setup.payload.scale().set(setup.payload.scale());
            softmax.setup.valid.set(softmaxPending);
            softmax.setup.payload.positions().set(positions);
            softmax.setup.payload.max().set(max);
            valuePass.setup.valid.set(valuesPending);
            valuePass.setup.payload.positions().set(positions);
            valuePass.setup.payload.rowBeats().set(rowBeats);
            valuePass.setup.payload.reciprocal().set(reciprocal);

            when(setup.fire(), () -> {
                positions.set(setup.payload.positions());
                rowBeats.set(setup.payload.rowBeats());
                pass.set(Pass.SCORES);
            });
            when(scores.max.valid, () -> {
                max.set(scores.max.payload);
                softmaxPending.set(true);
                pass.set(Pass.SOFTMAX);
            });
            when(softmax.setup.fire(), () -> softmaxPending.set(false));
            when(softmax.reciprocal.valid, () -> {
                reciprocal.set(softmax.reciprocal.payload);
                valuesPending.set(true);
                pass.set(Pass.VALUES);
            });
            when(valuePass.setup.fire(), () -> valuesPending.set(false));
            when(pass.is(Pass.VALUES).and(valuesPending.not()).and(readerDone).and(valuePass.idle), () ->
                    pass.set(Pass.IDLE));
        }
    }

    /**
     * Reads the buffer in position order into the softmax (scores) or the value pass (weights), through a small
     * queue that absorbs the read latency and the consumer's pauses.
     */
    static final class BufferReader extends Area {
        /** Every position of the current pass has been read and taken. */
        final Bool done;

        BufferReader(int maxPositions, int positionBits, Mem<Bits> buffer, Controller controller,
                     AttentionSoftmax softmax, AttentionValues valuePass) {
            super("buffer_reader", "reads the scores, then the weights, in order for the pass that needs them");
            int queueDepth = 4;
            UInt next = reg("read_next", uint(positionBits), 0);
            Bool toSoftmax = controller.pass.is(Pass.SOFTMAX);
            Bool toValues = controller.pass.is(Pass.VALUES);
            Bool reading = toSoftmax.or(toValues).named("reading");
            Bool passStart = toSoftmax.and(regNext("was_softmax", toSoftmax, 0).not())
                    .or(toValues.and(regNext("was_values", toValues, 0).not())).named("pass_start");
            Stream<Bits> words = wire("buffer_word", Stream.of(bits(32)));
            Stream.Queued<Bits> queued = words.queue("read_queue", queueDepth, RamStyle.DISTRIBUTED);
            // A read lands in the queue a cycle after it is issued: issue only while that word, the one
            // landing now and the words held all fit.
            Bool arrived = wire("read_arrived", bool());
            Bool room = queued.occupancy().resize(4).add(arrived.asUInt().resize(4)).trunc(4).lt(queueDepth - 1)
                    .named("read_room");
            Bool issue = reading.and(passStart.not()).and(next.lt(controller.positions)).and(room).named("read_issue");
            Bits word = buffer.readSync("buffer_read", next.resize(log2Up(maxPositions)), issue, 1);
            arrived.set(regNext("read_landing", issue, 0));
            words.valid.set(arrived);
            words.payload.set(word);
            when(passStart, () -> next.set(0)).elseWhen(issue, () -> next.set(next.add(1).trunc(positionBits)));
            assertAlways(arrived.not().or(words.ready), "DecodeAttention: the read queue has room for every read");

            Stream<Bits> queue = queued.stream();
            softmax.scores.valid.set(queue.valid.and(toSoftmax));
            softmax.scores.payload.set(queue.payload);
            valuePass.weights.valid.set(queue.valid.and(toSoftmax.not()));
            valuePass.weights.payload.set(queue.payload);
            queue.ready.set(mux(toSoftmax, softmax.scores.ready, valuePass.weights.ready));
            done = reading.and(passStart.not()).and(next.eq(controller.positions)).and(queued.occupancy().eq(0))
                    .and(arrived.not()).named("reader_done");
        }
    }
}
