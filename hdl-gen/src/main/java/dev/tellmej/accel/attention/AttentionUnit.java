package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import dev.tellmej.hdl.lib.fp.Fp32Max;
import dev.tellmej.hdl.lib.fp.FpFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Attention over the KV cache in DDR for one KV head (NUMERICS.md N15, exactly): decode of a GQA group's query
 * heads, a prefill block's tokens, or both at once, each query a <em>slot</em>; the head's K rows and then its V
 * rows are read from DDR once per command and serve every slot.
 *
 * <p><b>A command</b> ({@link Command}) names the head's first K row and first V row in the KV cache, the
 * positions the first token attends to (its position + 1), the tokens (consecutive positions) and the query
 * heads per token; slot {@code token x heads + head} attends to {@code first + token} positions. The slots'
 * queries follow on {@link #queries} (slot by slot, d/W beats of W stored values each, as the RoPE epilogue
 * writes them); each slot's output (d/W beats, storage-rounded) leaves on {@link #out} in slot order; then
 * {@link #done} pulses with an {@link ErrorCode}. A refused command takes no queries: {@code done} pulses a few
 * cycles after it is taken, with BAD_FIELD (no tokens or heads, more slots than the unit has, d/W of 0 or above the maximum, no positions)
 * or CONTEXT_OVERFLOW (a token would attend to more positions than the build's context); DDR_ERROR says a K or
 * V beat came back with SLVERR or DECERR (the outputs are then meaningless, but the unit finishes the command).
 *
 * <p><b>Passes</b>: the {@link ScoreEngine} multiplies each slot's query with the K rows it attends to (rows
 * past the last slot's context are never read: the causal mask of a prefill block), writing the scores into a
 * score buffer sized for the whole context of every slot and keeping each slot's maximum; the
 * {@link AttentionSoftmax} turns each slot's scores into weights in place and gives its rz; the
 * {@link ValueEngine} adds the weighted V rows into per-lane partials and reduces them. K and V arrive through
 * the {@link ChunkLoader}, a chunk of rows ahead of the pass; V's first chunks while the score pass ends and the
 * softmax runs. The score and value passes multiply and add on one set of W lanes ({@link MacLanes}), the value
 * pass's in phase VALUES and the score pass's otherwise. Named {@code AttentionUnit_<shape>}.
 */
public final class AttentionUnit extends Module {
    /**
     * One KV head's attention for a group of slots.
     *
     * @param keyAddress     byte address of the head's K row of position 0 (beat-aligned), 64 bits
     * @param valueAddress   byte address of the head's V row of position 0 (beat-aligned), 64 bits
     * @param firstPositions positions the first token attends to (its position + 1), 32 bits
     * @param tokens         consecutive tokens (a prefill block; 1 in decode), 8 bits
     * @param heads          query heads per token (a GQA group), 8 bits
     * @param rowBeats       beats per row, d / W, 8 bits
     * @param scale          the score scale C (binary32 bits)
     */
    public record Command(UInt keyAddress, UInt valueAddress, UInt firstPositions, UInt tokens, UInt heads,
                          UInt rowBeats, Bits scale) {}

    /** A command finished: its {@link ErrorCode} value (0 for success). */
    public record Done(UInt errorCode) {}

    /** SIZE and CHECK: a taken command's slot count is a product, registered before the checks read it. */
    enum Phase { IDLE, SIZE, CHECK, QUERIES, SCORES, SOFTMAX, VALUES }

    public final Stream<Command> command;
    public final Stream<Vec<Bits>> queries;
    public final Stream<Vec<Bits>> out;
    public final Flow<Done> done;
    public final Axi4 axi;
    /** No command in progress. */
    public final Bool idle;
    /** The shape it was built for. */
    public final AttentionShape shape;

    /** The attention unit of build {@code config} ({@link AttentionShape#of}). */
    public static AttentionUnit of(AcceleratorConfig config) {
        return new AttentionUnit(AttentionShape.of(config));
    }

    public AttentionUnit(AttentionShape shape) {
        this.shape = shape;
        param("", shape.suffix());
        int width = shape.width();
        command = in("command", Stream.of(new Command(uint(64), uint(64), uint(32), uint(8), uint(8), uint(8),
                bits(32))));
        queries = in("queries", Stream.of(vec(width, bits(16))));
        out = out("out", Stream.of(vec(width, bits(16))));
        done = out("done", Flow.of(new Done(uint(8))));
        idle = out("idle", bool());
        AxiBurstReader reader = instance("kv_reader", new AxiBurstReader(shape.bursts()));
        axi = out("m_axi", Axi4.master(shape.bursts().axi()));
        forward(axi, reader.axi);

        Mem<Bits> queryStore = mem("query_store", bits(16 * width), shape.slots() * shape.rowStride())
                .style(RamStyle.DISTRIBUTED);
        Mem<Bits> chunkBuffer = mem("chunk_buffer", bits(16 * width), shape.chunkBufferWords())
                .style(shape.chunkBufferWords() >= 64 ? RamStyle.BLOCK : RamStyle.DISTRIBUTED);
        boolean ultra = (long) shape.scoreBufferWords() * 32 >= 256 * 1024;
        int scoreLatency = ultra ? 2 : 1;
        Mem<Bits> scoreBuffer = mem("score_buffer", bits(32), shape.scoreBufferWords())
                .style(ultra ? RamStyle.ULTRA : RamStyle.BLOCK);
        int chunkAddressBits = log2Up(shape.chunkBufferWords());
        int scoreAddressBits = log2Up(shape.scoreBufferWords());

        Bool scoresFinished = wire("scores_finished", bool());
        Bool softmaxFinished = wire("softmax_finished", bool());
        Bool valuesFinished = wire("values_finished", bool());
        Bool loaderFailed = wire("loader_failed", bool());
        Controller controller = area(new Controller(shape, command, queries, queryStore, scoresFinished,
                softmaxFinished, valuesFinished, loaderFailed, done));

        BufferPort keyPort = BufferPort.wires("key_port", chunkAddressBits, 16 * width, 1);
        BufferPort valuePort = BufferPort.wires("value_port", chunkAddressBits, 16 * width, 1);
        BufferPort scorePort = BufferPort.wires("softmax_port", scoreAddressBits, 32, scoreLatency);
        BufferPort weightPort = BufferPort.wires("weight_port", scoreAddressBits, 32, scoreLatency);
        shareReadPort("chunk_read", chunkBuffer, keyPort, valuePort);
        shareReadPort("score_read", scoreBuffer, scorePort, weightPort);

        UInt keysLoaded = wire("key_chunks_loaded", uint(shape.chunkBits()));
        UInt valuesLoaded = wire("value_chunks_loaded", uint(shape.chunkBits()));
        Bool valueHalf = wire("value_first_half", bool());
        UInt keyRowsLanded = wire("key_chunk_rows_landed", uint(shape.chunkRowBits()));
        UInt valueRowsLanded = wire("value_chunk_rows_landed", uint(shape.chunkRowBits()));
        MacLanes.Port scoreMac = MacLanes.Port.wires("score_mac", width);
        MacLanes.Port valueMac = MacLanes.Port.wires("value_mac", width);
        // The value pass owns the lanes in VALUES, the score pass otherwise: each pass's operations start and
        // end inside its phase (the score pass ends when its last score has left; the value pass when every
        // slot's output has, long after its last sum).
        area(new MacLanes(width, controller.phase.is(Phase.VALUES).named("mac_for_values"), scoreMac, valueMac));
        ScoreEngine scores = area(new ScoreEngine(shape, controller, controller.startScores, keysLoaded,
                keyRowsLanded, keyPort, queryStore, scoreMac));
        AttentionSoftmax softmax = instance("softmax", new AttentionSoftmax(shape.lanes(), shape.context()));
        ScoreSink sink = area(new ScoreSink(shape, controller, scores));
        SoftmaxStage stage = area(new SoftmaxStage(shape, controller, sink, softmax, scorePort));
        // One write port (UltraRAM and block RAM have a write and a read port): scores in the score pass, their
        // weights in the softmax pass.
        Bool scoreWrite = scores.scores.valid.or(softmax.weights.valid).named("score_buffer_write");
        UInt scoreWriteAddress = mux(scores.scores.valid, sink.writeAddress, stage.weightAddress)
                .named("score_buffer_write_address");
        Bits scoreWriteData = mux(scores.scores.valid, scores.scores.payload.value(), softmax.weights.payload.value())
                .named("score_buffer_write_data");
        when(scoreWrite, () -> scoreBuffer.write(scoreWriteAddress, scoreWriteData));
        ValueEngine values = area(new ValueEngine(shape, controller, controller.startValues, valuesLoaded,
                valueRowsLanded, valueHalf, valuePort, weightPort, stage.reciprocals, out, valueMac));
        ChunkLoader loader = area(new ChunkLoader(shape, controller, controller.startScores, controller.lastPositions,
                scores.consumed, values.consumed, controller.phase.is(Phase.VALUES), controller.accepted, reader,
                chunkBuffer));
        keysLoaded.set(loader.keysLoaded);
        valuesLoaded.set(loader.valuesLoaded);
        valueHalf.set(loader.valueHalf);
        keyRowsLanded.set(loader.keyRowsLanded);
        valueRowsLanded.set(loader.valueRowsLanded);
        scoresFinished.set(scores.finished);
        softmaxFinished.set(stage.finished);
        valuesFinished.set(values.finished);
        loaderFailed.set(loader.failed);
        idle.set(controller.phase.is(Phase.IDLE));
    }

    /** Puts two passes' ports on a memory's one synchronous read port (the passes never read at once). */
    private static void shareReadPort(String name, Mem<Bits> memory, BufferPort first, BufferPort second) {
        UInt address = mux(first.enable(), first.address(), second.address()).named(name + "_address");
        Bits data = memory.readSync(name, address, first.enable().or(second.enable()), first.latency());
        first.data().set(data);
        second.data().set(data);
    }

    /** The command, its checks, the phase and the start of each pass. */
    static final class Controller extends Area {
        final HwEnum<Phase> phase;
        final UInt keyAddress;
        final UInt valueAddress;
        /** Positions the first slot attends to. */
        final UInt firstPositions;
        /** Positions the last slot attends to: the rows each pass reads. */
        final UInt lastPositions;
        final UInt heads;
        final UInt slots;
        final UInt rowBeats;
        final Bits scale;
        /** Event: a command is taken (its checks passed or not). */
        final Bool accepted;
        final Bool startScores;
        final Bool startValues;

        Controller(AttentionShape shape, Stream<Command> command, Stream<Vec<Bits>> queries, Mem<Bits> queryStore,
                   Bool scoresFinished, Bool softmaxFinished, Bool valuesFinished, Bool loaderFailed, Flow<Done> done) {
            super("controller", "takes and checks a command, stores the slots' queries and starts each pass");
            int positionBits = shape.positionBits();
            phase = reg("phase", enumOf(Phase.class), Phase.IDLE);
            keyAddress = reg("key_address", uint(64), 0);
            valueAddress = reg("value_address", uint(64), 0);
            firstPositions = reg("first_positions", uint(positionBits), 0);
            lastPositions = reg("last_positions", uint(positionBits), 0);
            heads = reg("heads", uint(8), 0);
            slots = reg("slots", uint(8), 0);
            rowBeats = reg("row_beats", uint(8), 0);
            scale = reg("scale", bits(32), 0);
            UInt querySlot = reg("query_slot", uint(8), 0);
            UInt queryBeat = reg("query_beat", uint(8), 0);
            Bool doneValid = reg("done_pending", bool(), 0);
            UInt doneCode = reg("done_code", uint(8), 0);

            // A command is taken into registers with the checks that need no product (IDLE), its slot count is
            // registered (SIZE), then it is checked (CHECK): a cycle a step, so no path runs from the command's
            // port through a multiplier into the phase.
            Command c = command.payload;
            UInt tokens = reg("command_tokens", uint(8), 0);
            UInt slotCount = reg("command_slots", uint(16), 0);
            Bool badFields = reg("command_bad_fields", bool(), 0);
            UInt reach = reg("command_reach", uint(34), 0);
            Bool badShape = badFields.or(slotCount.gt(shape.slots())).named("command_bad_field");
            Bool overflow = reach.gt(shape.context()).named("command_overflow");
            Bool refused = badShape.or(overflow).named("command_refused");
            command.ready.set(phase.is(Phase.IDLE));
            accepted = command.fire().named("command_accepted");
            queries.ready.set(phase.is(Phase.QUERIES));
            Bool lastQueryBeat = queryBeat.eq(rowBeats.sub(1).trunc(8)).named("last_query_beat");
            Bool lastQuerySlot = querySlot.eq(slots.sub(1).trunc(8)).named("last_query_slot");
            startScores = queries.fire().and(lastQueryBeat).and(lastQuerySlot).named("start_scores");
            startValues = phase.is(Phase.SOFTMAX).and(softmaxFinished).named("start_values");
            UInt storeAddress = cat(querySlot.resize(shape.slotBits()), queryBeat.resize(log2Up(shape.rowStride())))
                    .asUInt().resize(log2Up(shape.slots() * shape.rowStride())).named("query_store_address");
            when(queries.fire(), () -> queryStore.write(storeAddress, asBits(queries.payload)));

            doneValid.set(false);
            when(accepted, () -> {
                keyAddress.set(c.keyAddress());
                valueAddress.set(c.valueAddress());
                firstPositions.set(c.firstPositions().resize(positionBits));
                tokens.set(c.tokens());
                heads.set(c.heads());
                rowBeats.set(c.rowBeats());
                scale.set(c.scale());
                badFields.set(c.tokens().eq(0).or(c.heads().eq(0)).or(c.rowBeats().eq(0))
                        .or(c.rowBeats().gt(shape.maxRowBeats())).or(c.firstPositions().eq(0)));
                reach.set(c.firstPositions().resize(34).add(c.tokens().resize(34)).sub(1).trunc(34));
                querySlot.set(0);
                queryBeat.set(0);
                phase.set(Phase.SIZE);
            });
            when(phase.is(Phase.SIZE), () -> {
                slotCount.set(tokens.mul(heads));
                phase.set(Phase.CHECK);
            });
            when(phase.is(Phase.CHECK), () -> {
                lastPositions.set(reach.resize(positionBits));
                slots.set(slotCount.resize(8));
                phase.set(Phase.QUERIES);
                when(refused, () -> {
                    phase.set(Phase.IDLE);
                    doneValid.set(true);
                    doneCode.set(mux(badShape, U(ErrorCode.BAD_FIELD.code(), 8),
                            U(ErrorCode.CONTEXT_OVERFLOW.code(), 8)));
                });
            });
            when(queries.fire(), () -> {
                queryBeat.set(queryBeat.add(1).trunc(8));
                when(lastQueryBeat, () -> {
                    queryBeat.set(0);
                    querySlot.set(querySlot.add(1).trunc(8));
                });
            });
            when(startScores, () -> phase.set(Phase.SCORES));
            when(phase.is(Phase.SCORES).and(scoresFinished), () -> phase.set(Phase.SOFTMAX));
            when(startValues, () -> phase.set(Phase.VALUES));
            when(phase.is(Phase.VALUES).and(valuesFinished), () -> {
                phase.set(Phase.IDLE);
                doneValid.set(true);
                doneCode.set(mux(loaderFailed, U(ErrorCode.DDR_ERROR.code(), 8), U(ErrorCode.NONE.code(), 8)));
            });
            done.valid.set(doneValid);
            done.payload.errorCode().set(doneCode);
        }
    }

    /** Places each score in the score buffer and keeps each slot's maximum (N15.2, from -inf). */
    static final class ScoreSink extends Area {
        final List<Bits> maxima;
        /** Where the score on the engine's output goes in the score buffer. */
        final UInt writeAddress;

        ScoreSink(AttentionShape shape, Controller controller, ScoreEngine scores) {
            super("score_sink", "the place of each score (its slot and position) and each slot's maximum");
            maxima = new ArrayList<>();
            for (int s = 0; s < shape.slots(); s++) {
                Bits max = reg("max_" + s, bits(32), 0);
                final int ss = s;
                when(controller.startScores, () -> max.set(FpFormat.FP32.constant(0xFF800000L)))
                        .elseWhen(scores.scores.valid.and(scores.scores.payload.slot().eq(ss)), () ->
                                max.set(Fp32Max.max(max, scores.scores.payload.value())));
                maxima.add(max);
            }
            int addressBits = log2Up(shape.scoreBufferWords());
            writeAddress = cat(scores.scores.payload.slot(), scores.scores.payload.position()
                    .resize(shape.positionIndexBits())).asUInt().resize(addressBits).named("score_write_address");
        }
    }

    /**
     * Runs the softmax slot by slot: the slot's scores are read from the buffer in position order through a
     * small queue (it absorbs the read latency and the softmax's pauses), its weights are written back in their
     * place, and its rz is kept for the value pass.
     */
    static final class SoftmaxStage extends Area {
        enum Step { IDLE, SETUP, RUN }

        final List<Bits> reciprocals;
        final Bool finished;

        SoftmaxStage(AttentionShape shape, Controller controller, ScoreSink sink, AttentionSoftmax softmax,
                     BufferPort port) {
            super("softmax_stage", "feeds each slot's scores to the softmax and keeps its reciprocal of Z");
            int positionBits = shape.positionBits();
            HwEnum<Step> step = reg("step", enumOf(Step.class), Step.IDLE);
            Bool slotDone = softmax.reciprocal.valid.named("softmax_slot_done");
            Bool begin = controller.phase.is(Phase.SOFTMAX).and(step.is(Step.IDLE)).named("softmax_begin");
            SlotWalker walker = area(new SlotWalker("softmax_slots", shape, controller, begin, slotDone));
            UInt next = reg("read_next", uint(positionBits), 0);
            when(begin, () -> step.set(Step.SETUP));
            softmax.setup.valid.set(step.is(Step.SETUP));
            softmax.setup.payload.positions().set(walker.positions);
            softmax.setup.payload.max().set(sink.maxima.size() == 1 ? sink.maxima.getFirst()
                    : new Vec<>(sink.maxima).get("slot_max", walker.slot));
            when(softmax.setup.fire(), () -> {
                next.set(0);
                step.set(Step.RUN);
            });

            int depth = port.latency() + 3;
            Stream<Bits> words = wire("score_word", Stream.of(bits(32)));
            Stream.Queued<Bits> queued = words.queue("score_queue", depth, RamStyle.DISTRIBUTED);
            UInt inFlight = reg("reads_in_flight", uint(3), 0);
            Bool arrived = wire("score_arrived", bool());
            Bool room = queued.occupancy().resize(4).add(inFlight.resize(4)).trunc(4).lt(depth).named("score_room");
            Bool issue = step.is(Step.RUN).and(next.lt(walker.positions)).and(room).named("score_issue_read");
            port.address().set(cat(walker.slot, next.resize(shape.positionIndexBits())).asUInt()
                    .resize(widthOf(port.address())));
            port.enable().set(issue);
            Bool landing = issue;
            for (int i = 0; i < port.latency(); i++) {
                landing = regNext("score_landing_" + i, landing, 0);
            }
            arrived.set(landing);
            inFlight.set(inFlight.add(issue.asUInt().resize(3)).trunc(3).sub(arrived.asUInt().resize(3)).trunc(3));
            words.valid.set(arrived);
            words.payload.set(port.data());
            assertAlways(arrived.not().or(words.ready), "AttentionUnit: the score queue has room for every read");
            when(issue, () -> next.set(next.add(1).trunc(positionBits)));
            queued.stream().connectTo(softmax.scores);

            reciprocals = new ArrayList<>();
            for (int s = 0; s < shape.slots(); s++) {
                Bits rz = reg("rz_" + s, bits(32), 0);
                final int ss = s;
                when(slotDone.and(walker.slot.eq(ss)), () -> rz.set(softmax.reciprocal.payload));
                reciprocals.add(rz);
            }
            finished = slotDone.and(walker.last).named("softmax_all_done");
            when(slotDone, () -> step.set(Step.SETUP));
            when(finished, () -> step.set(Step.IDLE));
            weightAddress = cat(walker.slot, softmax.weights.payload.position().resize(shape.positionIndexBits()))
                    .asUInt().resize(log2Up(shape.scoreBufferWords())).named("weight_write_address");
        }

        /** Where the weight on the softmax's output goes in the score buffer. */
        final UInt weightAddress;
    }
}
