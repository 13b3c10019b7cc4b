package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.attention.KvCacheWriter;
import dev.tellmej.accel.elementwise.RopeRunTime;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Ahead;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.PartialProducts;
import java.util.ArrayList;
import java.util.List;

/**
 * The second pass of LINEAR's RoPE and KV-cache epilogues (ROPE_QUERY, ROPE_KEY_CACHE, VALUE_CACHE). The first
 * pass left y, binary32, in dst, token after token; this one reads each token's vector back a word of W at a
 * time, head after head, through the run-time RoPE unit ({@link RopeRunTime}, which only stores for VALUE_CACHE),
 * and writes what it gives, {@code st(rope(y))} or {@code st(y)}, over dst (as binary32) and, for the cache
 * epilogues, into the KV cache: the stored values are packed into beats of the KV port and the
 * {@link KvCacheWriter} writes each token's rows, one command per token covering its KV heads.
 *
 * <p>Why two passes: the TLMM gives a chunk's results tile by tile, all tokens of a tile before the next tile, so
 * a head whose rows straddle two tiles is not contiguous in that stream; dst, which the instruction names, holds
 * the chunk's vectors until they are whole. The pass costs {@code tokens x rows / W} cycles beside the
 * matrix's.
 *
 * <p>The RoPE table's rows of the chunk's positions are read from the image (SETUP's {@code rope_table}; a
 * position's row is d/2 cos then d/2 sin, binary32) into the unit's table, once per chunk: a later rotation of
 * the same positions, head dimension and table reuses them. A new call reloads.
 */
final class RotateAndCache extends Area {
    enum RotateStep { IDLE, SIZES, RUN, PRODUCTS, SUMS, BASES, TABLE_COMMAND, TABLE, ROTATE, FINISH }

    /**
     * The instruction and the call, held steady by the LINEAR executor while the pass runs.
     *
     * @param dst           the buffer holding y, and the destination
     * @param rows          values per token (whole heads)
     * @param heads         rows / headDim
     * @param toCache       the cache epilogues: write the K or V cache too
     * @param values        VALUE_CACHE: no rotation, the V rows
     * @param layer         the layer whose cache rows are written
     * @param tokens        tokens in the chunk
     * @param firstPosition the chunk's first position
     * @param headDim       SETUP's head dimension d
     * @param adjacent      SETUP's pair style
     * @param kvHeads       SETUP's KV heads
     * @param positions     SETUP's context: positions per KV-cache run
     * @param ropeTable     byte address of the RoPE table (position 0's row)
     * @param kvCache       byte address of the KV cache
     */
    record Settings(UInt dst, UInt rows, UInt heads, Bool toCache, Bool values, UInt layer, UInt tokens,
            UInt firstPosition, UInt headDim, Bool adjacent, UInt kvHeads, UInt positions, UInt ropeTable,
            UInt kvCache) {}

    /** A pulse: run the pass with the settings as they are now (they stay until {@link #done}). */
    final Bool start;
    /** The pass's end, with an {@link ErrorCode} value (NONE, or DDR_ERROR when a cache write failed). */
    final Flow<UInt> done;

