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
import dev.tellmej.hdl.lib.Ahead;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.PartialProducts;
import dev.tellmej.hdl.lib.RunCounter;
import dev.tellmej.hdl.lib.Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * ATTENTION (N15): every query head of every token of the chunk, over the KV cache's positions 0 .. the token's
 * own, through the {@link AttentionUnit}. For each KV head, the tokens go in blocks of as many as half the unit's
 * slots hold with the head's GQA group ({@link AttentionShape#blockTokens}: {@code slots / 2 / group} tokens of
 * {@code group} heads), so each K and V row is read once per block and serves all its slots, and each block runs
 * beside the next. The queries come from the source buffer (binary32 of stored
 * values, converted back to the storage format exactly), the outputs go to the destination buffer.
 *
 * <p>Two walks over the same commands: the {@link Issue} side sends each command and its queries as soon as the
 * unit takes it (the unit scores one command while it runs the value pass of the one before), the
 * {@link Collect} side writes each command's outputs and takes its done, in order.
 *
 * <p>Refused with BAD_FIELD, before anything is read: a source or destination that is no buffer or too short for
 * heads x head_dim, no SETUP yet (head_dim 0), a layer at or above the build's, a head dimension that is not whole
 * beats of the unit, or a GQA group larger than the unit's slots. An error the unit reports (CONTEXT_OVERFLOW,
 * DDR_ERROR) ends the instruction with it, once every command the unit took has finished (no more are sent), so
 * the unit is idle for the next call.
 */
final class AttentionExecutor extends Area {
    enum IssueStep {
        IDLE, SIZES, RUN, LAYER_RUN, LAYER_BASE, BLOCK, COMMAND, QUERY_READ, QUERY_WAIT, QUERY_PUSH, NEXT, END
    }

