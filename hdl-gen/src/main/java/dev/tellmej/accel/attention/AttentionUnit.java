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
 * heads, a prefill block's tokens, or both at once, each query a <em>slot</em>; the head's K rows (on the key
 * port) and V rows (on the value port) are read from DDR once per command and serve every slot.
 *
 * <p><b>A command</b> ({@link Command}) names the head's first K row and first V row in the KV cache, the
 * positions the first token attends to (its position + 1), the tokens (consecutive positions) and the query
 * heads per token; slot {@code token x heads + head} attends to {@code first + token} positions. The slots'
 * queries follow on {@link #queries} (slot by slot, d/W beats of W stored values each, as the RoPE epilogue
 * writes them); each slot's output (d/W beats, storage-rounded) leaves on {@link #out} in slot order; then
 * {@link #done} pulses with an {@link ErrorCode}. Commands finish in the order taken. A refused command takes no
 * queries: its {@code done} pulses once the commands before it have finished, with BAD_FIELD (no tokens or
 * heads, more slots than the unit has, d/W of 0 or above the maximum, no positions) or CONTEXT_OVERFLOW (a token
 * would attend to more positions than the build's context); DDR_ERROR says a K or V beat of the command came back
 * with SLVERR or DECERR (the outputs are then meaningless, but the unit finishes the command).
 *
 * <p><b>Passes</b>: the {@link ScoreEngine} multiplies each slot's query with the K rows it attends to (rows
 * past the last slot's context are never read: the causal mask of a prefill block), writing the scores into a
 * score buffer sized for the whole context of every slot and keeping each slot's maximum M; the
 * {@link ValueEngine} reads each score back as it weights the row, {@code e_t = exp(s_t - M)} (the softmax is
 * fused into the value pass, so the scores are read once and no weight is written back), adds the weighted V
 * rows into per-lane partials and the weights into Z's lanes, and reduces them. K and V each arrive
 * through P {@link ChunkLoader}s on P ports ({@link AttentionShape#ports}; chunk k of a head's rows on port
 * k mod P), chunks of rows ahead of their pass, which takes P beats of a row a cycle. Each pass has its own
 * P x W multiply-add lanes ({@link MacLanes}).
 *
 * <p><b>Two commands at once.</b> The {@link Controller} (the score side) takes a command, its queries and runs
 * its score pass, then hands it to the {@link ValueSide}, and takes the next command while the value pass of
 * the last runs: the score pass of one command runs beside the value pass of the one before, on the other
 * ports. Their per-slot stores do not meet: a command that runs beside another takes the other half of the slots
 * ({@link CommandFields#base}; the maxima of only its own slots start again), so each may have at most half the
 * unit's slots (a larger one waits until the value side is free). The score buffer's write port is the score
 * pass's, its read port the value pass's. Named {@code AttentionUnit_<shape>}.
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

    /**
     * The score side's phases. SIZE and CHECK: a taken command's slot count is a product, registered before the
     * checks read it; CHECK also waits for room beside the value side's command. HANDOFF: the score pass is done,
     * the value side is not free yet. REFUSED: the done of a refused command waits for the command before it.
     */
    enum Phase { IDLE, SIZE, CHECK, QUERIES, SCORES, HANDOFF, REFUSED }

    /** The value side's phases. */
    enum ValuePhase { IDLE, VALUES }

    public final Stream<Command> command;
    public final Stream<Vec<Bits>> queries;
    public final Stream<Vec<Bits>> out;
    public final Flow<Done> done;
    /**
     * The key ports, P of them ({@link AttentionShape#ports}): K rows, chunk k of a head's on port k mod P
     * ({@code m_axi_k}, or {@code m_axi_k0}, {@code m_axi_k1}, ... with several).
     */
    public final List<Axi4> keyAxi;
    /** The value ports: V rows, as the key ports ({@code m_axi_v}, or {@code m_axi_v0}, ...). */
    public final List<Axi4> valueAxi;
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
        int ports = shape.ports();
        List<AxiBurstReader> keyReaders = new ArrayList<>();
        List<AxiBurstReader> valueReaders = new ArrayList<>();
        keyAxi = new ArrayList<>();
        valueAxi = new ArrayList<>();
        for (int l = 0; l < ports; l++) {
            String index = ports > 1 ? String.valueOf(l) : "";
            keyReaders.add(instance("key_reader" + index, new AxiBurstReader(shape.bursts())));
            valueReaders.add(instance("value_reader" + index, new AxiBurstReader(shape.bursts())));
            keyAxi.add(out("m_axi_k" + index, Axi4.master(shape.bursts().axi())));
            valueAxi.add(out("m_axi_v" + index, Axi4.master(shape.bursts().axi())));
            forward(keyAxi.getLast(), keyReaders.getLast().axi);
            forward(valueAxi.getLast(), valueReaders.getLast().axi);
        }

        // The query store: beat b of a slot's query in memory b mod P, so the score pass reads a pass beat a cycle.
        List<Mem<Bits>> queryStore = new ArrayList<>();
        for (int p = 0; p < ports; p++) {
            queryStore.add(mem("query_store" + (ports > 1 ? "_" + p : ""), bits(16 * width), shape.queryStoreWords())
                    .style(RamStyle.DISTRIBUTED));
        }
        boolean ultra = (long) shape.scoreBufferWords() * 32 >= 256 * 1024;
        int scoreLatency = ultra ? 2 : 1;
        Mem<Bits> scoreBuffer = mem("score_buffer", bits(32), shape.scoreBufferWords())
                .style(ultra ? RamStyle.ULTRA : RamStyle.BLOCK);
        int chunkAddressBits = shape.portBits() + log2Up(shape.chunkBufferWords());
        int scoreAddressBits = log2Up(shape.scoreBufferWords());

        Bool scoresFinished = wire("scores_finished", bool());
        Bool valueJobRequesting = wire("value_job_requesting", bool());
        Bool valueBusy = wire("value_busy", bool());
        UInt valueSlots = wire("value_command_slots", uint(8));
        UInt valueBase = wire("value_command_base", uint(shape.slotBits()));
        Controller controller = area(new Controller(shape, command, queries, queryStore, scoresFinished,
                valueBusy, valueSlots, valueBase, valueJobRequesting));

        BufferPort keyPort = BufferPort.wires("key_port", chunkAddressBits, 16 * shape.passWidth(),
                shape.chunkBufferLatency());
        BufferPort valuePort = BufferPort.wires("value_port", chunkAddressBits, 16 * shape.passWidth(),
                shape.chunkBufferLatency());
        // The score buffer's read port is the value pass's: it reads each (slot, position) score as it weights the
        // row (the softmax is fused into the value pass).
        BufferPort scorePort = BufferPort.wires("score_port", scoreAddressBits, 32, scoreLatency);
        scorePort.data().set(scoreBuffer.readSync("score_read", scorePort.address(), scorePort.enable(),
                scoreLatency));

        // ---- K: a job per score pass, on the key ports.
        Bool keyChunkDone = wire("key_chunk_consumed", bool());
        UInt keyChunkLoader = wire("key_chunk_loader", uint(Math.max(1, shape.portBits())));
        List<ChunkLoader> keyLoaders = loaders("key", shape, controller.startScores, controller.keyAddress,
                controller.fields, keyChunkDone, keyChunkLoader, keyReaders);
        ChunkLoader.readPort("key_read", shape, keyLoaders, keyPort);
        List<UInt> keyBases = keyLoaders.stream().map(l -> l.jobBase).toList();
        ChunkProgress keyProgress = area(new ChunkProgress("key", shape, keyLoaders, keyBases));
        ScoreEngine scores = area(new ScoreEngine(shape, controller.fields, controller.scale, controller.startScores,
                keyProgress, keyPort, queryStore));
        keyChunkDone.set(scores.chunkFinished);
        keyChunkLoader.set(scores.chunkLoader);

        ScoreSink sink = area(new ScoreSink(shape, controller, scores));
        // One write port: the scores of the score pass.
        Bool scoreWrite = scores.scores.valid.named("score_buffer_write");
        UInt scoreWriteAddress = sink.writeAddress;
        Bits scoreWriteData = scores.scores.payload.value();
        when(scoreWrite, () -> scoreBuffer.write(scoreWriteAddress, scoreWriteData));

        // ---- V: a job per command, started while the command is on the score side, on the value ports.
        Bool valueChunkDone = wire("value_chunk_consumed", bool());
        UInt valueChunkLoader = wire("value_chunk_loader", uint(Math.max(1, shape.portBits())));
        List<ChunkLoader> valueLoaders = loaders("value", shape, controller.startValueJob, controller.valueAddress,
                controller.fields, valueChunkDone, valueChunkLoader, valueReaders);
        ChunkLoader.readPort("value_read", shape, valueLoaders, valuePort);
        valueJobRequesting.set(any(valueLoaders.stream().map(l -> l.requesting).toList())
                .named("value_loaders_requesting"));
        Bool valuesFinished = wire("values_finished", bool());
        Bool keysFailed = any(keyLoaders.stream().map(l -> l.failedLatest).toList()).named("key_job_failed");
        ValueSide valueSide = area(new ValueSide(shape, controller, keysFailed, valueLoaders, valuesFinished));
        valueBusy.set(valueSide.phase.is(ValuePhase.VALUES));
        valueSlots.set(valueSide.fields.slots());
        valueBase.set(valueSide.fields.base());
        ChunkProgress valueProgress = area(new ChunkProgress("value", shape, valueLoaders, valueSide.jobBases));
        ValueEngine values = area(new ValueEngine(shape, valueSide.fields, valueSide.start, valueProgress, valuePort,
                scorePort, sink.maxima, out));
        valueChunkDone.set(values.chunkFinished);
        valueChunkLoader.set(values.chunkLoader);
        valuesFinished.set(values.finished);
        scoresFinished.set(scores.finished);

        // ---- Done, in the order the commands were taken: the value side's, or a refusal once it is free.
        Bool doneValid = reg("done_pending", bool(), 0);
        UInt doneCode = reg("done_code", uint(8), 0);
        doneValid.set(false);
        when(valueSide.finished, () -> {
            doneValid.set(true);
            doneCode.set(valueSide.code);
        });
        when(controller.refusalDone, () -> {
            doneValid.set(true);
            doneCode.set(controller.refusalCode);
        });
        assertAlways(valueSide.finished.and(controller.refusalDone).not(),
                "AttentionUnit: one command finishes at a time");
        done.valid.set(doneValid);
        done.payload.errorCode().set(doneCode);
        idle.set(controller.phase.is(Phase.IDLE).and(valueSide.phase.is(ValuePhase.IDLE)));
    }

    /**
     * A pass's P loaders ({@code key} or {@code value}): loader l reads chunks l, l + P, ... of each job on reader l,
     * and frees a half of its buffer when the pass has finished a chunk of its own.
     */
    private static List<ChunkLoader> loaders(String name, AttentionShape shape, Bool start, UInt address,
            CommandFields fields, Bool chunkDone, UInt chunkLoader, List<AxiBurstReader> readers) {
        int ports = shape.ports();
        List<ChunkLoader> loaders = new ArrayList<>();
        for (int l = 0; l < ports; l++) {
            Bool consumed = ports == 1 ? chunkDone
                    : chunkDone.and(chunkLoader.eq(l)).named(name + "_chunk_consumed_" + l);
            loaders.add(area(new ChunkLoader(name + (ports > 1 ? String.valueOf(l) : ""), shape, l, start, address,
                    fields.lastPositions(), fields.rowBeats(), consumed, readers.get(l))));
        }
        return loaders;
    }

    /** Whether any of {@code flags} is set. */
    private static Bool any(List<Bool> flags) {
        Bool result = flags.getFirst();
        for (int i = 1; i < flags.size(); i++) {
            result = result.or(flags.get(i));
        }
        return result;
    }

    /**
     * The score side: takes and checks a command, finds its slots room, stores its queries, starts its score
     * pass and its V rows' job, and hands it to the value side.
     */
    static final class Controller extends Area {
        final HwEnum<Phase> phase;
        /** The command's fields, for the score pass and the V job. */
        final CommandFields fields;
        final UInt keyAddress;
        final UInt valueAddress;
        final Bits scale;
        /** Event: the score pass starts (the last query is in). */
        final Bool startScores;
        /** Event: the command's V job starts. */
        final Bool startValueJob;
        /** Event: the command goes to the value side. */
        final Bool handOff;
        /** Event: a refused command's done (the commands before it have finished). */
        final Bool refusalDone;
        /** The refused command's {@link ErrorCode}. */
        final UInt refusalCode;

        Controller(AttentionShape shape, Stream<Command> command, Stream<Vec<Bits>> queries, List<Mem<Bits>> queryStore,
                   Bool scoresFinished, Bool valueBusy, UInt valueSlots, UInt valueBase,
                   Bool valueJobRequesting) {
            super("controller", "takes and checks a command, stores its queries, starts its passes and hands it on");
            int positionBits = shape.positionBits();
            int half = shape.slots() / 2;
            phase = reg("phase", enumOf(Phase.class), Phase.IDLE);
            fields = new CommandFields(reg("first_positions", uint(positionBits), 0),
                    reg("last_positions", uint(positionBits), 0), reg("heads", uint(8), 0), reg("slots", uint(8), 0),
                    reg("row_beats", uint(8), 0), reg("slot_base", uint(shape.slotBits()), 0));
            keyAddress = reg("key_address", uint(64), 0);
            valueAddress = reg("value_address", uint(64), 0);
            scale = reg("scale", bits(32), 0);
            UInt querySlot = reg("query_slot", uint(8), 0);
            UInt queryBeat = reg("query_beat", uint(8), 0);
            Bool valueJobStarted = reg("value_job_started", bool(), 0);
            refusalCode = reg("refusal_code", uint(8), 0);

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
            // Room beside the value side's command: each in its half of the slots.
            Bool besideFits = half == 0 ? FALSE : slotCount.le(half).and(valueSlots.le(half))
                    .named("command_fits_beside");
            Bool room = valueBusy.not().or(besideFits).named("command_has_room");
            UInt base = half == 0 ? U(0, shape.slotBits())
                    : mux(valueBusy.and(valueBase.eq(0)), U(half, shape.slotBits()),
                            U(0, shape.slotBits())).named("command_slot_base");
            command.ready.set(phase.is(Phase.IDLE));
            Bool accepted = command.fire().named("command_accepted");
            queries.ready.set(phase.is(Phase.QUERIES));
            Bool lastQueryBeat = queryBeat.eq(fields.rowBeats().sub(1).trunc(8)).named("last_query_beat");
            Bool lastQuerySlot = querySlot.eq(fields.slots().sub(1).trunc(8)).named("last_query_slot");
            startScores = queries.fire().and(lastQueryBeat).and(lastQuerySlot).named("start_scores");
            UInt physicalSlot = querySlot.resize(shape.slotBits()).add(fields.base()).trunc(shape.slotBits())
                    .named("query_physical_slot");
            UInt storeAddress = cat(physicalSlot, PassBeats.of(shape, queryBeat)
                    .resize(shape.passStrideBits())).asUInt().resize(log2Up(shape.queryStoreWords()))
                    .named("query_store_address");
            for (int p = 0; p < queryStore.size(); p++) {
                Mem<Bits> store = queryStore.get(p);
                Bool mine = queryStore.size() == 1 ? TRUE : queryBeat.resize(shape.portBits()).eq(p);
                when(queries.fire().and(mine), () -> store.write(storeAddress, asBits(queries.payload)));
            }
            // The V job starts once the command is checked and the last job has requested all its chunks.
            startValueJob = phase.isOneOf(Phase.QUERIES, Phase.SCORES, Phase.HANDOFF)
                    .and(valueJobStarted.not()).and(valueJobRequesting.not()).named("start_value_job");
            handOff = phase.is(Phase.HANDOFF).and(valueBusy.not()).and(valueJobStarted).named("hand_off");
            refusalDone = phase.is(Phase.REFUSED).and(valueBusy.not()).named("refusal_done");

            when(accepted, () -> {
                keyAddress.set(c.keyAddress());
                valueAddress.set(c.valueAddress());
                fields.firstPositions().set(c.firstPositions().resize(positionBits));
                tokens.set(c.tokens());
                fields.heads().set(c.heads());
                fields.rowBeats().set(c.rowBeats());
                scale.set(c.scale());
                badFields.set(c.tokens().eq(0).or(c.heads().eq(0)).or(c.rowBeats().eq(0))
                        .or(c.rowBeats().gt(shape.maxRowBeats())).or(c.firstPositions().eq(0)));
                reach.set(c.firstPositions().resize(34).add(c.tokens().resize(34)).sub(1).trunc(34));
                querySlot.set(0);
                queryBeat.set(0);
                valueJobStarted.set(false);
                phase.set(Phase.SIZE);
            });
            when(phase.is(Phase.SIZE), () -> {
                slotCount.set(tokens.mul(fields.heads()));
                phase.set(Phase.CHECK);
            });
            when(phase.is(Phase.CHECK), () -> {
                when(refused, () -> {
                    phase.set(Phase.REFUSED);
                    refusalCode.set(mux(badShape, U(ErrorCode.BAD_FIELD.code(), 8),
                            U(ErrorCode.CONTEXT_OVERFLOW.code(), 8)));
                }).elseWhen(room, () -> {
                    fields.lastPositions().set(reach.resize(positionBits));
                    fields.slots().set(slotCount.resize(8));
                    fields.base().set(base);
                    phase.set(Phase.QUERIES);
                });
            });
            when(refusalDone, () -> phase.set(Phase.IDLE));
            when(queries.fire(), () -> {
                queryBeat.set(queryBeat.add(1).trunc(8));
                when(lastQueryBeat, () -> {
                    queryBeat.set(0);
                    querySlot.set(querySlot.add(1).trunc(8));
                });
            });
            when(startValueJob, () -> valueJobStarted.set(true));
            when(startScores, () -> phase.set(Phase.SCORES));
            when(phase.is(Phase.SCORES).and(scoresFinished), () -> phase.set(Phase.HANDOFF));
            when(handOff, () -> phase.set(Phase.IDLE));
        }
    }

    /**
     * The value side: the command whose value pass runs, its fields copied at the hand-off (so the score side
     * may take the next), the first chunk of its V job on each loader, and whether a beat of its K or V rows
     * failed.
     */
    static final class ValueSide extends Area {
        final HwEnum<ValuePhase> phase;
        final CommandFields fields;
        /** Each value loader's number of its first chunk of the command's V job (the job's bases). */
        final List<UInt> jobBases;
        /** Event: the value pass starts, a cycle after the hand-off (its walkers read the fields copied then). */
        final Bool start;
        /** Event: the command is finished (every output has left). */
        final Bool finished;
        /** The command's {@link ErrorCode} when it finishes. */
        final UInt code;

        /**
         * @param keyFailed    a beat of the score side's K job failed (read at the hand-off)
         * @param passFinished event: the value pass's last output has left
         */
        ValueSide(AttentionShape shape, Controller controller, Bool keyFailed, List<ChunkLoader> valueLoaders,
                  Bool passFinished) {
            super("value_side", "the command of the value pass: its fields, its V job and its outcome");
            phase = reg("value_phase", enumOf(ValuePhase.class), ValuePhase.IDLE);
            fields = new CommandFields(reg("value_first_positions", uint(shape.positionBits()), 0),
                    reg("value_last_positions", uint(shape.positionBits()), 0), reg("value_heads", uint(8), 0),
                    reg("value_slots", uint(8), 0), reg("value_row_beats", uint(8), 0),
                    reg("value_slot_base", uint(shape.slotBits()), 0));
            jobBases = new ArrayList<>();
            for (int l = 0; l < valueLoaders.size(); l++) {
                jobBases.add(reg("value_side_job_base" + (valueLoaders.size() > 1 ? "_" + l : ""),
                        uint(valueLoaders.get(l).countBits), 0));
            }
            start = regNext("value_pass_start", controller.handOff, 0);
            Bool failedKeys = reg("value_keys_failed", bool(), 0);
            // A V job started after this command's: the loader moved its flag to the older one.
            Bool newerJob = reg("value_newer_job", bool(), 0);
            finished = phase.is(ValuePhase.VALUES).and(passFinished).named("value_side_finished");
            when(controller.handOff, () -> {
                phase.set(ValuePhase.VALUES);
                fields.firstPositions().set(controller.fields.firstPositions());
                fields.lastPositions().set(controller.fields.lastPositions());
                fields.heads().set(controller.fields.heads());
                fields.slots().set(controller.fields.slots());
                fields.rowBeats().set(controller.fields.rowBeats());
                fields.base().set(controller.fields.base());
                for (int l = 0; l < valueLoaders.size(); l++) {
                    jobBases.get(l).set(valueLoaders.get(l).jobBase);
                }
                failedKeys.set(keyFailed);
                newerJob.set(false);
            }).elseWhen(controller.startValueJob, () -> newerJob.set(true));
            when(finished, () -> phase.set(ValuePhase.IDLE));
            Bool failedOlder = any(valueLoaders.stream().map(l -> l.failedOlder).toList());
            Bool failedLatest = any(valueLoaders.stream().map(l -> l.failedLatest).toList());
            Bool failedValues = mux(newerJob, failedOlder, failedLatest).named("value_rows_failed");
            code = mux(failedKeys.or(failedValues), U(ErrorCode.DDR_ERROR.code(), 8), U(ErrorCode.NONE.code(), 8))
                    .named("value_code");
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
            // Only the command's own slots start again: the value pass beside it reads its slots' maxima.
            UInt first = controller.fields.base().resize(9);
            UInt end = first.add(controller.fields.slots().resize(9)).trunc(9).named("score_slots_end");
            for (int s = 0; s < shape.slots(); s++) {
                Bits max = reg("max_" + s, bits(32), 0);
                final int ss = s;
                Bool ours = first.le(s).and(end.gt(s)).named("score_slot_" + s + "_ours");
                when(controller.startScores.and(ours), () -> max.set(FpFormat.FP32.constant(0xFF800000L)))
                        .elseWhen(scores.scores.valid.and(scores.scores.payload.slot().eq(ss)), () ->
                                max.set(Fp32Max.max(max, scores.scores.payload.value())));
                maxima.add(max);
            }
            int addressBits = log2Up(shape.scoreBufferWords());
            writeAddress = cat(scores.scores.payload.slot(), scores.scores.payload.position()
                    .resize(shape.positionIndexBits())).asUInt().resize(addressBits).named("score_write_address");
        }
    }
}
