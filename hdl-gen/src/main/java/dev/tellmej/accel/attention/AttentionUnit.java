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
 * <p><b>Four commands at once.</b> The {@link Intake} takes and checks a command and starts reading its K rows
 * as soon as the key loaders have asked for every chunk of the command before it. The {@link Controller} (the
 * score side) takes the checked command from the intake, its queries, and runs its score pass, then hands it to
 * the {@link ValueSide} (the value pass), which passes it on to the {@link ReduceSide} (its reduction and its
 * outputs) once its accumulation is over. So the score pass of one command runs beside the value pass of the one
 * before, on the other ports, and the reduction of the one before that; and the K rows of the one after stream
 * into the key buffers' free halves, so the key ports do not wait for a score pass's tail, the next command's
 * checks and queries, and a DDR round trip, nor the value ports for a reduction. The per-slot stores of
 * neighbouring stages do not meet: a command that runs beside another takes the other half of the slots
 * ({@link CommandFields#base}; the maxima of only its own slots start again), so each may have at most half the
 * unit's slots (a larger one waits until the value side is free), and a value pass starts only on slots of the
 * other set of partials than the reduction's ({@link AttentionShape#slotSets}). The score buffer's write port is
 * the score pass's, its read port the value pass's. Named {@code AttentionUnit_<shape>}.
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
     * The intake's phases. SIZE and CHECK: a taken command's slot count is a product, registered before the checks
     * read it. READY: the command is checked and waits for the score side (its K job starts meanwhile). REFUSED:
     * the done of a refused command waits for every command before it.
     */
    enum IntakePhase { IDLE, SIZE, CHECK, READY, REFUSED }

    /**
     * The score side's phases. QUERIES: the command's queries are stored; SCORES: its score pass runs; HANDOFF: the
     * score pass is done, the value side is not free yet.
     */
    enum Phase { IDLE, QUERIES, SCORES, HANDOFF }

    /** The value side's phases. ACCUMULATED: the value pass is over, the reduce side is not free yet. */
    enum ValuePhase { IDLE, VALUES, ACCUMULATED }

    /** The reduce side's phases. */
    enum ReducePhase { IDLE, REDUCING }

    /**
     * Which slots a stage's command holds, for the stage before it.
     *
     * @param busy  the stage has a command
     * @param base  its first slot
     * @param slots its slot count, 8 bits
     * @param sets  the sets of the value partials its slots are in ({@link SlotSet#uses})
     */
    record Occupancy(Bool busy, UInt base, UInt slots, Bits sets) {
        static Occupancy wires(String name, AttentionShape shape) {
            return new Occupancy(wire(name + "_busy", bool()), wire(name + "_command_base", uint(shape.slotBits())),
                    wire(name + "_command_slots", uint(8)), wire(name + "_command_sets", bits(shape.slotSets())));
        }

        void set(Bool busyNow, CommandFields fields, Bits setsNow) {
            busy.set(busyNow);
            base.set(fields.base());
            slots.set(fields.slots());
            sets.set(setsNow);
        }
    }

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
        Bool keyJobRequesting = wire("key_job_requesting", bool());
        Bool earlierRunning = wire("earlier_commands_running", bool());
        Occupancy valueOccupancy = Occupancy.wires("value", shape);
        Occupancy reduceOccupancy = Occupancy.wires("reduce", shape);
        Bool commandTaken = wire("command_taken", bool());
        Intake intake = area(new Intake(shape, command, commandTaken, earlierRunning, keyJobRequesting));

        BufferPort keyPort = BufferPort.wires("key_port", chunkAddressBits, 16 * shape.passWidth(),
                shape.chunkBufferLatency());
        BufferPort valuePort = BufferPort.wires("value_port", chunkAddressBits, 16 * shape.passWidth(),
                shape.chunkBufferLatency());
        // The score buffer's read port is the value pass's: it reads each (slot, position) score as it weights the
        // row (the softmax is fused into the value pass).
        BufferPort scorePort = BufferPort.wires("score_port", scoreAddressBits, 32, scoreLatency);
        scorePort.data().set(scoreBuffer.readSync("score_read", scorePort.address(), scorePort.enable(),
                scoreLatency));

        // ---- K: a job per command, started from the intake, on the key ports.
        Bool keyChunkDone = wire("key_chunk_consumed", bool());
        UInt keyChunkLoader = wire("key_chunk_loader", uint(Math.max(1, shape.portBits())));
        List<ChunkLoader> keyLoaders = loaders("key", shape, intake.startKeyJob, intake.keyAddress,
                intake.lastPositions, intake.rowBeats, keyChunkDone, keyChunkLoader, keyReaders);
        keyJobRequesting.set(any(keyLoaders.stream().map(l -> l.requesting).toList()).named("key_loaders_requesting"));
        ChunkLoader.readPort("key_read", shape, keyLoaders, keyPort);
        Controller controller = area(new Controller(shape, intake, keyLoaders, queries, queryStore, scoresFinished,
                valueOccupancy, reduceOccupancy, valueJobRequesting));
        commandTaken.set(controller.take);
        ChunkProgress keyProgress = area(new ChunkProgress("key", shape, keyLoaders, controller.keyBases,
                controller.take));
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
                controller.fields.lastPositions(), controller.fields.rowBeats(), valueChunkDone, valueChunkLoader,
                valueReaders);
        ChunkLoader.readPort("value_read", shape, valueLoaders, valuePort);
        valueJobRequesting.set(any(valueLoaders.stream().map(l -> l.requesting).toList())
                .named("value_loaders_requesting"));
        Bool accumulated = wire("values_accumulated", bool());
        Bool reduced = wire("values_reduced", bool());
        ValueSide valueSide = area(new ValueSide(shape, controller, controller.keysFailed, valueLoaders,
                accumulated, reduceOccupancy.busy()));
        ReduceSide reduceSide = area(new ReduceSide(shape, valueSide, reduced));
        valueOccupancy.set(valueSide.phase.isOneOf(ValuePhase.VALUES, ValuePhase.ACCUMULATED), valueSide.fields,
                valueSide.sets);
        reduceOccupancy.set(reduceSide.phase.is(ReducePhase.REDUCING), reduceSide.fields, reduceSide.sets);
        earlierRunning.set(controller.phase.is(Phase.IDLE).not().or(valueOccupancy.busy())
                .or(reduceOccupancy.busy()));
        ChunkProgress valueProgress = area(new ChunkProgress("value", shape, valueLoaders, valueSide.jobBases,
                controller.handOff));
        ValueEngine values = area(new ValueEngine(shape, valueSide.fields, valueSide.start, valueProgress, valuePort,
                scorePort, sink.maxima, reduceSide.fields, reduceSide.start, out));
        valueChunkDone.set(values.chunkFinished);
        valueChunkLoader.set(values.chunkLoader);
        accumulated.set(values.accumulated);
        reduced.set(values.finished);
        scoresFinished.set(scores.finished);

        // ---- Done, in the order the commands were taken: the value side's, or a refusal once it is free.
        Bool doneValid = reg("done_pending", bool(), 0);
        UInt doneCode = reg("done_code", uint(8), 0);
        doneValid.set(false);
        when(reduceSide.finished, () -> {
            doneValid.set(true);
            doneCode.set(reduceSide.code);
        });
        when(intake.refusalDone, () -> {
            doneValid.set(true);
            doneCode.set(intake.refusalCode);
        });
        assertAlways(reduceSide.finished.and(intake.refusalDone).not(),
                "AttentionUnit: one command finishes at a time");
        done.valid.set(doneValid);
        done.payload.errorCode().set(doneCode);
        idle.set(intake.phase.is(IntakePhase.IDLE).and(controller.phase.is(Phase.IDLE))
                .and(valueSide.phase.is(ValuePhase.IDLE)).and(reduceSide.phase.is(ReducePhase.IDLE)));
    }

    /**
     * A pass's P loaders ({@code key} or {@code value}): loader l reads chunks l, l + P, ... of each job on reader l,
     * and frees a half of its buffer when the pass has finished a chunk of its own.
     */
    private static List<ChunkLoader> loaders(String name, AttentionShape shape, Bool start, UInt address,
            UInt rows, UInt rowBeats, Bool chunkDone, UInt chunkLoader, List<AxiBurstReader> readers) {
        int ports = shape.ports();
        List<ChunkLoader> loaders = new ArrayList<>();
        for (int l = 0; l < ports; l++) {
            Bool consumed = ports == 1 ? chunkDone
                    : chunkDone.and(chunkLoader.eq(l)).named(name + "_chunk_consumed_" + l);
            loaders.add(area(new ChunkLoader(name + (ports > 1 ? String.valueOf(l) : ""), shape, l, start, address,
                    rows, rowBeats, consumed, readers.get(l))));
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
     * Takes and checks the next command while the commands before it run, and starts its K job: the key loaders
     * read its rows into their free halves while the score pass before it finishes, so its own pass finds them in.
     */
    static final class Intake extends Area {
        final HwEnum<IntakePhase> phase;
        final UInt keyAddress;
        final UInt valueAddress;
        final Bits scale;
        final UInt firstPositions;
        /** Positions the last slot attends to: the rows of the K and V jobs (set in CHECK). */
        final UInt lastPositions;
        final UInt heads;
        /** Slots of the command, tokens x heads (set in CHECK). */
        final UInt slots;
        final UInt rowBeats;
        /** Event: the command's K job starts (the key loaders have asked for every chunk of the job before). */
        final Bool startKeyJob;
        /**
         * The command is checked and its K job has started (the loaders' job bases, registered with it, are its
         * job's): the score side may take it.
         */
        final Bool ready;
        /** Event: a refused command's done (every command before it has finished). */
        final Bool refusalDone;
        /** The refused command's {@link ErrorCode}. */
        final UInt refusalCode;

        /**
         * @param taken            event: the score side takes the command
         * @param earlierRunning   a command taken before is still running (on the score, value or reduce side)
         * @param keyJobRequesting the key loaders have chunks of the latest K job left to ask for
         */
        Intake(AttentionShape shape, Stream<Command> command, Bool taken, Bool earlierRunning,
               Bool keyJobRequesting) {
            super("intake", "takes and checks the next command and starts reading its K rows");
            int positionBits = shape.positionBits();
            phase = reg("intake_phase", enumOf(IntakePhase.class), IntakePhase.IDLE);
            keyAddress = reg("key_address", uint(64), 0);
            valueAddress = reg("intake_value_address", uint(64), 0);
            scale = reg("intake_scale", bits(32), 0);
            firstPositions = reg("intake_first_positions", uint(positionBits), 0);
            lastPositions = reg("intake_last_positions", uint(positionBits), 0);
            heads = reg("intake_heads", uint(8), 0);
            slots = reg("intake_slots", uint(8), 0);
            rowBeats = reg("intake_row_beats", uint(8), 0);
            Bool keyJobStarted = reg("key_job_started", bool(), 0);
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
            command.ready.set(phase.is(IntakePhase.IDLE));
            Bool accepted = command.fire().named("command_accepted");
            startKeyJob = phase.is(IntakePhase.READY).and(keyJobStarted.not()).and(keyJobRequesting.not())
                    .named("start_key_job");
            ready = phase.is(IntakePhase.READY).and(keyJobStarted).named("intake_ready");
            refusalDone = phase.is(IntakePhase.REFUSED).and(earlierRunning.not()).named("refusal_done");

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
                keyJobStarted.set(false);
                phase.set(IntakePhase.SIZE);
            });
            when(phase.is(IntakePhase.SIZE), () -> {
                slotCount.set(tokens.mul(heads));
                phase.set(IntakePhase.CHECK);
            });
            when(phase.is(IntakePhase.CHECK), () -> {
                when(refused, () -> {
                    phase.set(IntakePhase.REFUSED);
                    refusalCode.set(mux(badShape, U(ErrorCode.BAD_FIELD.code(), 8),
                            U(ErrorCode.CONTEXT_OVERFLOW.code(), 8)));
                }).otherwise(() -> {
                    lastPositions.set(reach.resize(positionBits));
                    slots.set(slotCount.resize(8));
                    phase.set(IntakePhase.READY);
                });
            });
            when(startKeyJob, () -> keyJobStarted.set(true));
            when(refusalDone.or(taken), () -> phase.set(IntakePhase.IDLE));
        }
    }

    /**
     * The score side: takes a checked command from the intake once its slots have room beside the value side's
     * command, stores its queries, starts its score pass and its V rows' job, and hands it to the value side.
     */
    static final class Controller extends Area {
        final HwEnum<Phase> phase;
        /** The command's fields, for the score pass and the V job. */
        final CommandFields fields;
        final UInt valueAddress;
        final Bits scale;
        /** Each key loader's number of its first chunk of the command's K job (the job's bases). */
        final List<UInt> keyBases;
        /** A beat of the command's K rows came back with an error (final once its score pass is done). */
        final Bool keysFailed;
        /** Event: the score pass starts (a cycle after the last query beat is in). */
        final Bool startScores;
        /** Event: the command's V job starts. */
        final Bool startValueJob;
        /** Event: the command goes to the value side. */
        final Bool handOff;
        /** Event: the intake's command is taken. */
        final Bool take;
        /**
         * Bit s: slot s is one of the command's own ({@code base <= s < base + slots}), a register a cycle behind
         * the command's fields (for timing: the sum and the compares lay on the path into the slots' maxima).
         */
        final Bits ownSlots;
        /** The sets of the value partials the command's slots are in ({@link SlotSet#uses}), current at hand-off. */
        final Bits sets;
        /** {@link #startScores} a cycle later: the command's slots' maxima start again (from -inf). */
        final Bool startMaxima;

        Controller(AttentionShape shape, Intake intake, List<ChunkLoader> keyLoaders, Stream<Vec<Bits>> queries,
                   List<Mem<Bits>> queryStore, Bool scoresFinished, Occupancy value, Occupancy reduce,
                   Bool valueJobRequesting) {
            super("controller", "takes a checked command, stores its queries, starts its passes and hands it on");
            int positionBits = shape.positionBits();
            int half = shape.slots() / 2;
            phase = reg("phase", enumOf(Phase.class), Phase.IDLE);
            fields = new CommandFields(reg("first_positions", uint(positionBits), 0),
                    reg("last_positions", uint(positionBits), 0), reg("heads", uint(8), 0), reg("slots", uint(8), 0),
                    reg("row_beats", uint(8), 0), reg("slot_base", uint(shape.slotBits()), 0));
            valueAddress = reg("value_address", uint(64), 0);
            scale = reg("scale", bits(32), 0);
            keyBases = new ArrayList<>();
            for (int l = 0; l < keyLoaders.size(); l++) {
                keyBases.add(reg("score_key_base" + (keyLoaders.size() > 1 ? "_" + l : ""),
                        uint(keyLoaders.get(l).countBits), 0));
            }
            UInt querySlot = reg("query_slot", uint(8), 0);
            UInt queryBeat = reg("query_beat", uint(8), 0);
            Bool valueJobStarted = reg("value_job_started", bool(), 0);
            // The intake started the next command's K job: the loaders moved this one's error flag to the older.
            Bool newerKeyJob = reg("key_newer_job", bool(), 0);

            // Room beside the value side's command: each in its half of the slots. The half the value side (or, when
            // it is free, the reduce side) does not hold, so the value pass may start beside the reduction.
            Bool fitsHalf = half == 0 ? FALSE : intake.slots.le(half).named("command_fits_half");
            Bool besideFits = fitsHalf.and(value.slots().le(half)).named("command_fits_beside");
            Bool room = value.busy().not().or(besideFits).named("command_has_room");
            Bool upperHalf = value.busy().and(value.base().eq(0))
                    .or(value.busy().not().and(reduce.busy()).and(reduce.base().eq(0)).and(fitsHalf))
                    .named("command_upper_half");
            UInt base = half == 0 ? U(0, shape.slotBits())
                    : mux(upperHalf, U(half, shape.slotBits()), U(0, shape.slotBits())).named("command_slot_base");
            take = phase.is(Phase.IDLE).and(intake.ready).and(room).named("take_command");

            queries.ready.set(phase.is(Phase.QUERIES));
            // Whether the query beat and slot are their slot's and the command's last, flags set with the counts
            // (for timing: the subtractions and compares lay on the path into the slots' maxima); an assertion
            // holds them current.
            Bool lastQueryBeat = reg("last_query_beat", bool(), 0);
            Bool lastQuerySlot = reg("last_query_slot", bool(), 0);
            Bool beatFlagCurrent = lastQueryBeat.eq(queryBeat.eq(fields.rowBeats().sub(1).trunc(8)));
            Bool slotFlagCurrent = lastQuerySlot.eq(querySlot.eq(fields.slots().sub(1).trunc(8)));
            assertAlways(phase.is(Phase.QUERIES).not().or(beatFlagCurrent.and(slotFlagCurrent)),
                    "AttentionUnit: the last query beat and slot flags are current");
            Bool lastQueryIn = queries.fire().and(lastQueryBeat).and(lastQuerySlot).named("last_query_in");
            // The score pass starts a cycle after the last query beat is in (for timing: the query stream's valid,
            // from the kernel, lay on the path through the start into the score walk's registers).
            startScores = regNext("start_scores", lastQueryIn, 0);
            // The maxima start a cycle after the scores do, by their own register (for timing: the start and the
            // slots' compares fanned out to every maximum's reset), long before the first score comes out. The
            // fields were set at least a cycle before the start, so the own slots are current then.
            ownSlots = regNext("own_slots", ownSlots(shape, fields.base(), fields.slots()), 0);
            startMaxima = regNext("start_maxima", startScores, 0);
            assertAlways(startMaxima.not().or(ownSlots.eq(ownSlots(shape, fields.base(), fields.slots()))),
                    "AttentionUnit: the own slots are current when the maxima start");
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
            // The V job starts once the command is taken and the last job has requested all its chunks.
            startValueJob = phase.isOneOf(Phase.QUERIES, Phase.SCORES, Phase.HANDOFF)
                    .and(valueJobStarted.not()).and(valueJobRequesting.not()).named("start_value_job");
            // The value pass adds into the partials of the command's set(s): not while the reduction reads them.
            // The sets the command's slots are in, derived from its fields a cycle after they are set, long before
            // the hand-off; the reduce side carries its command's along (for timing: the sums and compares of both
            // commands' slots lay on the path into the value pass's start).
            sets = regNext("command_sets", SlotSet.uses(shape, fields.base(), fields.slots()), 0);
            assertAlways(phase.is(Phase.HANDOFF).not().or(sets.eq(SlotSet.uses(shape, fields.base(),
                    fields.slots()))), "AttentionUnit: the command's slot sets are current at the hand-off");
            Bool clash = reduce.busy().and(SlotSet.shared(shape, sets, reduce.sets())).named("reduction_in_the_way");
            handOff = phase.is(Phase.HANDOFF).and(value.busy().not()).and(clash.not()).and(valueJobStarted)
                    .named("hand_off");
            Bool failedOlder = any(keyLoaders.stream().map(l -> l.failedOlder).toList());
            Bool failedLatest = any(keyLoaders.stream().map(l -> l.failedLatest).toList());
            keysFailed = mux(newerKeyJob, failedOlder, failedLatest).named("key_rows_failed");

            // The intake's K job is the loaders' latest when the command is taken: the next command's starts only
            // once this one has left the intake.
            when(take, () -> {
                fields.firstPositions().set(intake.firstPositions);
                fields.lastPositions().set(intake.lastPositions);
                fields.heads().set(intake.heads);
                fields.slots().set(intake.slots);
                fields.rowBeats().set(intake.rowBeats);
                fields.base().set(base);
                valueAddress.set(intake.valueAddress);
                scale.set(intake.scale);
                for (int l = 0; l < keyLoaders.size(); l++) {
                    keyBases.get(l).set(keyLoaders.get(l).jobBase);
                }
                querySlot.set(0);
                queryBeat.set(0);
                lastQueryBeat.set(intake.rowBeats.eq(1));
                lastQuerySlot.set(intake.slots.eq(1));
                valueJobStarted.set(false);
                newerKeyJob.set(false);
                phase.set(Phase.QUERIES);
            }).elseWhen(intake.startKeyJob, () -> newerKeyJob.set(true));
            when(queries.fire(), () -> {
                queryBeat.set(queryBeat.add(1).trunc(8));
                lastQueryBeat.set(queryBeat.resize(9).add(2).eq(fields.rowBeats().resize(9)));
                when(lastQueryBeat, () -> {
                    queryBeat.set(0);
                    lastQueryBeat.set(fields.rowBeats().eq(1));
                    querySlot.set(querySlot.add(1).trunc(8));
                    lastQuerySlot.set(querySlot.resize(9).add(2).eq(fields.slots().resize(9)));
                });
            });
            when(startValueJob, () -> valueJobStarted.set(true));
            when(lastQueryIn, () -> phase.set(Phase.SCORES));
            when(phase.is(Phase.SCORES).and(scoresFinished), () -> phase.set(Phase.HANDOFF));
            when(handOff, () -> phase.set(Phase.IDLE));
        }
    }

    /** Bit s of the result: {@code base <= s < base + slots}, for each of the shape's slots. */
    private static Bits ownSlots(AttentionShape shape, UInt base, UInt slots) {
        UInt first = base.resize(9);
        UInt end = first.add(slots.resize(9)).trunc(9);
        Bool[] own = new Bool[shape.slots()];
        for (int slot = 0; slot < shape.slots(); slot++) {
            own[shape.slots() - 1 - slot] = first.le(slot).and(end.gt(slot));
        }
        return cat(own);
    }

    /**
     * The value side: the command whose value pass runs, its fields copied at the hand-off (so the score side may
     * take the next), the first chunk of its V job on each loader, and whether a beat of its K or V rows failed;
     * once its accumulation is over it goes on to the reduce side (when that is free).
     */
    static final class ValueSide extends Area {
        final HwEnum<ValuePhase> phase;
        final CommandFields fields;
        /** Each value loader's number of its first chunk of the command's V job (the job's bases). */
        final List<UInt> jobBases;
        /** Event: the value pass starts, a cycle after the hand-off (its walkers read the fields copied then). */
        final Bool start;
        /** Event: the command goes to the reduce side. */
        final Bool passOn;
        /** The command's {@link ErrorCode} (final once its accumulation is over: every K and V beat is in). */
        final UInt code;
        /** The command's slot sets, the controller's copied at the hand-off. */
        final Bits sets;

        /**
         * @param keyFailed   a beat of the score side's K job failed (read at the hand-off)
         * @param accumulated event: the value pass's last partials are written
         * @param reduceBusy  the reduce side has a command
         */
        ValueSide(AttentionShape shape, Controller controller, Bool keyFailed, List<ChunkLoader> valueLoaders,
                  Bool accumulated, Bool reduceBusy) {
            super("value_side", "the command of the value pass: its fields, its V job and its outcome");
            phase = reg("value_phase", enumOf(ValuePhase.class), ValuePhase.IDLE);
            fields = new CommandFields(reg("value_first_positions", uint(shape.positionBits()), 0),
                    reg("value_last_positions", uint(shape.positionBits()), 0), reg("value_heads", uint(8), 0),
                    reg("value_slots", uint(8), 0), reg("value_row_beats", uint(8), 0),
                    reg("value_slot_base", uint(shape.slotBits()), 0));
            sets = reg("value_sets", bits(shape.slotSets()), 0);
            jobBases = new ArrayList<>();
            for (int l = 0; l < valueLoaders.size(); l++) {
                jobBases.add(reg("value_side_job_base" + (valueLoaders.size() > 1 ? "_" + l : ""),
                        uint(valueLoaders.get(l).countBits), 0));
            }
            start = regNext("value_pass_start", controller.handOff, 0);
            Bool failedKeys = reg("value_keys_failed", bool(), 0);
            // A V job started after this command's: the loader moved its flag to the older one.
            Bool newerJob = reg("value_newer_job", bool(), 0);
            Bool over = phase.is(ValuePhase.VALUES).and(accumulated).or(phase.is(ValuePhase.ACCUMULATED))
                    .named("value_pass_over");
            passOn = over.and(reduceBusy.not()).named("value_pass_on");
            when(controller.handOff, () -> {
                phase.set(ValuePhase.VALUES);
                fields.firstPositions().set(controller.fields.firstPositions());
                fields.lastPositions().set(controller.fields.lastPositions());
                fields.heads().set(controller.fields.heads());
                fields.slots().set(controller.fields.slots());
                fields.rowBeats().set(controller.fields.rowBeats());
                fields.base().set(controller.fields.base());
                sets.set(controller.sets);
                for (int l = 0; l < valueLoaders.size(); l++) {
                    jobBases.get(l).set(valueLoaders.get(l).jobBase);
                }
                failedKeys.set(keyFailed);
                newerJob.set(false);
            }).elseWhen(controller.startValueJob, () -> newerJob.set(true));
            when(phase.is(ValuePhase.VALUES).and(accumulated), () -> phase.set(ValuePhase.ACCUMULATED));
            when(passOn, () -> phase.set(ValuePhase.IDLE));
            Bool failedOlder = any(valueLoaders.stream().map(l -> l.failedOlder).toList());
            Bool failedLatest = any(valueLoaders.stream().map(l -> l.failedLatest).toList());
            Bool failedValues = mux(newerJob, failedOlder, failedLatest).named("value_rows_failed");
            code = mux(failedKeys.or(failedValues), U(ErrorCode.DDR_ERROR.code(), 8), U(ErrorCode.NONE.code(), 8))
                    .named("value_code");
        }
    }

    /**
     * The reduce side: the command whose reduction runs (its partials and Z's lanes through the tree, its outputs
     * normalized and sent), its fields and outcome copied from the value side, so the next value pass may start.
     */
    static final class ReduceSide extends Area {
        final HwEnum<ReducePhase> phase;
        final CommandFields fields;
        /** Event: the reduction starts, a cycle after the value side passed the command on. */
        final Bool start;
        /** Event: the command is finished (every output has left). */
        final Bool finished;
        /** The command's {@link ErrorCode}. */
        final UInt code;
        /** The command's slot sets, the value side's copied with its fields. */
        final Bits sets;

        /** @param reduced event: the reduction's last output has left */
        ReduceSide(AttentionShape shape, ValueSide valueSide, Bool reduced) {
            super("reduce_side", "the command of the reduction: its fields and its outcome");
            phase = reg("reduce_side_phase", enumOf(ReducePhase.class), ReducePhase.IDLE);
            // The reduction walks the command's slots, their positions and beats; it reads no rows.
            fields = new CommandFields(reg("reduce_first_positions", uint(shape.positionBits()), 0),
                    U(0, shape.positionBits()), reg("reduce_heads", uint(8), 0), reg("reduce_slots", uint(8), 0),
                    reg("reduce_row_beats", uint(8), 0), reg("reduce_slot_base", uint(shape.slotBits()), 0));
            code = reg("reduce_code", uint(8), 0);
            sets = reg("reduce_sets", bits(shape.slotSets()), 0);
            start = regNext("reduce_start", valueSide.passOn, 0);
            finished = phase.is(ReducePhase.REDUCING).and(reduced).named("reduce_side_finished");
            when(valueSide.passOn, () -> {
                phase.set(ReducePhase.REDUCING);
                fields.firstPositions().set(valueSide.fields.firstPositions());
                fields.heads().set(valueSide.fields.heads());
                fields.slots().set(valueSide.fields.slots());
                fields.rowBeats().set(valueSide.fields.rowBeats());
                fields.base().set(valueSide.fields.base());
                sets.set(valueSide.sets);
                code.set(valueSide.code);
            });
            when(finished, () -> phase.set(ReducePhase.IDLE));
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
            for (int s = 0; s < shape.slots(); s++) {
                Bits max = reg("max_" + s, bits(32), 0);
                final int ss = s;
                Bool ours = controller.ownSlots.bit(s);
                when(controller.startMaxima.and(ours), () -> max.set(FpFormat.FP32.constant(0xFF800000L)))
                        .elseWhen(scores.scores.valid.and(scores.scores.payload.slot().eq(ss)), () ->
                                max.set(Fp32Max.max(max, scores.scores.payload.value())));
                maxima.add(max);
            }
            assertAlways(controller.startMaxima.and(scores.scores.valid).not(), "AttentionUnit: no score comes out"
                    + " in the cycle the maxima start");
            int addressBits = log2Up(shape.scoreBufferWords());
            writeAddress = cat(scores.scores.payload.slot(), scores.scores.payload.position()
                    .resize(shape.positionIndexBits())).asUInt().resize(addressBits).named("score_write_address");
        }
    }
}