    RotateAndCache(KernelShape shape, RopeRunTime rope, KvCacheWriter cacheWriter, DataReads reads,
                   ActivationBuffers buffers, Settings settings, Bool callStart) {
        super("rotate_and_cache", "the RoPE and KV-cache epilogues: dst read back head by head through the RoPE"
                + " unit, stored over dst and into the K or V cache");
        int lanes = shape.lanes();
        int laneShift = KernelShape.shift(lanes);
        int beatShift = KernelShape.shift(shape.beatBytes());
        int tokenBits = bitsFor(shape.chunkTokens());
        int rowBits = widthOf(rope.in.payload.row());
        start = wire("rotate_start", bool());
        start.set(false);

        HwEnum<RotateStep> step = reg("rotate_step", enumOf(RotateStep.class), RotateStep.IDLE);
        when(start, () -> step.set(RotateStep.SIZES));

        // ---- sizes and addresses, in registered steps ----
        UInt headDim = settings.headDim();
        UInt headBeats = reg("rotate_head_beats", uint(widthOf(rope.runTime.headBeats())), 0);
        UInt rowWords = reg("rotate_row_words", uint(16), 0);
        UInt run = reg("rotate_run_bytes", uint(48), 0);
        UInt rowBytes = reg("rotate_row_bytes", uint(17), 0);
        UInt layerHeads = reg("rotate_layer_heads", uint(16), 0);
        UInt tableAddress = reg("rotate_table_address", uint(64), 0);
        UInt tableBeats = reg("rotate_table_beats", uint(32), 0);
        UInt commandAddress = reg("rotate_command_address", uint(64), 0);
        // tokens x head_dim, two cycles ahead (a DSP's input and output registers): the settings hold still from
        // the LINEAR's start, long before the pass starts.
        UInt tableValues = Ahead.product("rotate_table_values", settings.tokens(), headDim, 30,
                step.is(RotateStep.SIZES), "RotateAndCache");
        when(step.is(RotateStep.SIZES), () -> {
            headBeats.set(headDim.shr(laneShift).resize(widthOf(headBeats)));
            rowWords.set(settings.rows().shr(laneShift).resize(16));
            rowBytes.set(headDim.resize(17).shl(1).trunc(17));
            layerHeads.set(settings.layer().resize(8).mul(settings.kvHeads().resize(8)));
            tableBeats.set(tableValues.resize(32).shl(2).trunc(32).shr(beatShift).resize(32));
            step.set(RotateStep.RUN);
        });
        // run = positions x head_dim x 2, the KV cache's bytes of a head: the product as DSP-sized partial
        // products (SIZES), summed a cycle later (RUN). Each product's operands are private copies of the
        // settings, loaded at the start.
        PartialProducts runParts = PartialProducts.register("rotate_run",
                PartialProducts.operandCopy("rotate_run_positions", settings.positions(), start),
                PartialProducts.operandCopy("rotate_run_head_dim", headDim, start), step.is(RotateStep.SIZES));
        when(step.is(RotateStep.RUN), () -> {
            run.set(runParts.sum(47).resize(48).shl(1).trunc(48));
            step.set(RotateStep.PRODUCTS);
        });
        // The token's K (or V) row of KV head 0: ((layer x kvHeads) x 2 + kind) x run + position x row bytes: the
        // two products as DSP-sized partial products (PRODUCTS), their sums (SUMS), then the address (BASES), a
        // cycle each. The table's first row, the first position x head_dim x 4 bytes on, likewise (SIZES, SUMS).
        PartialProducts tableOffset = PartialProducts.register("rotate_table_offset",
                PartialProducts.operandCopy("rotate_table_first_position", settings.firstPosition(), start),
                PartialProducts.operandCopy("rotate_table_head_dim", headDim, start), step.is(RotateStep.SIZES));
        PartialProducts layerRunParts = PartialProducts.register("rotate_layer_run", layerHeads, run,
                step.is(RotateStep.PRODUCTS));
        PartialProducts positionParts = PartialProducts.register("rotate_position_bytes",
                PartialProducts.operandCopy("rotate_position_first_position", settings.firstPosition(), start),
                PartialProducts.operandCopy("rotate_position_row_bytes", headDim.resize(17).shl(1).trunc(17),
                        step.is(RotateStep.SIZES)), step.is(RotateStep.PRODUCTS));
        UInt layerRun = reg("rotate_layer_run", uint(64), 0);
        UInt positionBytes = reg("rotate_position_bytes", uint(64), 0);
        when(step.is(RotateStep.PRODUCTS), () -> step.set(RotateStep.SUMS));
        when(step.is(RotateStep.SUMS), () -> {
            layerRun.set(layerRunParts.sum(64).shl(1).trunc(64));
            positionBytes.set(positionParts.sum(64));
            tableAddress.set(settings.ropeTable().add(tableOffset.sum(64).shl(2).trunc(64)).trunc(64));
            step.set(RotateStep.BASES);
        });
        UInt kindRun = mux(settings.values(), run, U(0, 48)).named("rotate_kind_run");
        Bool tableLoaded = wire("rotate_table_loaded", bool());
        when(step.is(RotateStep.BASES), () -> {
            commandAddress.set(settings.kvCache().add(layerRun).trunc(64).add(kindRun.resize(64)).trunc(64)
                    .add(positionBytes).trunc(64));
            step.set(mux(settings.values().or(tableLoaded), HwEnum.constant(RotateStep.ROTATE),
                    HwEnum.constant(RotateStep.TABLE_COMMAND)));
        });

        // ---- the RoPE table's rows of the chunk: word k of a position's row is group k mod d/2W, sine k >= d/2W ----
        UInt loadedFirst = reg("rotate_loaded_first", uint(32), 0);
        UInt loadedTokens = reg("rotate_loaded_tokens", uint(tokenBits), 0);
        UInt loadedDim = reg("rotate_loaded_dim", uint(16), 0);
        UInt loadedTable = reg("rotate_loaded_table", uint(64), 0);
        Bool loaded = reg("rotate_loaded", bool(), 0);
        tableLoaded.set(loaded.and(loadedFirst.eq(settings.firstPosition())).and(loadedTokens.eq(settings.tokens()))
                .and(loadedDim.eq(headDim)).and(loadedTable.eq(tableAddress)));
        when(step.is(RotateStep.TABLE_COMMAND), () -> {
            reads.command.valid.set(true);
            reads.command.payload.address().set(tableAddress);
            reads.command.payload.beats().set(tableBeats.resize(widthOf(reads.command.payload.beats())));
            when(reads.command.ready, () -> step.set(RotateStep.TABLE));
        });
        int beatsPerWord = lanes / shape.fp32PerBeat();
        UInt gathered = beatsPerWord == 1 ? U(0, 1) : reg("rotate_gathered", uint(log2Up(beatsPerWord)), 0);
        Bool wordWhole = beatsPerWord == 1 ? TRUE : gathered.eq(beatsPerWord - 1).named("rotate_word_whole");
        Bits beat = reads.data.payload.data();
        Bits tableWord;
        if (beatsPerWord == 1) {
            tableWord = beat;
        } else {
            // Beats arrive low values first: the earlier ones wait in a shift register below the newest.
            int beatBits = widthOf(beat);
            Bits earlier = reg("rotate_earlier_beats", bits(beatBits * (beatsPerWord - 1)), 0);
            tableWord = cat(beat, earlier).named("rotate_table_word");
            when(step.is(RotateStep.TABLE).and(reads.data.valid), () -> earlier.set(beatsPerWord == 2 ? beat
                    : cat(beat, earlier.slice(widthOf(earlier) - 1, beatBits))));
        }
        UInt halfWords = headBeats.shr(1).named("rotate_half_words");
        UInt tableRow = reg("rotate_table_row", uint(rowBits), 0);
        UInt group = reg("rotate_table_group", uint(widthOf(rope.tableWrite.payload.group())), 0);
        Bool sine = reg("rotate_table_sine", bool(), 0);
        UInt beatsLeft = reg("rotate_table_beats_left", uint(32), 0);
        when(step.is(RotateStep.TABLE_COMMAND), () -> {
            tableRow.set(0);
            group.set(0);
            sine.set(false);
            beatsLeft.set(tableBeats);
            if (beatsPerWord > 1) {
                gathered.set(0);
            }
        });
        Bool tableBeat = step.is(RotateStep.TABLE).and(reads.data.valid).named("rotate_table_beat");
        when(step.is(RotateStep.TABLE), () -> reads.data.ready.set(true));
        Bool wordIn = tableBeat.and(wordWhole).named("rotate_table_word_in");
        rope.tableWrite.valid.set(wordIn);
        rope.tableWrite.payload.row().set(tableRow);
        rope.tableWrite.payload.group().set(group);
        rope.tableWrite.payload.sine().set(sine);
        rope.tableWrite.payload.values().set(tableWord);
        Bool lastGroup = group.resize(16).add(1).trunc(16).eq(halfWords.resize(16)).named("rotate_last_group");
        when(tableBeat, () -> {
            beatsLeft.set(beatsLeft.sub(1).trunc(32));
            if (beatsPerWord > 1) {
                gathered.set(mux(wordWhole, U(0, widthOf(gathered)), gathered.add(1).trunc(widthOf(gathered))));
            }
            when(beatsLeft.eq(1), () -> {
                step.set(RotateStep.ROTATE);
                loaded.set(true);
                loadedFirst.set(settings.firstPosition());
                loadedTokens.set(settings.tokens());
                loadedDim.set(headDim);
                loadedTable.set(tableAddress);
            });
        });
        when(wordIn, () -> {
            group.set(mux(lastGroup, U(0, widthOf(group)), group.add(1).trunc(widthOf(group))));
            when(lastGroup, () -> {
                sine.set(sine.not());
                when(sine, () -> tableRow.set(tableRow.add(1).trunc(rowBits)));
            });
        });
        when(callStart, () -> loaded.set(false));

        // ---- dst read back, token by token, a word a cycle into the RoPE unit ----
        Bool rotating = step.is(RotateStep.ROTATE).named("rotate_running");
        UInt feedToken = reg("rotate_feed_token", uint(tokenBits), 0);
        UInt feedWord = reg("rotate_feed_word", uint(16), 0);
        // Whether tokens are left to feed, kept with the token (for timing: the compare lay on the path of the read
        // request into the buffers' address).
        Bool feedLeft = reg("rotate_feed_left", bool(), 0);
        assertAlways(rotating.not().or(feedLeft.eq(feedToken.lt(settings.tokens()))),
                "RotateAndCache: the feed-left flag follows the token fed");
        when(start, () -> {
            feedToken.set(0);
            feedLeft.set(settings.tokens().ne(0));
            feedWord.set(0);
        });
        Bool lastFeedWord = feedWord.add(1).trunc(16).eq(rowWords).named("rotate_last_feed_word");
        // A word read is on readData READ_LATENCY cycles later, a fixed pipeline: the reads go out a word a cycle,
        // each with a credit of the buffer in front of the unit (whose ready so never reaches the read request),
        // the word's row and last flag delayed beside it.
        CreditBuffer<RopeRunTime.In> feed = new CreditBuffer<>("rotate_feed", templateOf(rope.in.payload),
                CreditBuffer.depthFor(ActivationBuffers.READ_LATENCY));
        Bool readNow = rotating.and(feedLeft).and(feed.available()).named("rotate_read");
        when(readNow, () -> {
            buffers.read.valid().set(true);
            buffers.read.buffer().set(settings.dst());
            buffers.read.token().set(feedToken.resize(widthOf(buffers.read.token())));
            buffers.read.word().set(feedWord.resize(widthOf(buffers.read.word())));
            feedWord.set(mux(lastFeedWord, U(0, 16), feedWord.add(1).trunc(16)));
            when(lastFeedWord, () -> {
                feedToken.set(feedToken.add(1).trunc(tokenBits));
                feedLeft.set(feedToken.add(1).trunc(tokenBits).lt(settings.tokens()));
            });
        });
        feed.issue(readNow);
        int latency = ActivationBuffers.READ_LATENCY;
        feed.connect(new Flow<>(Delay.valid("rotate_read_landed", readNow, latency),
                new RopeRunTime.In(buffers.readData, Delay.of("rotate_read_row", feedToken.resize(rowBits), latency),
                        Delay.of("rotate_read_last", lastFeedWord, latency)))).connectTo(rope.in);
        rope.runTime.headBeats().set(headBeats);
        rope.runTime.adjacent().set(settings.adjacent());
        rope.runTime.bypass().set(settings.values());

        // ---- its results: over dst, and packed into beats of the KV port for the cache ----
        int wordsPerBeat = shape.wordsPerBeat();
        UInt slot = wordsPerBeat == 1 ? U(0, 1) : reg("rotate_pack_slot", uint(log2Up(wordsPerBeat)), 0);
        Bool beatWhole = wordsPerBeat == 1 ? TRUE : slot.eq(wordsPerBeat - 1).named("rotate_beat_whole");
        List<Bits> packed = new ArrayList<>();
        List<Bits> held = new ArrayList<>();
        for (int s = 0; s < wordsPerBeat - 1; s++) {
            held.add(reg("rotate_pack_word" + s, bits(16 * lanes), 0));
        }
        List<Bits> outLanes = new ArrayList<>();
        for (int lane = lanes - 1; lane >= 0; lane--) {
            outLanes.add(rope.out.payload.y().get(lane));
        }
        Bits outWord = cat(outLanes.toArray(new Bits[0])).named("rotate_out_word");
        packed.add(outWord);
        for (int s = wordsPerBeat - 2; s >= 0; s--) {
            packed.add(held.get(s));
        }
        cacheWriter.rows.valid.set(rope.out.valid.and(settings.toCache()).and(beatWhole));
        cacheWriter.rows.payload.set(cat(packed.toArray(new Bits[0])));
        rope.out.ready.set(settings.toCache().not().or(beatWhole.not()).or(cacheWriter.rows.ready));
        when(start, () -> {
            if (wordsPerBeat > 1) {
                slot.set(0);
            }
        });
        UInt outToken = reg("rotate_out_token", uint(tokenBits), 0);
        UInt outWordIndex = reg("rotate_out_word_index", uint(16), 0);
        when(start, () -> {
            outToken.set(0);
            outWordIndex.set(0);
        });
        Bool lastOutWord = outWordIndex.add(1).trunc(16).eq(rowWords).named("rotate_last_out_word");
        // The word over dst is registered with its place as stored, widened back to binary32, and registered
        // again before it goes to the buffers' write multiplexer (for timing: the unit's result queue, the
        // widening and the multiplexer were one path).
        Bool writeNow = buffers.registeredStoredWrite("rotate_write", rope.out.fire(), settings.dst(), outToken,
                outWordIndex, rope.out.payload.y(), shape.storage());
        when(rope.out.fire(), () -> {
            outWordIndex.set(mux(lastOutWord, U(0, 16), outWordIndex.add(1).trunc(16)));
            when(lastOutWord, () -> outToken.set(outToken.add(1).trunc(tokenBits)));
            if (wordsPerBeat > 1) {
                slot.set(mux(beatWhole, U(0, widthOf(slot)), slot.add(1).trunc(widthOf(slot))));
                for (int s = 0; s < wordsPerBeat - 1; s++) {
                    int index = s;
                    when(slot.eq(s), () -> held.get(index).set(outWord));
                }
            }
        });

        // ---- the cache writer's commands, a token each, and their completions ----
        UInt commandToken = reg("rotate_command_token", uint(tokenBits), 0);
        UInt finished = reg("rotate_cache_done", uint(tokenBits), 0);
        Bool failed = reg("rotate_cache_failed", bool(), 0);
        when(start, () -> {
            commandToken.set(0);
            finished.set(0);
            failed.set(false);
        });
        cacheWriter.command.valid.set(rotating.and(settings.toCache()).and(commandToken.lt(settings.tokens())));
        cacheWriter.command.payload.address().set(commandAddress);
        cacheWriter.command.payload.headStride().set(run.resize(31).shl(1).trunc(32));
        cacheWriter.command.payload.heads().set(settings.heads().resize(8));
        cacheWriter.command.payload.rowBeats().set(rowBytes.shr(beatShift).resize(16));
        when(cacheWriter.command.fire(), () -> {
            commandToken.set(commandToken.add(1).trunc(tokenBits));
            commandAddress.set(commandAddress.add(rowBytes.resize(64)).trunc(64));
        });
        when(cacheWriter.done.valid, () -> {
            finished.set(finished.add(1).trunc(tokenBits));
            when(cacheWriter.done.payload.error(), () -> failed.set(true));
        });

        Bool allWritten = outToken.eq(settings.tokens()).and(writeNow.not())
                .and(settings.toCache().not().or(finished.eq(settings.tokens()))).named("rotate_all_written");
        when(rotating.and(allWritten), () -> step.set(RotateStep.FINISH));
        when(step.is(RotateStep.FINISH), () -> step.set(RotateStep.IDLE));
        done = new Flow<>(step.is(RotateStep.FINISH).named("rotate_done"),
                mux(failed, U(ErrorCode.DDR_ERROR.code(), 8), U(ErrorCode.NONE.code(), 8)).named("rotate_code"));
    }
}