    enum CollectStep { IDLE, LOAD, OUTPUTS, WAIT_DONE, NEXT, FINISH }

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
        int tokenBits = bitsFor(shape.chunkTokens());
        start = wire("attention_start", bool());
        start.set(false);
        request = new Request(wire("attention_src", uint(ActivationBuffers.BUFFER_ID_BITS)),
                wire("attention_dst", uint(ActivationBuffers.BUFFER_ID_BITS)), wire("attention_layer", uint(8)),
                wire("attention_scale", bits(32)), wire("attention_head_dim", uint(16)),
                wire("attention_heads", uint(8)), wire("attention_kv_heads", uint(8)),
                wire("attention_head_width", uint(32)), wire("attention_positions", uint(32)),
                wire("attention_tokens", uint(tokenBits)),
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

        Fields f = new Fields(reg("attention_src_id", uint(ActivationBuffers.BUFFER_ID_BITS), 0),
                reg("attention_dst_id", uint(ActivationBuffers.BUFFER_ID_BITS), 0),
                reg("attention_layer_q", uint(8), 0), reg("attention_scale_q", bits(32), 0),
                reg("attention_head_dim_q", uint(16), 0), reg("attention_kv_heads_q", uint(8), 0),
                reg("attention_group", uint(8), 0), reg("attention_block_tokens", uint(8), 0),
                reg("attention_positions_q", uint(32), 0), reg("attention_token_count", uint(tokenBits), 0),
                reg("attention_first_position_q", uint(32), 0), reg("attention_kv_base", uint(64), 0),
                reg("attention_group_words", uint(16), 0));

        // ---- checks and the sizes of the walk ----
        // heads x head_dim, the sequencer's register of it (below 2^24: 8 bits by 16).
        UInt headsTimesDim = request.headWidth().resize(24).named("attention_q_width");
        UInt groupOf = groupOf(limits.heads(), limits.kvHeads(), request.heads(), request.kvHeads());
        Bool partBeats = request.headDim().resize(KernelShape.shift(att.width())).ne(0).named("attention_part_beats");
        // The checks are registered: the request is the instruction word's fields, which hold still from the
        // sequencer's DECODE, a cycle before the start.
        // The size checks have a register of their own (for timing: their compares lay in front of the others').
        Bool bad = Ahead.of("attention_bad_field", ActivationBuffers.isBuffer(request.src()).not()
                .or(ActivationBuffers.isBuffer(request.dst()).not())
                .or(request.headDim().eq(0)).or(request.kvHeads().eq(0))
                .or(request.layer().ge(limits.layers())).or(partBeats)
                .or(request.headDim().gt(att.maxHeadDim())).or(groupOf.eq(0)).or(groupOf.gt(att.slots())), start,
                "AttentionExecutor")
                .or(Ahead.of("attention_bad_size",
                        ActivationBuffers.exceedsCapacity(shape, request.src(), headsTimesDim, "attention_src_overflow")
                        .or(ActivationBuffers.exceedsCapacity(shape, request.dst(), headsTimesDim,
                                "attention_dst_overflow")), start, "AttentionExecutor")).named("attention_bad");
        UInt tokensPerBlock = tokensPerBlock(att, limits.heads(), groupOf);
        UInt rowBeats = f.headDim.shr(KernelShape.shift(att.width())).resize(8).named("attention_row_beats");

        Bool finish = wire("attention_finish", bool());
        Bool failed = reg("attention_failed", bool(), 0);
        UInt code = reg("attention_code", uint(8), 0);
        UInt issued = reg("attention_commands_issued", uint(16), 0);
        UInt collected = reg("attention_commands_collected", uint(16), 0);
        // An instruction that is refused, or has no tokens, ends at once.
        Bool skip = bad.or(Ahead.of("attention_no_tokens", request.tokens().eq(0), start, "AttentionExecutor"))
                .named("attention_skip");
        Issue issue = area(new Issue(shape, att, unit, buffers, f, rowBeats, start, skip, finish, failed));
        Collect collect = area(new Collect(shape, att, unit, buffers, f, rowBeats, start, skip, finish, failed,
                issued, collected));
        finish.set(collect.step.is(CollectStep.FINISH).and(collect.writing.not()));

        when(start, () -> {
            f.src.set(request.src());
            f.dst.set(request.dst());
            f.layer.set(request.layer());
            f.scale.set(request.scale());
            f.headDim.set(request.headDim());
            f.kvHeads.set(request.kvHeads());
            f.group.set(groupOf);
            f.blockTokens.set(tokensPerBlock);
            f.positions.set(request.positions());
            f.tokens.set(request.tokens());
            f.firstPosition.set(request.firstPosition());
            f.kvCache.set(request.kvCache());
            code.set(ErrorCode.NONE.code());
            failed.set(false);
            issued.set(0);
            collected.set(0);
            when(bad, () -> code.set(ErrorCode.BAD_FIELD.code()));
        });
        // The words of a GQA group's queries (group x d / lanes) in the issue side's SIZES, from private copies of
        // the group and d.
        UInt groupForProduct = PartialProducts.operandCopy("attention_group_dsp", groupOf, start);
        UInt headDimForProduct = PartialProducts.operandCopy("attention_head_dim_dsp", request.headDim(), start);
        when(issue.step.is(IssueStep.SIZES), () -> f.groupWords().set(groupForProduct.resize(16)
                .mul(headDimForProduct.shr(KernelShape.shift(shape.lanes())).resize(16)).resize(16)));
        when(unit.command.fire(), () -> issued.set(issued.add(1).trunc(16)));
        when(collect.taken, () -> {
            collected.set(collected.add(1).trunc(16));
            // The first error the unit reports ends the instruction: no command is sent after it.
            when(collect.code.ne(ErrorCode.NONE.code()).and(failed.not()), () -> {
                failed.set(true);
                code.set(collect.code);
            });
        });

        done = new Flow<>(finish.named("attention_done"), code);
    }

    /** The instruction's registers, set at its start. */
    private record Fields(UInt src, UInt dst, UInt layer, Bits scale, UInt headDim, UInt kvHeads, UInt group,
            UInt blockTokens, UInt positions, UInt tokens, UInt firstPosition, UInt kvCache, UInt groupWords) {}

    /**
     * A walk over the instruction's commands: KV head by KV head, the head's tokens block by block from the last
     * (TeLLMe's reversed order: blocks of the block size back from the last token, a shorter one at the start when
     * the tokens are not a multiple of it). The unit runs a block's passes beside its neighbours' reductions, so
     * the longest first and the shortest last measured 2.6 % fewer cycles than the other way round
     * ({@code tellme bench attention}, 128 tokens). Its block's first token, its KV head, the buffer word of the
     * head's first query head and the block's token count are registers, the first and the count registered at
     * {@code load} (a cycle before the command).
     */
    private static final class BlockWalk {
        final UInt blockFirst;
        final UInt kvHead;
        final UInt headWordBase;
        final UInt commandTokens;
        /** The value {@link #commandTokens} takes at the load, in the load's cycle. */
        final UInt loadedTokens;
        /** The current block is the instruction's last. */
        final Bool last;

