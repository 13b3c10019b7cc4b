package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.attention.AttentionShape;
import dev.tellmej.accel.attention.AttentionUnit;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.fp.FpConvert;
import java.util.ArrayList;
import java.util.List;

/**
 * ATTENTION (N15): every query head of every token of the chunk, over the KV cache's positions 0 .. the token's
 * own, through the {@link AttentionUnit}. For each KV head, the tokens go in blocks of as many as the unit's
 * slots hold with the head's GQA group ({@code slots / group} tokens of {@code group} heads), so each K and V row
 * is read once per block and serves all its slots. The queries come from the source buffer (binary32 of stored
 * values, converted back to the storage format exactly), the outputs go to the destination buffer.
 *
 * <p>Refused with BAD_FIELD, before anything is read: a source or destination that is no buffer or too short for
 * heads x head_dim, no SETUP yet (head_dim 0), a layer at or above the build's, a head dimension that is not whole
 * beats of the unit, or a GQA group larger than the unit's slots. An error the unit reports (CONTEXT_OVERFLOW,
 * DDR_ERROR) ends the instruction with it.
 */
final class AttentionExecutor extends Area {
    enum AttentionStep {
        IDLE, SIZES, LAYER_BASE, BLOCK, COMMAND, QUERY_READ, QUERY_WAIT, QUERY_PUSH, OUTPUTS, WAIT_DONE, NEXT, FINISH
    }

    /** The instruction's fields, the SETUP registers and the chunk, sampled at {@link #start}. */
    record Request(UInt src, UInt dst, UInt layer, Bits scale, UInt headDim, UInt heads, UInt kvHeads,
            UInt headWidth, UInt positions, UInt tokens, UInt firstPosition, UInt kvCache) {}

    final Bool start;
    final Request request;
    /** The instruction's end, with an {@link ErrorCode} value. */
    final Flow<UInt> done;

