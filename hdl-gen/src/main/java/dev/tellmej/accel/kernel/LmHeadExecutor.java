package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.lmhead.LmHeadUnit;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Ahead;
import dev.tellmej.hdl.lib.Flow;
import java.util.List;

/**
 * LM_HEAD (N16) in the call's last chunk: the last token's int8 activations from the {@link QuantizedStore} and
 * its m_c go to the {@link LmHeadUnit}, which streams the rows from DDR over the weight ports; its logits are
 * written to the I/O region's logits page (a partial last beat's extra bytes are not written), its argmax kept
 * for the status registers and the call record. In other chunks it checks its fields and does nothing, as the
 * reference device does.
 *
 * <p>Refused with BAD_FIELD: {@code rows} other than the image's vocabulary, or what the unit refuses (no
 * columns, more than the build's hidden size or not whole beats of the port, more rows than the build's
 * vocabulary). An error the unit reports (DDR_ERROR) ends the instruction with it.
 */
final class LmHeadExecutor extends Area {
    enum LmHeadStep { IDLE, CHECK, COMMAND, READ, PUSH, RUN, FINISH }

    /** The instruction's fields and the chunk, sampled at {@link #start}. */
    record Request(UInt cols, UInt rows, UInt weights, UInt rowScales, UInt vocab, Bool lastChunk, UInt lastToken,
            UInt image, UInt logits) {}

    final Bool start;
    final Request request;
    final Flow<UInt> done;
    /** The argmax of the last LM head that ran (0 before any). */
    final UInt argmax;
    /** Cleared at {@link #start} of a call's first instruction by the sequencer. */
    final Bool clear;