        BlockWalk(String name, KernelShape shape, Fields f, Bool restart, Bool load, Bool advance) {
            int tokenBits = bitsFor(shape.chunkTokens());
            blockFirst = reg(name + "_block_first", uint(tokenBits), 0);
            // Tokens before the next block's end; at a KV head's first block, the instruction's (read at the load:
            // the fields are registered with the restart).
            UInt blockEnd = reg(name + "_block_end", uint(8), 0);
            Bool headStart = reg(name + "_head_start", bool(), 0);
            UInt end = mux(headStart, f.tokens().resize(8), blockEnd).named(name + "_block_end_now");
            kvHead = reg(name + "_kv_head", uint(8), 0);
            // The buffer word of the KV head's first query head (kvHead x group x d / W), walked by additions, so no
            // product of registers lies on the buffers' address.
            headWordBase = reg(name + "_head_word_base", uint(16), 0);
            commandTokens = reg(name + "_command_tokens", uint(8), 0);
            UInt size = mux(end.lt(f.blockTokens()), end, f.blockTokens()).named(name + "_block_size");
            loadedTokens = size;
            // Read once the block is loaded: it starts at token 0.
            Bool lastBlock = blockFirst.eq(0).named(name + "_last_block");
            Bool lastKvHead = kvHead.add(1).trunc(8).eq(f.kvHeads()).named(name + "_last_kv_head");
            last = lastBlock.and(lastKvHead).named(name + "_last_command");
            when(restart, () -> {
                headStart.set(true);
                kvHead.set(0);
                headWordBase.set(0);
            });
            when(load, () -> {
                commandTokens.set(size);
                blockFirst.set(end.sub(size).trunc(8).resize(tokenBits));
                headStart.set(false);
            });
            when(advance, () -> {
                blockEnd.set(blockFirst.resize(8));
                when(lastBlock, () -> {
                    headStart.set(true);
                    kvHead.set(kvHead.add(1).trunc(8));
                    headWordBase.set(headWordBase.add(f.groupWords()).trunc(16));
                });
            });
            this.lastBlock = lastBlock;
        }

        /** The current block is its KV head's last. */
        final Bool lastBlock;
    }

    /** Sends each command and then its queries, read word by word from the source buffer. */
    static final class Issue extends Area {
        final HwEnum<IssueStep> step;
        private final BlockWalk walk;

