package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.attention.KvCacheWriter;
import dev.tellmej.accel.elementwise.Activation;
import dev.tellmej.accel.elementwise.Dequantizer;
import dev.tellmej.accel.elementwise.RopeRunTime;
import dev.tellmej.accel.elementwise.Gating;
import dev.tellmej.accel.elementwise.ResidualAdd;
import dev.tellmej.accel.protocol.Epilogue;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.tlmm.TlmmCommandUnit;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Ahead;
import dev.tellmej.hdl.lib.ByteGearbox;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.fp.FpConvert;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * LINEAR (N7, N8 and the epilogue of N17): the ternary matrix times the chunk's int8 activations on the
 * {@link TlmmEngine}, whose command the {@link TlmmCommandUnit} computes from {@code rows} and {@code cols}; the
 * activations stream from the {@link QuantizedStore}, a data beat a cycle, through a byte gearbox into the engine's
 * beats; each result beat of Q sums is cut into words of W, dequantized (N8: the token's m_c and the matrix scale)
 * and goes through the epilogue into the destination buffer: STORE writes y, RESIDUAL_ADD writes
 * {@code st(dst + y)} ({@link ResidualAdd}), GATE_UP writes {@code st(act(src) * y)} ({@link Gating}, SiLU or
 * ReLU²).
 *
 * <p>The RoPE and KV-cache epilogues (ROPE_QUERY, ROPE_KEY_CACHE, VALUE_CACHE) store y into dst as STORE does,
 * then {@link RotateAndCache} rotates (or only stores) it head by head over dst and into the KV cache.
 *
 * <p>Refused with BAD_FIELD: no rows or columns, rows not whole words of W or above the destination's (or the
 * gate source's), an epilogue id out of range, or a shape the engine cannot hold; for the RoPE and cache
 * epilogues also rows that are not whole heads, a head dimension that is not a multiple of 2W (nor, for the
 * cache, of a beat's stored values), and for the cache more heads than SETUP's KV heads or a layer beyond the
 * build's. The heads are counted (rows / head_dim, a cycle a head) before anything runs.
 */
final class LinearExecutor extends Area {
    enum LinearStep { IDLE, HEADS, REQUEST, ANSWER, COMMAND, RUN, ROTATE, FINISH }

    /**
     * The next LINEAR's command, computed while this one runs: from the fields the sequencer read ahead it is
     * {@code REQUEST}ed from the command unit once this instruction no longer needs it, taken as its
     * {@code ANSWER}, {@code OFFER}ed to the engine as a prefetch and then {@code HELD} for that instruction.
     */
    enum PrefetchStep { IDLE, REQUEST, ANSWER, OFFER, HELD }

    /** The instruction's fields and the chunk, sampled at {@link #start}. */
    record Request(UInt epilogue, Bool relu2, UInt src, UInt dst, UInt rows, UInt cols, UInt weights, Bits scale,
            UInt tokens, UInt image, UInt layer, UInt firstPosition, Rotation rotation) {}

    /** SETUP's registers and the call's cache, for the RoPE and KV-cache epilogues. */
    record Rotation(UInt headDim, Bool adjacent, UInt kvHeads, UInt positions, UInt ropeTable, UInt kvCache) {}

    /** The next instruction's LINEAR fields, as the sequencer read them ahead (valid until taken or dropped). */
    record Peek(Bool valid, UInt rows, UInt cols, UInt weights) {}

    final Bool start;
    final Request request;
    final Flow<UInt> done;
    /** Driven by the sequencer: the next instruction, a LINEAR, read while this one runs. */
    final Peek peek;
    /** The {@link #peek} is taken this cycle. */
    final Bool peekTaken;
    /** Driven by the sequencer: its read of the next instruction is in flight on the data port. */
    final Bool readsLent;
    /** The instruction leaves the data port free: the sequencer may read the next instruction. */
    final Bool readsFree;
    /** Driven by the sequencer: the call is ending; what was prefetched is dropped. */
    final Bool dropPrefetch;
    /** Nothing is being prefetched: the command unit is free of it and the weight ports read nothing. */
    final Bool settled;

    LinearExecutor(KernelShape shape, TlmmEngine engine, TlmmCommandUnit commands, ByteGearbox gearbox,
                   Dequantizer dequantizer, ResidualAdd residual, Gating gatingUnit,
                   QuantizedStore store, ActivationBuffers buffers, RopeRunTime rope, KvCacheWriter cacheWriter,
                   DataReads reads, Bool callStart) {
        super("linear_executor", "LINEAR: the TLMM engine over the chunk's activations, its sums dequantized and"
                + " through the epilogue into a buffer");
        var tlmm = shape.config().tlmmConfig();
        int lanes = shape.lanes();
        int laneShift = KernelShape.shift(lanes);
        int q = tlmm.columns();
        int partsPerBeat = q / lanes;
        int tokenBits = bitsFor(shape.chunkTokens());
        int activationBytes = tlmm.activationBytes();
        start = wire("linear_start", bool());
        start.set(false);
        request = new Request(wire("linear_epilogue", uint(4)), wire("linear_relu2", bool()),
                wire("linear_src", uint(ActivationBuffers.BUFFER_ID_BITS)),
                wire("linear_dst", uint(ActivationBuffers.BUFFER_ID_BITS)), wire("linear_rows", uint(16)),
                wire("linear_cols", uint(16)), wire("linear_weights", uint(32)), wire("linear_scale", bits(32)),
                wire("linear_tokens", uint(tokenBits)), wire("linear_image", uint(64)),
                wire("linear_layer", uint(8)), wire("linear_first_position", uint(32)),
                new Rotation(wire("linear_head_dim", uint(16)), wire("linear_rope_adjacent", bool()),
                        wire("linear_kv_heads", uint(8)), wire("linear_positions", uint(32)),
                        wire("linear_rope_table", uint(32)), wire("linear_kv_cache", uint(64))));
        Rotation rot = request.rotation();
        for (UInt field : List.of(request.epilogue(), request.src(), request.dst(), request.rows(), request.cols(),
                request.weights(), request.tokens(), request.image(), request.layer(), request.firstPosition(),
                rot.headDim(), rot.kvHeads(), rot.positions(), rot.ropeTable(), rot.kvCache())) {
            field.set(0);
        }
        request.relu2().set(false);
        rot.adjacent().set(false);
        request.scale().set(0);
        peek = new Peek(wire("linear_peek_valid", bool()), wire("linear_peek_rows", uint(16)),
                wire("linear_peek_cols", uint(16)), wire("linear_peek_weights", uint(32)));
        peek.valid().set(false);
        peek.rows().set(0);
        peek.cols().set(0);
        peek.weights().set(0);
        readsLent = wire("linear_reads_lent", bool());
        readsLent.set(false);
        dropPrefetch = wire("linear_drop_prefetch", bool());
        dropPrefetch.set(false);

        HwEnum<LinearStep> step = reg("linear_step", enumOf(LinearStep.class), LinearStep.IDLE);
        UInt epilogue = reg("linear_epilogue_q", uint(4), 0);
        Bool useRelu2 = reg("linear_relu2_q", bool(), 0);
        UInt src = reg("linear_src_id", uint(ActivationBuffers.BUFFER_ID_BITS), 0);
        UInt dst = reg("linear_dst_id", uint(ActivationBuffers.BUFFER_ID_BITS), 0);
        UInt rows = reg("linear_rows_q", uint(16), 0);
        UInt cols = reg("linear_cols_q", uint(16), 0);
        UInt weights = reg("linear_weights_address", uint(64), 0);
        Bits scale = reg("linear_scale_q", bits(32), 0);
        UInt tokens = reg("linear_token_count", uint(tokenBits), 0);
        UInt code = reg("linear_code", uint(8), 0);
        UInt layer = reg("linear_layer_q", uint(8), 0);
        UInt firstPosition = reg("linear_first_position_q", uint(32), 0);
        UInt headDim = reg("linear_head_dim_q", uint(16), 0);
        Bool adjacent = reg("linear_rope_adjacent_q", bool(), 0);
        UInt kvHeads = reg("linear_kv_heads_q", uint(8), 0);
        UInt positions = reg("linear_positions_q", uint(32), 0);
        UInt ropeTable = reg("linear_rope_table_address", uint(64), 0);
        UInt kvCache = reg("linear_kv_cache_q", uint(64), 0);
        UInt heads = reg("linear_heads", uint(16), 0);
        UInt headRows = reg("linear_head_rows", uint(17), 0);
        // Whether the rows counted fall short of the instruction's rows or equal them, and whether the heads
        // counted exceed the KV heads: flags set with the counts (for timing: the compares lay in front of the
        // step's next state).
        Bool rowsShort = reg("linear_head_rows_short", bool(), 0);
        Bool rowsExact = reg("linear_head_rows_exact", bool(), 0);
        Bool headsOver = reg("linear_heads_over", bool(), 0);

        // ---- checks ----
        Bool gateUp = request.epilogue().eq(Epilogue.GATE_UP.id()).named("linear_is_gate_up");
        Bool toCache = request.epilogue().eq(Epilogue.ROPE_KEY_CACHE.id())
                .or(request.epilogue().eq(Epilogue.VALUE_CACHE.id())).named("linear_is_cache");
        Bool rotated = request.epilogue().eq(Epilogue.ROPE_QUERY.id()).or(toCache).named("linear_is_rotated");
        // A head is whole RoPE table words (2W values) and, in the cache, whole beats of stored values.
        int headShift = KernelShape.shift(2 * lanes);
        int cacheShift = KernelShape.shift(Math.max(2 * lanes, shape.valuesPerBeat()));
        Bool badHead = rot.headDim().eq(0).or(rot.headDim().resize(headShift).ne(0))
                .or(toCache.and(rot.headDim().resize(cacheShift).ne(0)))
                .or(toCache.and(request.layer().ge(shape.config().limits().layers())))
                .named("linear_bad_head");
        // The checks are registered: the request is the instruction word's fields, which hold still from the
        // sequencer's DECODE, a cycle before the start.
        // The size checks have a register of their own (for timing: their compares lay in front of the others').
        Bool bad = Ahead.of("linear_bad_field", request.rows().eq(0).or(request.cols().eq(0))
                .or(laneShift == 0 ? FALSE : request.rows().resize(laneShift).ne(0))
                .or(request.epilogue().gt(Epilogue.GATE_UP.id()))
                .or(ActivationBuffers.isBuffer(request.dst()).not())
                .or(gateUp.and(ActivationBuffers.isBuffer(request.src()).not()))
                .or(rotated.and(badHead)), start, "LinearExecutor")
                .or(Ahead.of("linear_bad_size",
                        ActivationBuffers.exceedsCapacity(shape, request.dst(), request.rows(), "linear_dst_overflow")
                        .or(gateUp.and(ActivationBuffers.exceedsCapacity(shape, request.src(), request.rows(),
                                "linear_src_overflow"))), start, "LinearExecutor")).named("linear_bad");
        when(start, () -> {
            epilogue.set(request.epilogue());
            useRelu2.set(request.relu2());
            src.set(request.src());
            dst.set(request.dst());
            rows.set(request.rows());
            cols.set(request.cols());
            weights.set(request.image().add(request.weights().resize(64)).trunc(64));
            scale.set(request.scale());
            tokens.set(request.tokens());
            layer.set(request.layer());
            firstPosition.set(request.firstPosition());
            headDim.set(rot.headDim());
            adjacent.set(rot.adjacent());
            kvHeads.set(rot.kvHeads());
            positions.set(rot.positions());
            ropeTable.set(request.image().add(rot.ropeTable().resize(64)).trunc(64));
            kvCache.set(rot.kvCache());
            heads.set(0);
            headRows.set(0);
            rowsShort.set(request.rows().ne(0));
            rowsExact.set(request.rows().eq(0));
            headsOver.set(false);
            code.set(ErrorCode.NONE.code());
            step.set(mux(rotated, HwEnum.constant(LinearStep.HEADS), HwEnum.constant(LinearStep.REQUEST)));
            when(bad, () -> {
                code.set(ErrorCode.BAD_FIELD.code());
                step.set(LinearStep.FINISH);
            });
        });

        // ---- the heads of a rotated instruction: rows / head_dim by repeated addition, a cycle a head ----
        Bool cacheEpilogue = epilogueIs("linear_cache", epilogue, start, request.epilogue(),
                Epilogue.ROPE_KEY_CACHE, Epilogue.VALUE_CACHE);
        assertAlways(step.is(LinearStep.HEADS).not().or(rowsShort.eq(headRows.lt(rows.resize(17)))
                        .and(rowsExact.eq(headRows.eq(rows.resize(17))))
                        .and(headsOver.eq(heads.gt(kvHeads.resize(16))))),
                "LinearExecutor: the head count's flags follow the counts");
        when(step.is(LinearStep.HEADS), () -> {
            when(rowsShort, () -> {
                UInt nextRows = headRows.add(headDim.resize(17)).trunc(17);
                UInt nextHeads = heads.add(1).trunc(16);
                headRows.set(nextRows);
                heads.set(nextHeads);
                rowsShort.set(nextRows.lt(rows.resize(17)));
                rowsExact.set(nextRows.eq(rows.resize(17)));
                headsOver.set(nextHeads.gt(kvHeads.resize(16)));
            }).otherwise(() -> {
                step.set(LinearStep.REQUEST);
                when(rowsExact.not().or(cacheEpilogue.and(headsOver)), () -> {
                    code.set(ErrorCode.BAD_FIELD.code());
                    step.set(LinearStep.FINISH);
                });
            });
        });

        // ---- the next LINEAR's command, prefetched (docs/kernel.md, "Running ahead") ----
        // The sequencer reads the next instruction while this one runs; when it is a LINEAR, its command is
        // computed once the command unit is free of this one's and offered to the engine, whose weight loader
        // reads its first tiles as soon as this product's are all in. Only weights run ahead: the next
        // instruction still starts when this one is done, and reuses the command only if its fields are the same.
        HwEnum<PrefetchStep> ahead = reg("linear_prefetch_step", enumOf(PrefetchStep.class), PrefetchStep.IDLE);
        UInt aheadRows = reg("linear_prefetch_rows", uint(16), 0);
        UInt aheadCols = reg("linear_prefetch_cols", uint(16), 0);
        UInt aheadAddress = reg("linear_prefetch_address", uint(64), 0);
        UInt aheadTokens = reg("linear_prefetch_tokens", uint(tokenBits), 0);
        TlmmEngine.Command aheadCommand = reg("linear_prefetch_command", TlmmEngine.commandShape(), 0);
        // The next instruction's fields are taken once this one has its own command (so a prefetch held for this
        // one is used first).
        peekTaken = peek.valid().and(step.isOneOf(LinearStep.COMMAND, LinearStep.RUN, LinearStep.ROTATE,
                        LinearStep.FINISH))
                .and(ahead.isOneOf(PrefetchStep.IDLE, PrefetchStep.OFFER, PrefetchStep.HELD))
                .and(dropPrefetch.not()).named("linear_peek_taken");
        when(peekTaken, () -> {
            aheadRows.set(peek.rows());
            aheadCols.set(peek.cols());
            aheadAddress.set(request.image().add(peek.weights().resize(64)).trunc(64));
            aheadTokens.set(request.tokens());
            ahead.set(PrefetchStep.REQUEST);
        });
        // The command unit takes one request at a time: the prefetch's while this instruction has none out, this
        // instruction's only once the prefetch's answer is in.
        Bool aheadRequest = ahead.is(PrefetchStep.REQUEST).and(step.isNot(LinearStep.ANSWER)).and(dropPrefetch.not())
                .named("linear_prefetch_request");
        Bool aheadBusy = ahead.isOneOf(PrefetchStep.REQUEST, PrefetchStep.ANSWER).named("linear_prefetch_busy");
        // Whether the prefetched command is this instruction's, registered (for timing: the four compares lay on
        // the path of the request into the command unit's step): REQUEST acts from its second cycle, when the
        // register holds this instruction's compare (the prefetch's fields change only outside REQUEST).
        Bool requestSettled = regNext("linear_request_settled", step.is(LinearStep.REQUEST), 0);
        Bool requesting = step.is(LinearStep.REQUEST).and(requestSettled).named("linear_requesting");
        Bool sameAsAhead = Ahead.of("linear_prefetch_same", aheadRows.eq(rows).and(aheadCols.eq(cols))
                .and(aheadAddress.eq(weights)).and(aheadTokens.eq(tokens)), requesting, "LinearExecutor");
        Bool reuse = requesting.and(ahead.isOneOf(PrefetchStep.OFFER, PrefetchStep.HELD)).and(sameAsAhead)
                .named("linear_prefetch_reused");
        Bool ownRequest = requesting.and(aheadBusy.not()).and(reuse.not()).named("linear_own_request");

        // ---- the engine's command ----
        commands.request.valid.set(ownRequest.or(aheadRequest));
        commands.request.payload.rows().set(mux(aheadRequest, aheadRows, rows));
        commands.request.payload.cols().set(mux(aheadRequest, aheadCols, cols));
        commands.request.payload.address().set(mux(aheadRequest, aheadAddress, weights));
        commands.request.payload.tokens().set(mux(aheadRequest, aheadTokens, tokens)
                .resize(widthOf(commands.request.payload.tokens())));
        when(commands.request.fire().and(ownRequest), () -> step.set(LinearStep.ANSWER));
        when(commands.request.fire().and(aheadRequest), () -> ahead.set(PrefetchStep.ANSWER));
        TlmmEngine.Command command = reg("linear_command", TlmmEngine.commandShape(), 0);
        commands.answer.ready.set(step.is(LinearStep.ANSWER).or(ahead.is(PrefetchStep.ANSWER)));
        when(commands.answer.fire().and(step.is(LinearStep.ANSWER)), () -> {
            assign(command, commands.answer.payload.command());
            step.set(LinearStep.COMMAND);
            when(commands.answer.payload.refused(), () -> {
                code.set(ErrorCode.BAD_FIELD.code());
                step.set(LinearStep.FINISH);
            });
        });
        // A refused prefetch is forgotten: the instruction meets the refusal itself when it runs.
        when(commands.answer.fire().and(ahead.is(PrefetchStep.ANSWER)), () -> {
            assign(aheadCommand, commands.answer.payload.command());
            ahead.set(mux(commands.answer.payload.refused(), HwEnum.constant(PrefetchStep.IDLE),
                    HwEnum.constant(PrefetchStep.OFFER)));
        });
        engine.prefetch.valid.set(ahead.is(PrefetchStep.OFFER).and(dropPrefetch.not()));
        assign(engine.prefetch.payload, aheadCommand);
        when(engine.prefetch.fire(), () -> ahead.set(PrefetchStep.HELD));
        // This instruction is the one prefetched: its command is the one computed then. Any other leaves the
        // engine to discard the prefetch when it takes this one's command.
        when(reuse, () -> {
            assign(command, aheadCommand);
            step.set(LinearStep.COMMAND);
        });
        when(ownRequest.and(ahead.isOneOf(PrefetchStep.OFFER, PrefetchStep.HELD)).or(reuse), () ->
                ahead.set(PrefetchStep.IDLE));
        when(dropPrefetch.and(ahead.isNot(PrefetchStep.ANSWER)), () -> ahead.set(PrefetchStep.IDLE));
        engine.drop.set(dropPrefetch);
        settled = ahead.is(PrefetchStep.IDLE).and(engine.loading.not()).named("linear_prefetch_settled");
        readsFree = step.isOneOf(LinearStep.HEADS, LinearStep.REQUEST, LinearStep.ANSWER, LinearStep.COMMAND,
                LinearStep.RUN).named("linear_reads_free");
        // The run's sizes are products of the command's and the instruction's registers: the beats registered in
        // COMMAND's first cycle and the words (from the beats) in its second, the vectors and the words written
        // two cycles ahead (a DSP's input and output registers), so the command goes to the engine from COMMAND's
        // third cycle and RUN starts with every size in place.
        Bool commandSecond = regNext("linear_command_second", step.is(LinearStep.COMMAND), 0);
        Bool sized = regNext("linear_sized", step.is(LinearStep.COMMAND).and(commandSecond), 0);
        engine.command.valid.set(step.is(LinearStep.COMMAND).and(sized));
        assign(engine.command.payload, command);
        when(engine.command.fire(), () -> step.set(LinearStep.RUN));
        Bool running = step.is(LinearStep.RUN).named("linear_running");

        // ---- activations: each token's blocks x 3T bytes, a read word (a data beat) a cycle from the store, A
        // bytes a beat to the engine ----
        int readBytes = store.readBytes;
        UInt beatsPerToken = regNext("linear_beats_per_token",
                command.blocks().resize(16).timesConstant(tlmm.beatsPerBlock(), 16));
        UInt wordsPerToken = regNext("linear_words_per_token", beatsPerToken.timesConstant(activationBytes, 24)
                .add(readBytes - 1).trunc(24).shr(KernelShape.shift(readBytes)).resize(16));
        UInt feedToken = reg("linear_feed_token", uint(tokenBits), 0);
        UInt feedWord = reg("linear_feed_word", uint(16), 0);
        UInt takenBeats = reg("linear_taken_beats", uint(16), 0);
        Bool feedPending = reg("linear_feed_pending", bool(), 0);
        // Whether the token has beats left to take, kept with their count (for timing: the compare lay on the path
        // of the engine's activations into its loader).
        Bool beatsLeft = reg("linear_beats_left", bool(), 0);
        assertAlways(running.not().or(beatsLeft.eq(takenBeats.lt(beatsPerToken))),
                "LinearExecutor: the beats-left flag is current while the product runs");
        // Whether the token has store words left to read, kept with their count (for timing: the compare lay on the
        // path of the read into the store's address).
        Bool wordsLeft = reg("linear_words_left", bool(), 0);
        assertAlways(running.not().or(wordsLeft.eq(feedWord.lt(wordsPerToken))),
                "LinearExecutor: the words-left flag is current while the product runs");
        when(engine.command.fire(), () -> {
            feedToken.set(0);
            feedWord.set(0);
            wordsLeft.set(wordsPerToken.ne(0));
            takenBeats.set(0);
            beatsLeft.set(beatsPerToken.ne(0));
            feedPending.set(false);
        });
        Bool feeding = running.and(feedToken.lt(tokens)).named("linear_feeding");
        // A store word is read, then offered to the gearbox the next cycle.
        Bool readNow = feeding.and(wordsLeft).and(feedPending.not().or(gearbox.in.ready))
                .named("linear_activation_read");
        when(readNow, () -> {
            store.readValid.set(true);
            store.readToken.set(feedToken.resize(widthOf(store.readToken)));
            store.readWord.set(feedWord.resize(widthOf(store.readWord)));
        });
        Bits heldWord = reg("linear_held_word", bits(8 * readBytes), 0);
        Bool holding = reg("linear_holding", bool(), 0);
        Bits offered = mux(holding, heldWord, store.readData).named("linear_offered_word");
        gearbox.in.valid.set(feedPending);
        gearbox.in.payload.set(offered);
        when(feedPending.and(gearbox.in.ready.not()).and(holding.not()), () -> {
            heldWord.set(store.readData);
            holding.set(true);
        });
        when(gearbox.in.fire(), () -> holding.set(false));
        when(readNow, () -> {
            feedPending.set(true);
            feedWord.set(feedWord.add(1).trunc(16));
            wordsLeft.set(feedWord.add(1).trunc(16).lt(wordsPerToken));
        }).elseWhen(gearbox.in.fire(), () -> feedPending.set(false));
        // The beats go to the engine through a register stage (for timing: the feed's step and the gearbox's
        // valid lay on the path through the engine's take into its token count); the counts below are of the
        // beats handed to the stage.
        Stream<Bits> activations = wire("linear_activations", Stream.of(bits(8 * activationBytes)));
        activations.stage("linear_activations_stage").connectTo(engine.activations);
        activations.valid.set(running.and(gearbox.out.valid).and(beatsLeft));
        activations.payload.set(gearbox.out.payload.slice(8 * activationBytes - 1, 0));
        gearbox.out.ready.set(activations.ready.and(beatsLeft));
        // The token is fed once its beats are taken and its words read, from the flags (for timing: the counts'
        // compares lay on the path into the gearbox's clear): the counts stop at their totals.
        Bool tokenFed = running.and(beatsLeft.not()).and(wordsLeft.not()).and(feedPending.not())
                .named("linear_token_fed");
        assertAlways(running.not().or(tokenFed.eq(takenBeats.eq(beatsPerToken).and(feedWord.eq(wordsPerToken))
                        .and(feedPending.not()))), "LinearExecutor: the token-fed flag follows the counts");
        gearbox.clear.set(tokenFed);
        when(activations.fire(), () -> {
            takenBeats.set(takenBeats.add(1).trunc(16));
            beatsLeft.set(takenBeats.add(1).trunc(16).lt(beatsPerToken));
        });
        when(tokenFed, () -> {
            feedToken.set(feedToken.add(1).trunc(tokenBits));
            feedWord.set(0);
            wordsLeft.set(wordsPerToken.ne(0));
            takenBeats.set(0);
            beatsLeft.set(beatsPerToken.ne(0));
        });

        // ---- results: for each tile, token, row group: Q sums, cut into words of W ----
        UInt tile = reg("linear_tile", uint(16), 0);
        UInt token = reg("linear_result_token", uint(tokenBits), 0);
        UInt group = reg("linear_group", uint(16), 0);
        UInt part = partsPerBeat == 1 ? U(0, 1) : reg("linear_part", uint(log2Up(partsPerBeat)), 0);
        UInt tileFirstGroup = reg("linear_tile_first_group", uint(16), 0);
        // The tile's row groups, a register set with the tile (for timing: the tile's compare and the select lay
        // on the path into the dequantizer's last flag and its factor queue); a simulation assertion holds it.
        UInt groupsOfTile = reg("linear_groups_of_tile", uint(16), 0);
        // Whether the row group is the tile's last, a flag set with the group (the increment and the compare with
        // the tile's groups lay on the path into the dequantizer's factor queue).
        Bool lastGroup = reg("linear_last_group", bool(), 0);
        // Whether the tile has a single row group, and whether the next tile is the command's last and has a
        // single row group: flags set with the tile (for timing: the next tile's compare and its groups' select
        // lay in front of the last-group flag's choice of its next value).
        Bool oneGroupTile = reg("linear_one_group_tile", bool(), 0);
        Bool nextTileLast = reg("linear_next_tile_last", bool(), 0);
        Bool nextTileOneGroup = reg("linear_next_tile_one_group", bool(), 0);
        UInt commandTiles = command.tiles().resize(16);
        when(engine.command.fire(), () -> {
            tile.set(0);
            UInt firstGroups = command.groupsOfTile(commandTiles.eq(1));
            groupsOfTile.set(firstGroups);
            lastGroup.set(firstGroups.eq(1));
            oneGroupTile.set(firstGroups.eq(1));
            Bool secondLast = commandTiles.eq(2);
            nextTileLast.set(secondLast);
            nextTileOneGroup.set(command.groupsOfTile(secondLast).eq(1));
            token.set(0);
            group.set(0);
            tileFirstGroup.set(0);
            if (partsPerBeat > 1) {
                part.set(0);
            }
        });
        Bool lastTile = tile.add(1).trunc(16).eq(commandTiles).named("linear_last_tile");
        assertAlways(engine.results.valid.not().or(groupsOfTile.eq(command.groupsOfTile(lastTile))),
                "LinearExecutor: the tile's row groups are current");
        Bool nextTileLastNow = tile.add(2).trunc(16).eq(commandTiles);
        assertAlways(engine.results.valid.not().or(oneGroupTile.eq(groupsOfTile.eq(1))
                        .and(nextTileLast.eq(nextTileLastNow))
                        .and(nextTileOneGroup.eq(command.groupsOfTile(nextTileLastNow).eq(1)))),
                "LinearExecutor: the tile's one-group, next-tile-last and next-tile-one-group flags are current");
        assertAlways(engine.results.valid.not().or(lastGroup.eq(group.add(1).trunc(16).eq(groupsOfTile))),
                "LinearExecutor: the last-group flag is current");
        Bool lastPart = partsPerBeat == 1 ? TRUE : part.eq(partsPerBeat - 1).named("linear_last_part");
        Bool lastToken = token.add(1).trunc(tokenBits).eq(tokens).named("linear_last_result_token");
        List<Bits> words = new ArrayList<>();
        for (int p = 0; p < partsPerBeat; p++) {
            List<Bits> laneValues = new ArrayList<>();
            for (int lane = lanes - 1; lane >= 0; lane--) {
                laneValues.add(engine.results.payload.get(p * lanes + lane).asBits());
            }
            words.add(cat(laneValues.toArray(new Bits[0])));
        }
        Bits word = partsPerBeat == 1 ? words.getFirst() : new Vec<>(words).get("linear_result_word", part);
        UInt rowWord = tileFirstGroup.add(group).trunc(16).timesConstant(partsPerBeat, 16)
                .add(part.resize(16)).trunc(16).named("linear_row_word");

        // Tags travel beside the dequantizer: the token and the word of the row (rows / W words a token).
        record Tag(UInt token, UInt word) {}
        Stream<Tag> tags = wire("linear_tag", Stream.of(new Tag(uint(tokenBits), uint(16))));
        Stream.Queued<Tag> tagQueue = tags.queue("linear_tags", 64, RamStyle.DISTRIBUTED);
        dequantizer.in.valid.set(engine.results.valid);
        for (int lane = 0; lane < lanes; lane++) {
            dequantizer.in.payload.acc().get(lane).set(word.slice(32 * lane + 31, 32 * lane).asSInt());
        }
        dequantizer.in.payload.last().set(lastGroup.and(lastPart));
        engine.results.ready.set(dequantizer.in.ready.and(lastPart));
        tags.valid.set(dequantizer.in.fire());
        tags.payload.token().set(token);
        tags.payload.word().set(rowWord);
        assertAlways(tags.valid.not().or(tags.ready), "LinearExecutor: the tag queue has room");
        when(dequantizer.in.fire(), () -> {
            if (partsPerBeat > 1) {
                part.set(mux(lastPart, U(0, widthOf(part)), part.add(1).trunc(widthOf(part))));
            }
            when(lastPart, () -> {
                group.set(mux(lastGroup, U(0, 16), group.add(1).trunc(16)));
                lastGroup.set(group.add(2).trunc(16).eq(groupsOfTile));
                when(lastGroup, () -> {
                    lastGroup.set(oneGroupTile);
                    token.set(mux(lastToken, U(0, tokenBits), token.add(1).trunc(tokenBits)));
                    when(lastToken, () -> {
                        tile.set(tile.add(1).trunc(16));
                        groupsOfTile.set(command.groupsOfTile(nextTileLast));
                        lastGroup.set(nextTileOneGroup);
                        oneGroupTile.set(nextTileOneGroup);
                        Bool afterNextLast = tile.add(3).trunc(16).eq(commandTiles);
                        nextTileLast.set(afterNextLast);
                        nextTileOneGroup.set(command.groupsOfTile(afterNextLast).eq(1));
                        tileFirstGroup.set(tileFirstGroup.add(command.tileGroups().resize(16)).trunc(16));
                    });
                });
            });
        });
        // The dequantizer's parameters, a vector per (tile, token) in that order.
        UInt paramToken = reg("linear_param_token", uint(tokenBits), 0);
        UInt paramVectors = reg("linear_param_vectors", uint(24), 0);
        UInt vectors = Ahead.product("linear_vectors", command.tiles(), tokens, 24, running, "LinearExecutor");
        when(engine.command.fire(), () -> {
            paramToken.set(0);
            paramVectors.set(0);
        });
        dequantizer.params.valid.set(running.and(paramVectors.lt(vectors)));
        dequantizer.params.payload.mc().set(store.mcOf(paramToken, "linear_param_mc"));
        dequantizer.params.payload.ws().set(scale);
        when(dequantizer.params.fire(), () -> {
            paramVectors.set(paramVectors.add(1).trunc(24));
            paramToken.set(mux(paramToken.add(1).trunc(tokenBits).eq(tokens), U(0, tokenBits),
                    paramToken.add(1).trunc(tokenBits)));
        });

        // ---- the epilogue ----
        UInt rowWords = rows.shr(laneShift).resize(16).named("linear_row_words");
        // The queue's head is registered (a stage): its distributed-RAM read lay on the path into the buffers'
        // read address (the residual add's h, the gating unit's operand).
        // The padding compare is made as the head is registered (it lay on the same path).
        record Head(UInt token, UInt word, Bool padding) {}
        Stream<Head> tag = tagQueue.stream().map(t -> new Head(t.token(), t.word(), t.word().ge(rowWords)))
                .stage("linear_tag_head");
        Bool residualAdd = epilogueIs("linear_residual_add", epilogue, start, request.epilogue(),
                Epilogue.RESIDUAL_ADD);
        Bool gating = epilogueIs("linear_gate_up", epilogue, start, request.epilogue(), Epilogue.GATE_UP);
        Bool yReady = dequantizer.out.valid.and(tag.valid).named("linear_y_ready");
        Bool padding = tag.payload.padding();
        // An epilogue with a unit reads its other operand from a buffer, a fixed pipeline: the reads go out as y
        // comes, each with a credit of the buffer in front of the unit, and y waits beside the read. The residual
        // add's h comes back from dst rounded to the storage format (ActivationBuffers.readStored) and the unit
        // takes a word a cycle; the gating unit's gate comes back from src as binary32 (readData) and the unit,
        // lane-serial, takes a word every few cycles (its buffer fills, then y waits in the dequantizer).
        int storedLatency = buffers.storedReadLatency;
        CreditBuffer<ResidualAdd.In> toResidual = new CreditBuffer<>("linear_residual_feed",
                new ResidualAdd.In(vec(lanes, bits(16)), vec(lanes, bits(32)), bool()),
                CreditBuffer.depthFor(storedLatency));
        CreditBuffer<Gating.In> toGating = new CreditBuffer<>("linear_gating_feed",
                new Gating.In(vec(lanes, bits(32)), vec(lanes, bits(32)), bool()),
                CreditBuffer.depthFor(ActivationBuffers.READ_LATENCY));
        Bool storesY = epilogueIs("linear_stores_y", epilogue, start, request.epilogue(), Epilogue.STORE,
                Epilogue.ROPE_QUERY, Epilogue.ROPE_KEY_CACHE, Epilogue.VALUE_CACHE);
        // Written as a sum of flip-flop terms (the flags and the credit buffers' availability are registers).
        Bool take = yReady.and(storesY.or(padding).or(residualAdd.and(toResidual.available()))
                .or(gating.and(toGating.available()))).named("linear_y_take");
        dequantizer.out.ready.set(take);
        tag.ready.set(take);
        UInt written = reg("linear_words_written", uint(24), 0);
        UInt expectedWords = Ahead.product("linear_expected_words", rowWords, tokens, 24, running,
                "LinearExecutor");
        when(engine.command.fire(), () -> written.set(0));
        Bool directWrite = take.and(padding.not()).and(storesY).named("linear_store_write");
        Bool residualRead = take.and(padding.not()).and(residualAdd).named("linear_residual_read");
        Bool gatingRead = take.and(padding.not()).and(gating).named("linear_gating_read");
        // The read's buffer, token and word follow the tag head while an epilogue that reads runs, its valid only
        // when a result is taken (for timing: the take, from the dequantizer's valid and the credits, lay on the
        // path through the port's multiplexer into the buffers' address). Whether it reads is a flag set as RUN
        // starts and cleared as it ends (for timing: the step's decode and the epilogue's flag lay on the same
        // path).
        Bool epilogueReads = reg("linear_epilogue_reads", bool(), 0);
        when(engine.command.fire(), () -> epilogueReads.set(storesY.not()));
        assertAlways(epilogueReads.eq(running.and(storesY.not())), "LinearExecutor: the epilogue-reads flag"
                + " follows RUN and the epilogue");
        when(epilogueReads, () -> {
            buffers.read.buffer().set(mux(residualAdd, dst, src));
            buffers.read.token().set(tag.payload.token().resize(widthOf(buffers.read.token())));
            buffers.read.word().set(tag.payload.word().resize(widthOf(buffers.read.word())));
        });
        when(take.and(padding.not()).and(storesY.not()), () -> buffers.read.valid().set(true));
        assertAlways(take.and(padding.not()).and(storesY.not()).not().or(running), "LinearExecutor: an epilogue"
                + " reads only while LINEAR runs");
        // The residual add: h (dst's word rounded) lands storedLatency cycles after its read, y delayed beside it.
        toResidual.issue(residualRead);
        Bool landed = Delay.valid("linear_residual_landed", residualRead, storedLatency);
        Vec<Bits> landedY = Delay.of("linear_residual_y", dequantizer.out.payload.y(), storedLatency);
        toResidual.connect(new Flow<>(landed, new ResidualAdd.In(buffers.readStored, landedY, TRUE)))
                .connectTo(residual.in);
        // The gating: g (src's word) lands READ_LATENCY cycles after its read, y (u) delayed beside it.
        toGating.issue(gatingRead);
        Bool gateLanded = Delay.valid("linear_gating_landed", gatingRead, ActivationBuffers.READ_LATENCY);
        Vec<Bits> gateY = Delay.of("linear_gating_y", dequantizer.out.payload.y(), ActivationBuffers.READ_LATENCY);
        toGating.connect(new Flow<>(gateLanded, new Gating.In(buffers.readData, gateY, TRUE)))
                .connectTo(gatingUnit.in);
        gatingUnit.select().set(mux(useRelu2, U(gatingUnit.activations.indexOf(Activation.RELU2), 1),
                U(gatingUnit.activations.indexOf(Activation.SILU), 1)).resize(widthOf(gatingUnit.select())));
        // The units' outputs come back in order; their tags wait in a queue, each word's from its read.
        Stream<Tag> unitTags = wire("linear_unit_tag", Stream.of(new Tag(uint(tokenBits), uint(16))));
        Stream<Tag> unitTag = unitTags.queue("linear_unit_tags", 64, RamStyle.DISTRIBUTED).stream();
        // A tag is queued a cycle after its word goes to a unit (for timing: the epilogue's choice lay on the path
        // into the queue; a unit's word takes many cycles).
        unitTags.valid.set(regNext("linear_unit_tag_push", residualRead.or(gatingRead), 0));
        unitTags.payload.token().set(regNext("linear_unit_tag_token", tag.payload.token()));
        unitTags.payload.word().set(regNext("linear_unit_tag_word", tag.payload.word()));
        assertAlways(unitTags.valid.not().or(unitTags.ready), "LinearExecutor: the unit tag queue has room");
        Bool unitOut = residual.out.valid.or(gatingUnit.out.valid).named("linear_unit_out");
        residual.out.ready.set(TRUE);
        gatingUnit.out.ready.set(TRUE);
        unitTag.ready.set(unitOut);
        // The word written, y or a unit's word widened back to binary32, is registered with its tag before it goes
        // to the buffers' write multiplexer (for timing: the tag queue's read and the padding compare, or a unit's
        // output queue and the widening, were one path with the writers' multiplexer); a unit's word and its tag
        // are registered once more before the widening (the output queue's read and the widening were one path).
        List<Bits> unitWord = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            unitWord.add(mux(residual.out.valid, residual.out.payload.h().get(lane),
                    gatingUnit.out.payload.f().get(lane)));
        }
        Bool unitOutQ = regNext("linear_unit_out_q", unitOut, 0);
        Vec<Bits> unitWordQ = regNext("linear_unit_word", new Vec<>(unitWord));
        UInt unitTokenQ = regNext("linear_unit_token", unitTag.payload.token());
        UInt unitWordIndexQ = regNext("linear_unit_word_index", unitTag.payload.word());
        assertAlways(directWrite.and(unitOutQ).not(), "LinearExecutor: one write to the buffer a cycle");
        List<Bits> values = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            values.add(mux(directWrite, dequantizer.out.payload.y().get(lane),
                    FpConvert.toFp32(shape.storage(), unitWordQ.get(lane))));
        }
        Bool writeNow = buffers.registeredWrite("linear_write", directWrite.or(unitOutQ), dst,
                mux(directWrite, tag.payload.token(), unitTokenQ), mux(directWrite, tag.payload.word(), unitWordIndexQ),
                new Vec<>(values));
        when(writeNow, () -> written.set(written.add(1).trunc(24)));

        Bool engineDone = reg("linear_engine_done", bool(), 0);
        when(engine.command.fire(), () -> engineDone.set(false)).elseWhen(engine.done, () -> engineDone.set(true));
        Bool rotating = epilogueIs("linear_rotating", epilogue, start, request.epilogue(), Epilogue.ROPE_QUERY,
                Epilogue.ROPE_KEY_CACHE, Epilogue.VALUE_CACHE);
        when(running.and(engineDone).and(written.eq(expectedWords)), () -> {
            step.set(mux(rotating, HwEnum.constant(LinearStep.ROTATE), HwEnum.constant(LinearStep.FINISH)));
            epilogueReads.set(false);
        });

        // ---- the second pass of the RoPE and cache epilogues ----
        RotateAndCache rotate = area(new RotateAndCache(shape, rope, cacheWriter, reads, buffers,
                new RotateAndCache.Settings(dst, rows, heads, cacheEpilogue, epilogue.eq(Epilogue.VALUE_CACHE.id()),
                        layer, tokens, firstPosition, headDim, adjacent, kvHeads, positions, ropeTable, kvCache),
                callStart));
        Bool rotateStarted = reg("linear_rotate_started", bool(), 0);
        rotate.start.set(step.is(LinearStep.ROTATE).and(rotateStarted.not()).and(readsLent.not()));
        when(rotate.start, () -> rotateStarted.set(true));
        when(rotate.done.valid, () -> {
            rotateStarted.set(false);
            code.set(rotate.done.payload);
            step.set(LinearStep.FINISH);
        });

        // The instruction ends once the sequencer's read ahead is in, so its beats never reach another reader.
        Bool finishing = step.is(LinearStep.FINISH).and(readsLent.not()).named("linear_done");
        done = new Flow<>(finishing, code);
        when(finishing, () -> step.set(LinearStep.IDLE));
    }

    /**
     * Whether the instruction's epilogue is one of {@code kinds}: a flag decoded from the request as the
     * instruction starts, set with the epilogue register (for timing: the decode of the register lay in front of
     * the epilogue's take of a result and the tag queue's pop); a simulation assertion holds it to the register.
     */
    private static Bool epilogueIs(String name, UInt epilogue, Bool start, UInt requested, Epilogue... kinds) {
        // It resets to the decode of the epilogue register's reset value, 0.
        boolean atReset = Arrays.stream(kinds).anyMatch(kind -> kind.id() == 0);
        Bool flag = reg(name, bool(), atReset ? 1 : 0);
        Bool requestedIs = requested.eq(kinds[0].id());
        Bool registeredIs = epilogue.eq(kinds[0].id());
        for (int k = 1; k < kinds.length; k++) {
            requestedIs = requestedIs.or(requested.eq(kinds[k].id()));
            registeredIs = registeredIs.or(epilogue.eq(kinds[k].id()));
        }
        Bool decoded = requestedIs;
        when(start, () -> flag.set(decoded));
        assertAlways(flag.eq(registeredIs), "LinearExecutor: " + name + " follows the epilogue");
        return flag;
    }
}