    AttentionExecutor(KernelShape shape, AttentionUnit unit, ActivationBuffers buffers) {
        super("attention_executor", "ATTENTION: each KV head's token blocks through the attention unit, queries"
                + " from a buffer, outputs into one");
        AttentionShape att = unit.shape;
        var limits = shape.config().limits();
        int lanes = shape.lanes();
        int laneShift = KernelShape.shift(lanes);
        int wordsPerBeat = att.width() / lanes;
        int tokenBits = bitsFor(shape.chunkTokens());
        start = wire("attention_start", bool());
        start.set(false);
        request = new Request(wire("attention_src", uint(ActivationBuffers.BUFFER_ID_BITS)),
                wire("attention_dst", uint(ActivationBuffers.BUFFER_ID_BITS)), wire("attention_layer", uint(8)),
                wire("attention_scale", bits(32)), wire("attention_head_dim", uint(16)),
                wire("attention_heads", uint(8)), wire("attention_kv_heads", uint(8)),
                wire("attention_head_width", uint(32)), wire("attention_positions", uint(32)), wire("attention_tokens", uint(tokenBits)),
                wire("attention_first_position", uint(32)), wire("attention_kv_cache", uint(64)));
        for (Object field : List.of(request.src(), request.dst(), request.layer(), request.scale(),
                request.headDim(), request.heads(), request.kvHeads(), request.headWidth(), request.positions(),
                request.tokens(),
                request.firstPosition(), request.kvCache())) {
            if (field instanceof UInt u) {
                u.set(0);
            } else {
                ((Bits) field).set(0);
            }
        }

        HwEnum<AttentionStep> step = reg("attention_step", enumOf(AttentionStep.class), AttentionStep.IDLE);
        UInt src = reg("attention_src_id", uint(ActivationBuffers.BUFFER_ID_BITS), 0);
        UInt dst = reg("attention_dst_id", uint(ActivationBuffers.BUFFER_ID_BITS), 0);
        UInt layer = reg("attention_layer_q", uint(8), 0);
        Bits scale = reg("attention_scale_q", bits(32), 0);
        UInt headDim = reg("attention_head_dim_q", uint(16), 0);
        UInt kvHeads = reg("attention_kv_heads_q", uint(8), 0);
        UInt group = reg("attention_group", uint(8), 0);
        UInt blockTokens = reg("attention_block_tokens", uint(8), 0);
        UInt positions = reg("attention_positions_q", uint(32), 0);
        UInt tokens = reg("attention_token_count", uint(tokenBits), 0);
        UInt firstPosition = reg("attention_first_position_q", uint(32), 0);
        UInt kvCache = reg("attention_kv_base", uint(64), 0);
        UInt code = reg("attention_code", uint(8), 0);

        // ---- checks and the sizes of the walk ----
        // heads x head_dim, the sequencer's register of it (below 2^24: 8 bits by 16).
        UInt headsTimesDim = request.headWidth().resize(24).named("attention_q_width");
        UInt srcCapacity = ActivationBuffers.capacity(shape, request.src(), "attention_src_capacity");
        UInt dstCapacity = ActivationBuffers.capacity(shape, request.dst(), "attention_dst_capacity");
        UInt groupOf = groupOf(limits.heads(), limits.kvHeads(), request.heads(), request.kvHeads());
        Bool partBeats = request.headDim().resize(KernelShape.shift(att.width())).ne(0).named("attention_part_beats");
        Bool bad = ActivationBuffers.isBuffer(request.src()).not().or(ActivationBuffers.isBuffer(request.dst()).not())
                .or(request.headDim().eq(0)).or(request.kvHeads().eq(0))
                .or(headsTimesDim.gt(srcCapacity.resize(24))).or(headsTimesDim.gt(dstCapacity.resize(24)))
                .or(request.layer().ge(limits.layers())).or(partBeats)
                .or(request.headDim().gt(att.maxHeadDim())).or(groupOf.eq(0)).or(groupOf.gt(att.slots()))
                .named("attention_bad_field");
        UInt tokensPerBlock = tokensPerBlock(att.slots(), limits.heads(), groupOf);

        // K/V rows of (layer, head h, kind k, position 0) start at ((layer x kvHeads + h) x 2 + k) x run bytes,
        // run = positions x head_dim x 2: computed in registered steps, then walked by additions.
        UInt run = reg("attention_run_bytes", uint(48), 0);
        UInt layerHeads = reg("attention_layer_heads", uint(16), 0);
        UInt headAddress = reg("attention_head_address", uint(64), 0);
        UInt kvHead = reg("attention_kv_head", uint(8), 0);
        UInt blockFirst = reg("attention_block_first", uint(tokenBits), 0);
        // The buffer word of the KV head's first query head (kvHead x group x d / W) and the words of a group:
        // walked by additions, so no product of registers lies on the buffers' address.
        UInt groupWords = reg("attention_group_words", uint(16), 0);
        UInt headWordBase = reg("attention_head_word_base", uint(16), 0);

        when(start, () -> {
            src.set(request.src());
            dst.set(request.dst());
            layer.set(request.layer());
            scale.set(request.scale());
            headDim.set(request.headDim());
            kvHeads.set(request.kvHeads());
            group.set(groupOf);
            blockTokens.set(tokensPerBlock);
            positions.set(request.positions());
            tokens.set(request.tokens());
            firstPosition.set(request.firstPosition());
            kvCache.set(request.kvCache());
            code.set(ErrorCode.NONE.code());
            step.set(AttentionStep.SIZES);
            when(bad.or(request.tokens().eq(0)), () -> step.set(AttentionStep.FINISH));
            when(bad, () -> code.set(ErrorCode.BAD_FIELD.code()));
        });
        when(step.is(AttentionStep.SIZES), () -> {
            run.set(positions.mul(headDim).resize(47).shl(1).trunc(48));
            layerHeads.set(layer.mul(kvHeads));
            kvHead.set(0);
            blockFirst.set(0);
            groupWords.set(group.resize(16).mul(headDim.shr(laneShift).resize(16)).resize(16));
            headWordBase.set(0);
            step.set(AttentionStep.LAYER_BASE);
        });
        when(step.is(AttentionStep.LAYER_BASE), () -> {
            headAddress.set(kvCache.add(layerHeads.resize(64).mul(run.resize(64)).resize(63).shl(1).trunc(64))
                    .trunc(64));
            step.set(AttentionStep.BLOCK);
        });

        // ---- one command: a block of tokens of one KV head ----
        // Its token count is registered in BLOCK, a cycle before the command, so the unit's checks and the walk's
        // ends start from a register.
        UInt left = tokens.resize(8).sub(blockFirst.resize(8)).trunc(8).named("attention_tokens_left");
        UInt commandTokens = reg("attention_command_tokens", uint(8), 0);
        when(step.is(AttentionStep.BLOCK), () -> {
            commandTokens.set(mux(left.lt(blockTokens), left, blockTokens));
            step.set(AttentionStep.COMMAND);
        });
        UInt rowBeats = headDim.shr(KernelShape.shift(att.width())).resize(8).named("attention_row_beats");
        unit.command.valid.set(step.is(AttentionStep.COMMAND));
        unit.command.payload.keyAddress().set(headAddress);
        unit.command.payload.valueAddress().set(headAddress.add(run.resize(64)).trunc(64));
        unit.command.payload.firstPositions().set(firstPosition.add(blockFirst.resize(32)).trunc(32).add(1).trunc(32));
        unit.command.payload.tokens().set(commandTokens);
        unit.command.payload.heads().set(group);
        unit.command.payload.rowBeats().set(rowBeats);
        unit.command.payload.scale().set(scale);

        // Walk of the slots (token t, head g of the group, beat b, word w of the beat), once for the queries
        // and once for the outputs: the buffer word of (t, head, b, w) is (kvHead x group + g) x d / W + b x k + w.
        UInt qToken = reg("attention_query_token", uint(8), 0);
        UInt qHead = reg("attention_query_head", uint(8), 0);
        UInt qBeat = reg("attention_query_beat", uint(8), 0);
        UInt qWord = reg("attention_query_word", uint(Math.max(1, log2Up(wordsPerBeat))), 0);
        UInt oToken = reg("attention_out_token", uint(8), 0);
        UInt oHead = reg("attention_out_head", uint(8), 0);
        UInt oBeat = reg("attention_output_beat", uint(8), 0);
        UInt oWord = reg("attention_out_word", uint(Math.max(1, log2Up(wordsPerBeat))), 0);
        // A beat is W words and a head d / W, row_beats beats (head_dim is whole beats): the walk's (g, b, w) of a
        // token are consecutive buffer words from the KV head's base, so the index counts up by one a word and
        // goes back to the base at each token (modulo 2^16, as the product it replaces).
        UInt qWordIndex = reg("attention_query_word_index", uint(16), 0);
        UInt oWordIndex = reg("attention_out_word_index", uint(16), 0);
        Bool lastQWord = wordsPerBeat == 1 ? TRUE : qWord.eq(wordsPerBeat - 1).named("attention_last_query_word");
        Bool lastQBeat = qBeat.add(1).trunc(8).eq(rowBeats).named("attention_last_query_beat");
        Bool lastQHead = qHead.add(1).trunc(8).eq(group).named("attention_last_query_head");
        Bool lastQToken = qToken.add(1).trunc(8).eq(commandTokens).named("attention_last_query_token");

        when(unit.command.fire(), () -> {
            qToken.set(0);
            qHead.set(0);
            qBeat.set(0);
            qWord.set(0);
            oToken.set(0);
            oHead.set(0);
            oBeat.set(0);
            oWord.set(0);
            qWordIndex.set(headWordBase);
            oWordIndex.set(headWordBase);
            step.set(AttentionStep.QUERY_READ);
        });

        // Queries: read a buffer word, then put it into the beat; the beat goes with its last word.
        List<Bits> held = new ArrayList<>();
        for (int w = 0; w < wordsPerBeat - 1; w++) {
            for (int lane = 0; lane < lanes; lane++) {
                held.add(reg("attention_query_held" + w + "_" + lane, bits(16), 0));
            }
        }
        // The query words come rounded to the storage format (ActivationBuffers.readStored): QUERY_WAIT lasts
        // until the rounded word is there (a register and the rounding's stages after the buffer's read).
        UInt waitLeft = reg("attention_query_wait", uint(bitsFor(buffers.storedReadLatency)), 0);
        when(step.is(AttentionStep.QUERY_READ), () -> {
            waitLeft.set(buffers.storedReadLatency - 2);
            buffers.read.valid().set(true);
            buffers.read.buffer().set(src);
            buffers.read.token().set(blockFirst.add(qToken.resize(tokenBits)).trunc(tokenBits)
                    .resize(widthOf(buffers.read.token())));
            buffers.read.word().set(qWordIndex.resize(widthOf(buffers.read.word())));
            step.set(AttentionStep.QUERY_WAIT);
        });
        when(step.is(AttentionStep.QUERY_WAIT), () -> {
            waitLeft.set(waitLeft.sub(1));
            when(waitLeft.eq(0), () -> step.set(AttentionStep.QUERY_PUSH));
        });
        if (!att.format().equals(shape.storage())) {
            throw new IllegalStateException("the attention unit's format " + att.format().name()
                    + " is not the buffers' storage format " + shape.storage().name());
        }
        List<Bits> stored = buffers.readStored;
        // The held words are the beat's lower words, the word read now its top (or only) one.
        Bits[] beatValues = new Bits[att.width()];
        for (int w = 0; w < wordsPerBeat; w++) {
            for (int lane = 0; lane < lanes; lane++) {
                beatValues[w * lanes + lane] = w == wordsPerBeat - 1 ? stored.get(lane) : held.get(w * lanes + lane);
            }
        }
        Bool pushing = step.is(AttentionStep.QUERY_PUSH).named("attention_query_pushing");
        unit.queries.valid.set(pushing.and(lastQWord));
        for (int v = 0; v < att.width(); v++) {
            unit.queries.payload.get(v).set(beatValues[v]);
        }
        Bool queryTaken = pushing.and(lastQWord.not().or(unit.queries.ready)).named("attention_query_taken");
        // Register the word read now as held slot qWord; the top word never needs holding.
        when(queryTaken.and(lastQWord.not()), () -> {
            for (int w = 0; w < wordsPerBeat - 1; w++) {
                int index = w;
                when(qWord.eq(w), () -> {
                    for (int lane = 0; lane < lanes; lane++) {
                        held.get(index * lanes + lane).set(stored.get(lane));
                    }
                });
            }
        });
        when(queryTaken, () -> {
            step.set(AttentionStep.QUERY_READ);
            qWordIndex.set(mux(lastQWord.and(lastQBeat).and(lastQHead), headWordBase, qWordIndex.add(1).trunc(16)));
            if (wordsPerBeat > 1) {
                qWord.set(mux(lastQWord, U(0, widthOf(qWord)), qWord.add(1).trunc(widthOf(qWord))));
            }
            when(lastQWord, () -> {
                qBeat.set(mux(lastQBeat, U(0, 8), qBeat.add(1).trunc(8)));
                when(lastQBeat, () -> {
                    qHead.set(mux(lastQHead, U(0, 8), qHead.add(1).trunc(8)));
                    when(lastQHead, () -> {
                        qToken.set(qToken.add(1).trunc(8));
                        when(lastQToken, () -> step.set(AttentionStep.OUTPUTS));
                    });
                });
            });
        });

        // Outputs: each beat's words into the destination, one a cycle.
        Bool lastOWord = wordsPerBeat == 1 ? TRUE : oWord.eq(wordsPerBeat - 1).named("attention_last_out_word");
        Bool lastOBeat = oBeat.add(1).trunc(8).eq(rowBeats).named("attention_last_out_beat");
        Bool lastOHead = oHead.add(1).trunc(8).eq(group).named("attention_last_out_head");
        Bool lastOToken = oToken.add(1).trunc(8).eq(commandTokens).named("attention_last_out_token");
        Bool outBeat = step.is(AttentionStep.OUTPUTS).and(unit.out.valid).named("attention_out_beat");
        unit.out.ready.set(step.is(AttentionStep.OUTPUTS).and(lastOWord));
        when(outBeat, () -> {
            buffers.write.valid().set(true);
            buffers.write.buffer().set(dst);
            buffers.write.token().set(blockFirst.add(oToken.resize(tokenBits)).trunc(tokenBits)
                    .resize(widthOf(buffers.write.token())));
            buffers.write.word().set(oWordIndex.resize(widthOf(buffers.write.word())));
            buffers.write.mask().set(B((1L << lanes) - 1, lanes));
            for (int lane = 0; lane < lanes; lane++) {
                List<Bits> options = new ArrayList<>();
                for (int w = 0; w < wordsPerBeat; w++) {
                    options.add(FpConvert.toFp32(att.format(), unit.out.payload.get(w * lanes + lane)));
                }
                buffers.write.values().get(lane).set(options.size() == 1 ? options.getFirst()
                        : new dev.tellmej.hdl.Vec<>(options).get("attention_out_lane" + lane, oWord));
            }
            oWordIndex.set(mux(lastOWord.and(lastOBeat).and(lastOHead), headWordBase, oWordIndex.add(1).trunc(16)));
            if (wordsPerBeat > 1) {
                oWord.set(mux(lastOWord, U(0, widthOf(oWord)), oWord.add(1).trunc(widthOf(oWord))));
            }
            when(lastOWord, () -> {
                oBeat.set(mux(lastOBeat, U(0, 8), oBeat.add(1).trunc(8)));
                when(lastOBeat, () -> {
                    oHead.set(mux(lastOHead, U(0, 8), oHead.add(1).trunc(8)));
                    when(lastOHead, () -> {
                        oToken.set(oToken.add(1).trunc(8));
                        when(lastOToken, () -> step.set(AttentionStep.WAIT_DONE));
                    });
                });
            });
        });

        // The unit's done: after the outputs, or at once for a command it refuses.
        Bool lastBlock = blockFirst.resize(8).add(commandTokens).trunc(8).ge(tokens.resize(8))
                .named("attention_last_block");
        Bool lastKvHead = kvHead.add(1).trunc(8).eq(kvHeads).named("attention_last_kv_head");
        // The unit's done comes after its outputs, or at once for a command it refuses (then no queries are
        // taken and no outputs come): it is latched and acted on when the walk allows.
        Bool doneSeen = reg("attention_unit_done", bool(), 0);
        UInt doneCode = reg("attention_unit_code", uint(8), 0);
        when(unit.command.fire(), () -> doneSeen.set(false)).elseWhen(unit.done.valid, () -> {
            doneSeen.set(true);
            doneCode.set(unit.done.payload.errorCode());
        });
        Bool refused = doneSeen.and(doneCode.eq(ErrorCode.BAD_FIELD.code())
                .or(doneCode.eq(ErrorCode.CONTEXT_OVERFLOW.code()))).named("attention_refused");
        when(step.isOneOf(AttentionStep.QUERY_READ, AttentionStep.QUERY_WAIT, AttentionStep.QUERY_PUSH).and(refused),
                () -> {
            code.set(doneCode);
            step.set(AttentionStep.FINISH);
        });
        when(step.is(AttentionStep.WAIT_DONE).and(doneSeen), () -> {
            when(doneCode.ne(ErrorCode.NONE.code()), () -> {
                code.set(doneCode);
                step.set(AttentionStep.FINISH);
            }).otherwise(() -> step.set(AttentionStep.NEXT));
        });
        when(step.is(AttentionStep.NEXT), () -> {
            step.set(AttentionStep.BLOCK);
            blockFirst.set(blockFirst.add(commandTokens.resize(tokenBits)).trunc(tokenBits));
            when(lastBlock, () -> {
                blockFirst.set(0);
                kvHead.set(kvHead.add(1).trunc(8));
                headWordBase.set(headWordBase.add(groupWords).trunc(16));
                headAddress.set(headAddress.add(run.resize(64).shl(1).trunc(64)).trunc(64));
                when(lastKvHead, () -> step.set(AttentionStep.FINISH));
            });
        });

        done = new Flow<>(step.is(AttentionStep.FINISH).named("attention_done"), code);
        when(step.is(AttentionStep.FINISH), () -> step.set(AttentionStep.IDLE));
    }

    /** heads / kvHeads when it divides, else 0: enumerated over the build's maxima (no divider). */
    private static UInt groupOf(int maxHeads, int maxKvHeads, UInt heads, UInt kvHeads) {
        UInt out = wire("attention_group_of", uint(8));
        out.set(0);
        for (int k = 1; k <= maxKvHeads; k++) {
            for (int h = k; h <= maxHeads; h += k) {
                int g = h / k;
                when(kvHeads.eq(k).and(heads.eq(h)), () -> out.set(g));
            }
        }
        return out;
    }

    /** slots / group (the tokens of a block), enumerated over the possible groups. */
    private static UInt tokensPerBlock(int slots, int maxHeads, UInt group) {
        UInt out = wire("attention_tokens_per_block", uint(8));
        out.set(0);
        for (int g = 1; g <= Math.min(slots, maxHeads); g++) {
            int tokens = slots / g;
            when(group.eq(g), () -> out.set(tokens));
        }
        return out;
    }
}