        Issue(KernelShape shape, AttentionShape att, AttentionUnit unit, ActivationBuffers buffers, Fields f,
              UInt rowBeats, Bool start, Bool skip, Bool finish, Bool failed) {
            super("attention_issue", "sends each command of the walk and its queries to the attention unit");
            int lanes = shape.lanes();
            int wordsPerBeat = att.width() / lanes;
            int tokenBits = bitsFor(shape.chunkTokens());
            step = reg("attention_issue_step", enumOf(IssueStep.class), IssueStep.IDLE);
            walk = new BlockWalk("attention_issue", shape, f, start, step.is(IssueStep.BLOCK),
                    step.is(IssueStep.NEXT));

            // K/V rows of (layer, head h, kind k, position 0) start at ((layer x kvHeads + h) x 2 + k) x run bytes,
            // run = positions x head_dim x 2: computed in registered steps (the wide products as DSP-sized partial
            // products, each sum a cycle after its parts), then walked by additions.
            UInt run = reg("attention_run_bytes", uint(48), 0);
            UInt layerHeads = reg("attention_layer_heads", uint(16), 0);
            UInt headAddress = reg("attention_head_address", uint(64), 0);
            PartialProducts runParts = PartialProducts.register("attention_run", f.positions(), f.headDim(),
                    step.is(IssueStep.SIZES));
            when(step.is(IssueStep.SIZES), () -> {
                layerHeads.set(f.layer().mul(f.kvHeads()));
                step.set(IssueStep.RUN);
            });
            when(step.is(IssueStep.RUN), () -> {
                run.set(runParts.sum(47).resize(48).shl(1).trunc(48));
                step.set(IssueStep.LAYER_RUN);
            });
            PartialProducts layerRun = PartialProducts.register("attention_layer_run", layerHeads, run,
                    step.is(IssueStep.LAYER_RUN));
            when(step.is(IssueStep.LAYER_RUN), () -> step.set(IssueStep.LAYER_BASE));
            when(step.is(IssueStep.LAYER_BASE), () -> {
                headAddress.set(f.kvCache().add(layerRun.sum(64).shl(1).trunc(64)).trunc(64));
                step.set(IssueStep.BLOCK);
            });
            // A block's token count is registered in BLOCK, a cycle before the command, so the unit's checks and
            // the walk's ends start from a register. After an error no command is sent.
            when(step.is(IssueStep.BLOCK), () -> step.set(IssueStep.COMMAND));
            when(step.is(IssueStep.COMMAND).and(failed), () -> step.set(IssueStep.END));
            unit.command.valid.set(step.is(IssueStep.COMMAND).and(failed.not()));
            unit.command.payload.keyAddress().set(headAddress);
            unit.command.payload.valueAddress().set(headAddress.add(run.resize(64)).trunc(64));
            unit.command.payload.firstPositions().set(f.firstPosition().add(walk.blockFirst.resize(32)).trunc(32)
                    .add(1).trunc(32));
            unit.command.payload.tokens().set(walk.commandTokens);
            unit.command.payload.heads().set(f.group());
            unit.command.payload.rowBeats().set(rowBeats);
            unit.command.payload.scale().set(f.scale());

            // The walk of the slots (token t, head g of the group, beat b, word w of the beat): the buffer word of
            // (t, head, b, w) is (kvHead x group + g) x d / W + b x k + w. A beat is W words and a head d / W,
            // row_beats beats (head_dim is whole beats): the walk's (g, b, w) of a token are consecutive buffer
            // words from the KV head's base, so the index counts up by one a word and goes back to the base at
            // each token (modulo 2^16, as the product it replaces).
            UInt qToken = reg("attention_query_token", uint(8), 0);
            // The buffer's token of the query, block_first + qToken, kept with qToken (for timing: the sum lay on
            // the path of the read request into the buffers' address).
            UInt qBufferToken = reg("attention_query_buffer_token", uint(tokenBits), 0);
            assertAlways(step.is(IssueStep.QUERY_READ).not().or(qBufferToken.eq(walk.blockFirst
                            .add(qToken.resize(tokenBits)).trunc(tokenBits))),
                    "AttentionExecutor: the query's buffer token follows the query token");
            UInt qHead = reg("attention_query_head", uint(8), 0);
            UInt qBeat = reg("attention_query_beat", uint(8), 0);
            UInt qWord = reg("attention_query_word", uint(Math.max(1, log2Up(wordsPerBeat))), 0);
            UInt qWordIndex = reg("attention_query_word_index", uint(16), 0);
            Bool lastQWord = wordsPerBeat == 1 ? TRUE : qWord.eq(wordsPerBeat - 1).named("attention_last_query_word");
            Bool lastQBeat = qBeat.add(1).trunc(8).eq(rowBeats).named("attention_last_query_beat");
            Bool lastQHead = qHead.add(1).trunc(8).eq(f.group()).named("attention_last_query_head");
            Bool lastQToken = qToken.add(1).trunc(8).eq(walk.commandTokens).named("attention_last_query_token");
            when(unit.command.fire(), () -> {
                qToken.set(0);
                qBufferToken.set(walk.blockFirst.resize(tokenBits));
                qHead.set(0);
                qBeat.set(0);
                qWord.set(0);
                qWordIndex.set(walk.headWordBase);
                step.set(IssueStep.QUERY_READ);
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
            when(step.is(IssueStep.QUERY_READ), () -> {
                waitLeft.set(buffers.storedReadLatency - 2);
                buffers.read.valid().set(true);
                buffers.read.buffer().set(f.src());
                buffers.read.token().set(qBufferToken.resize(widthOf(buffers.read.token())));
                buffers.read.word().set(qWordIndex.resize(widthOf(buffers.read.word())));
                step.set(IssueStep.QUERY_WAIT);
            });
            when(step.is(IssueStep.QUERY_WAIT), () -> {
                waitLeft.set(waitLeft.sub(1));
                when(waitLeft.eq(0), () -> step.set(IssueStep.QUERY_PUSH));
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
                    beatValues[w * lanes + lane] = w == wordsPerBeat - 1 ? stored.get(lane)
                            : held.get(w * lanes + lane);
                }
            }
            Bool pushing = step.is(IssueStep.QUERY_PUSH).named("attention_query_pushing");
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
                step.set(IssueStep.QUERY_READ);
                qWordIndex.set(mux(lastQWord.and(lastQBeat).and(lastQHead), walk.headWordBase,
                        qWordIndex.add(1).trunc(16)));
                if (wordsPerBeat > 1) {
                    qWord.set(mux(lastQWord, U(0, widthOf(qWord)), qWord.add(1).trunc(widthOf(qWord))));
                }
                when(lastQWord, () -> {
                    qBeat.set(mux(lastQBeat, U(0, 8), qBeat.add(1).trunc(8)));
                    when(lastQBeat, () -> {
                        qHead.set(mux(lastQHead, U(0, 8), qHead.add(1).trunc(8)));
                        when(lastQHead, () -> {
                            qToken.set(qToken.add(1).trunc(8));
                            qBufferToken.set(qBufferToken.add(1).trunc(tokenBits));
                            when(lastQToken, () -> step.set(IssueStep.NEXT));
                        });
                    });
                });
            });
            when(start.and(skip.not()), () -> step.set(IssueStep.SIZES));
            when(finish, () -> step.set(IssueStep.IDLE));
            // The next command, or the end of the walk (its commands finish on the collect side).
            when(step.is(IssueStep.NEXT), () -> {
                step.set(IssueStep.BLOCK);
                when(walk.lastBlock, () -> headAddress.set(headAddress.add(run.resize(64).shl(1).trunc(64))
                        .trunc(64)));
                when(walk.last, () -> step.set(IssueStep.END));
            });
        }
    }