    LmHeadExecutor(KernelShape shape, LmHeadUnit unit, QuantizedStore store, DataWrites writes, WordPacker packer) {
        super("lm_head_executor", "LM_HEAD: the last token's activations through the LM head unit, the logits to"
                + " the I/O region");
        int beatBytes = unit.shape.beatBytes();
        // The store's read words are the data ports' beats, which are the LM head's: a read is a beat.
        if (beatBytes != store.readBytes) {
            throw new IllegalArgumentException("the LM head's beat of " + beatBytes + " bytes is not the quantized"
                    + " store's read word (" + store.readBytes + " bytes)");
        }
        int tokenBits = bitsFor(shape.chunkTokens());
        start = wire("lm_head_start", bool());
        start.set(false);
        clear = wire("lm_head_clear", bool());
        clear.set(false);
        request = new Request(wire("lm_head_cols", uint(16)), wire("lm_head_rows", uint(32)),
                wire("lm_head_weights", uint(32)), wire("lm_head_row_scales", uint(32)),
                wire("lm_head_vocab", uint(32)), wire("lm_head_last_chunk", bool()),
                wire("lm_head_last_token", uint(tokenBits)), wire("lm_head_image", uint(64)),
                wire("lm_head_logits", uint(64)));
        for (UInt field : List.of(request.cols(), request.rows(), request.weights(), request.rowScales(),
                request.vocab(), request.lastToken(), request.image(), request.logits())) {
            field.set(0);
        }
        request.lastChunk().set(false);

        HwEnum<LmHeadStep> step = reg("lm_head_step", enumOf(LmHeadStep.class), LmHeadStep.IDLE);
        UInt cols = reg("lm_head_cols_q", uint(16), 0);
        UInt rows = reg("lm_head_rows_q", uint(32), 0);
        UInt weights = reg("lm_head_weights_address", uint(64), 0);
        UInt scales = reg("lm_head_scales_address", uint(64), 0);
        UInt token = reg("lm_head_token", uint(tokenBits), 0);
        UInt logits = reg("lm_head_logits_address", uint(64), 0);
        UInt code = reg("lm_head_code", uint(8), 0);
        UInt best = reg("lm_head_argmax", uint(32), 0);
        argmax = best;
        when(clear, () -> best.set(0));

        // The unit's own refusals, checked here so that it never refuses a command whose logits are expected: in
        // CHECK, a cycle after the request is taken, from a register (for timing: the instruction's decode and the
        // compares lay on one path into the result code). The request is the instruction word's fields, which
        // hold still from the sequencer's DECODE until the next FETCH.
        int beatShift = KernelShape.shift(beatBytes);
        Bool lastChunk = reg("lm_head_last_chunk_q", bool(), 0);
        UInt rowsOf = request.rows();
        UInt colsOf = request.cols();
        // The rows' and the columns' checks in registers of their own (for timing: one OR of all the compares
        // lay behind the fields' decode; then the rows' compare with the vocabulary beside its range check).
        Bool badRows = Ahead.of("lm_head_rows_not_vocab", rowsOf.ne(request.vocab()), step.is(LmHeadStep.CHECK),
                "LmHeadExecutor").or(Ahead.of("lm_head_bad_rows", rowsOf.eq(0).or(rowsOf.gt(unit.shape.maxRows())),
                step.is(LmHeadStep.CHECK), "LmHeadExecutor"));
        Bool badCols = Ahead.of("lm_head_bad_cols", colsOf.eq(0).or(colsOf.gt(unit.shape.maxCols()))
                .or(beatShift == 0 ? FALSE : colsOf.resize(beatShift).ne(0)), step.is(LmHeadStep.CHECK),
                "LmHeadExecutor");
        Bool bad = badRows.or(badCols).named("lm_head_bad_field");
        when(start, () -> {
            cols.set(request.cols());
            rows.set(request.rows());
            weights.set(request.image().add(request.weights().resize(64)).trunc(64));
            scales.set(request.image().add(request.rowScales().resize(64)).trunc(64));
            token.set(request.lastToken());
            logits.set(request.logits());
            lastChunk.set(request.lastChunk());
            code.set(ErrorCode.NONE.code());
            step.set(LmHeadStep.CHECK);
        });
        when(step.is(LmHeadStep.CHECK), () -> {
            step.set(LmHeadStep.FINISH);
            when(bad, () -> code.set(ErrorCode.BAD_FIELD.code()))
                    .elseWhen(lastChunk, () -> step.set(LmHeadStep.COMMAND));
        });

        // The unit's command, then the token's activations: a store read word a beat.
        unit.command.valid.set(step.is(LmHeadStep.COMMAND));
        unit.command.payload.weightsAddress().set(weights);
        unit.command.payload.scalesAddress().set(scales);
        unit.command.payload.rows().set(rows);
        unit.command.payload.cols().set(cols);
        unit.command.payload.mc().set(store.mcOf(token, "lm_head_mc"));
        UInt word = reg("lm_head_word", uint(16), 0);
        UInt colWords = cols.shr(beatShift).resize(16).named("lm_head_col_words");
        when(unit.command.fire(), () -> {
            word.set(0);
            step.set(LmHeadStep.READ);
        });
        when(step.is(LmHeadStep.READ), () -> {
            store.readValid.set(true);
            store.readToken.set(token.resize(widthOf(store.readToken)));
            store.readWord.set(word.resize(widthOf(store.readWord)));
            step.set(LmHeadStep.PUSH);
        });
        Bool pushing = step.is(LmHeadStep.PUSH).named("lm_head_pushing");
        unit.activations.valid.set(pushing);
        unit.activations.payload.set(store.readData);
        Bool taken = pushing.and(unit.activations.ready).named("lm_head_word_taken");
        Bool lastWord = word.add(1).trunc(16).eq(colWords).named("lm_head_last_word");
        when(taken, () -> {
            word.set(word.add(1).trunc(16));
            step.set(mux(lastWord, HwEnum.constant(LmHeadStep.RUN), HwEnum.constant(LmHeadStep.READ)));
        });

        // The logits: one write command for the page, whole beats (the words past the last row not written). Its
        // sizes are registered a cycle after the rows (for timing; the command goes out in READ at the earliest,
        // two steps after the rows are taken).
        int perBeat = shape.fp32PerBeat();
        UInt logitBeats = regNext("lm_head_logit_beats", rows.resize(34).add(perBeat - 1).trunc(34)
                .shr(KernelShape.shift(perBeat)));
        UInt logitWords = regNext("lm_head_logit_words", rows.resize(34).add(perBeat - 1).trunc(34)
                .shr(KernelShape.shift(perBeat)).shl(KernelShape.shift(perBeat)).trunc(34));
        Bool commanded = reg("lm_head_write_commanded", bool(), 0);
        UInt written = reg("lm_head_logits_written", uint(34), 0);
        // Whether the words written have passed the rows (padding) and whether words are left, flags set with the
        // count (for timing: its two compares lay on the path into the data writer's FIFO).
        Bool padding = reg("lm_head_padding", bool(), 0);
        Bool wordsLeft = reg("lm_head_words_left", bool(), 0);
        when(unit.command.fire(), () -> {
            commanded.set(false);
            written.set(0);
            padding.set(rows.eq(0));
            wordsLeft.set(rows.ne(0));   // as logitWords.ne(0), which is registered a cycle after the rows
        });
        Bool running = step.isOneOf(LmHeadStep.READ, LmHeadStep.PUSH, LmHeadStep.RUN).named("lm_head_running");
        when(running.and(commanded.not()), () -> {
            writes.command.valid.set(true);
            writes.command.payload.address().set(logits);
            writes.command.payload.beats().set(logitBeats.resize(widthOf(writes.command.payload.beats())));
        });
        when(running.and(writes.command.fire()), () -> commanded.set(true));
        assertAlways(running.not().or(padding.eq(written.ge(rows.resize(34)))
                        .and(wordsLeft.eq(written.lt(logitWords)))),
                "LmHeadExecutor: the padding and words-left flags follow the words written");
        Bool offering = running.and(commanded).and(wordsLeft).and(padding.or(unit.logits.valid))
                .named("lm_head_offering");
        when(offering, () -> {
            packer.in.valid.set(true);
            packer.in.payload.value().set(mux(padding, B(0, 32), unit.logits.payload));
            packer.in.payload.keep().set(padding.not());
        });
        Bool wordWritten = offering.and(packer.in.ready).named("lm_head_logit_written");
        unit.logits.ready.set(running.and(commanded).and(padding.not()).and(packer.in.ready));
        when(wordWritten, () -> {
            UInt next = written.add(1).trunc(34);
            written.set(next);
            padding.set(padding.or(next.eq(rows.resize(34))));
            wordsLeft.set(next.ne(logitWords));
        });

        Bool unitDone = reg("lm_head_unit_done", bool(), 0);
        when(unit.command.fire(), () -> unitDone.set(false)).elseWhen(unit.done.valid, () -> {
            unitDone.set(true);
            best.set(unit.done.payload.argmax());
            code.set(unit.done.payload.errorCode());
        });
        // A refused command takes no activations and sends no logits.
        Bool refused = unitDone.and(code.ne(ErrorCode.NONE.code())).and(code.ne(ErrorCode.DDR_ERROR.code()))
                .named("lm_head_refused");
        when(step.isOneOf(LmHeadStep.READ, LmHeadStep.PUSH).and(refused).and(commanded.not()), () ->
                step.set(LmHeadStep.FINISH));
        when(step.is(LmHeadStep.RUN).and(unitDone).and(written.eq(logitWords).or(refused)), () ->
                step.set(LmHeadStep.FINISH));

        done = new Flow<>(step.is(LmHeadStep.FINISH).named("lm_head_done"), code);
        when(step.is(LmHeadStep.FINISH), () -> step.set(LmHeadStep.IDLE));
    }
}