    /** Writes each command's outputs into the destination buffer and takes its done, in order. */
    static final class Collect extends Area {
        final HwEnum<CollectStep> step;
        /** Event: a command's done is taken (its outputs, if any, are written). */
        final Bool taken;
        /** The taken done's {@link ErrorCode}. */
        final UInt code;
        /** An output word is on its way to the buffers (in the registered write's stages). */
        final Bool writing;

        Collect(KernelShape shape, AttentionShape att, AttentionUnit unit, ActivationBuffers buffers, Fields f,
                UInt rowBeats, Bool start, Bool skip, Bool finish, Bool failed, UInt issued, UInt collected) {
            super("attention_collect", "writes each command's outputs into a buffer and takes its done");
            int lanes = shape.lanes();
            int wordsPerBeat = att.width() / lanes;
            int tokenBits = bitsFor(shape.chunkTokens());
            step = reg("attention_collect_step", enumOf(CollectStep.class), CollectStep.IDLE);
            BlockWalk walk = new BlockWalk("attention_collect", shape, f, start, step.is(CollectStep.LOAD),
                    step.is(CollectStep.NEXT));

            // The unit's dones, in command order, a couple of cycles apart at the closest (a refusal's after the
            // command before it): a small queue keeps each until the walk takes it, the oldest in a register (for
            // timing: the LUT RAM's read lay in front of the refusal's compare and the collect step).
            Stream<UInt> doneIn = wire("attention_unit_done", Stream.of(uint(8)));
            doneIn.valid.set(unit.done.valid);
            doneIn.payload.set(unit.done.payload.errorCode());
            Stream<UInt> dones = doneIn.headQueue("attention_unit_dones", 2).stream();
            assertAlways(doneIn.valid.not().or(doneIn.ready), "AttentionExecutor: the done queue has room");
            code = dones.payload;
            Bool refusal = dones.valid.and(code.eq(ErrorCode.BAD_FIELD.code())
                    .or(code.eq(ErrorCode.CONTEXT_OVERFLOW.code()))).named("attention_refused");

            Bool outputs = step.is(CollectStep.OUTPUTS);
            // The beat of a head's row, the head of a token and the token of the block, with their last-value flags
            // in registers (for timing: the counts' increments and compares lay in front of the token count's
            // enable and the collect step). The block's token count is loaded with the token's restart.
            RunCounter oToken = RunCounter.create("attention_out_token", 8, walk.commandTokens, outputs,
                    "AttentionExecutor");
            RunCounter oBeat = RunCounter.create("attention_output_beat", 8, rowBeats, outputs, "AttentionExecutor");
            RunCounter oHead = RunCounter.create("attention_out_head", 8, f.group(), outputs, "AttentionExecutor");
            UInt oWord = reg("attention_out_word", uint(Math.max(1, log2Up(wordsPerBeat))), 0);
            UInt oWordIndex = reg("attention_out_word_index", uint(16), 0);
            Bool lastOWord = wordsPerBeat == 1 ? TRUE : oWord.eq(wordsPerBeat - 1).named("attention_last_out_word");
            Bool lastOBeat = oBeat.last;
            Bool lastOHead = oHead.last;
            Bool lastOToken = oToken.last;
            Bool outBeat = outputs.and(unit.out.valid).named("attention_out_beat");
            unit.out.ready.set(outputs.and(lastOWord));
            // After an error the outputs of the commands still running are taken but not written. A word goes to
            // the buffers registered, as stored, then widened (for timing); the instruction ends once the last has
            // gone out.
            List<Bits> outValues = new ArrayList<>();
            for (int lane = 0; lane < lanes; lane++) {
                List<Bits> options = new ArrayList<>();
                for (int w = 0; w < wordsPerBeat; w++) {
                    options.add(unit.out.payload.get(w * lanes + lane));
                }
                outValues.add(options.size() == 1 ? options.getFirst()
                        : new dev.tellmej.hdl.Vec<>(options).get("attention_out_lane" + lane, oWord));
            }
            writing = buffers.registeredStoredWrite("attention_out_write", outBeat.and(failed.not()), f.dst(),
                    walk.blockFirst.add(oToken.value.resize(tokenBits)).trunc(tokenBits), oWordIndex,
                    new dev.tellmej.hdl.Vec<>(outValues), att.format());
            when(outBeat, () -> {
                oWordIndex.set(mux(lastOWord.and(lastOBeat).and(lastOHead), walk.headWordBase,
                        oWordIndex.add(1).trunc(16)));
                if (wordsPerBeat > 1) {
                    oWord.set(mux(lastOWord, U(0, widthOf(oWord)), oWord.add(1).trunc(widthOf(oWord))));
                }
                when(lastOWord, () -> {
                    oBeat.step();
                    when(lastOBeat, () -> {
                        oHead.step();
                        when(lastOHead, () -> {
                            oToken.step();
                            when(lastOToken, () -> step.set(CollectStep.WAIT_DONE));
                        });
                    });
                });
            });
            // A refused command sends no outputs: its done is taken at once.
            taken = step.is(CollectStep.WAIT_DONE).and(dones.valid).or(outputs.and(refusal)).named("attention_taken");
            dones.ready.set(taken);
            when(taken, () -> step.set(CollectStep.NEXT));
            // The next command's outputs, or the end: after the walk's last command, or after an error once every
            // command the unit took has finished (the issue side sends none after it; one it was still sending the
            // queries of was refused, and is abandoned).
            Bool drained = failed.and(collected.eq(issued)).named("attention_drained");
            when(step.is(CollectStep.NEXT), () -> {
                step.set(CollectStep.LOAD);
                when(walk.last.or(drained), () -> step.set(CollectStep.FINISH));
            });
            when(step.is(CollectStep.LOAD), () -> {
                oToken.restart(walk.loadedTokens);
                oHead.restart();
                oBeat.restart();
                oWord.set(0);
                oWordIndex.set(walk.headWordBase);
                step.set(CollectStep.OUTPUTS);
            });
            when(step.is(CollectStep.OUTPUTS).and(drained), () -> step.set(CollectStep.FINISH));
            when(start, () -> {
                step.set(CollectStep.LOAD);
                when(skip, () -> step.set(CollectStep.FINISH));
            });
            when(finish, () -> step.set(CollectStep.IDLE));
        }
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

    /** The tokens of a block ({@link AttentionShape#blockTokens}), enumerated over the possible groups. */
    private static UInt tokensPerBlock(AttentionShape att, int maxHeads, UInt group) {
        UInt out = wire("attention_tokens_per_block", uint(8));
        out.set(0);
        for (int g = 1; g <= Math.min(att.slots(), maxHeads); g++) {
            int tokens = att.blockTokens(g);
            when(group.eq(g), () -> out.set(tokens));
        }
        return out;
    }
}
