package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Ahead;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.PartialProducts;
import java.util.ArrayList;
import java.util.List;

/**
 * EMBED (N17.1): for each token of the chunk, reads its id from the I/O region and its embedding row from the
 * image, and writes the row's stored values, as binary32, into the destination buffer. A row must be whole beats
 * ({@code dim} a multiple of the values per beat); with a destination that is no buffer, a {@code dim} of 0 or
 * above the buffer's, it does nothing and reports BAD_FIELD. The token ids were checked against the vocabulary
 * when the call started.
 */
final class EmbedUnit extends Area {
    enum EmbedStep { IDLE, ID_COMMAND, ID_BEAT, ROW_PARTS, ROW_OFFSET, ROW_COMMAND, ROW, FINISH }

    /** The instruction's fields and the chunk, sampled at {@link #start}. */
    record Request(UInt dst, UInt dim, UInt table, UInt tokens, UInt firstToken, UInt image, UInt io) {}

    final Bool start;
    final Request request;
    /** The instruction's end, with an {@link ErrorCode} value. */
    final Flow<UInt> done;

    EmbedUnit(KernelShape shape, DataReads reads, ActivationBuffers buffers) {
        super("embed", "EMBED: each token's embedding row from the image into a buffer, as binary32");
        int tokenBits = bitsFor(shape.chunkTokens());
        int lanes = shape.lanes();
        int valueShift = KernelShape.shift(shape.valuesPerBeat());
        int tokensPerBeatShift = KernelShape.shift(shape.fp32PerBeat());
        start = wire("embed_start", bool());
        start.set(false);
        request = new Request(wire("embed_dst", uint(ActivationBuffers.BUFFER_ID_BITS)), wire("embed_dim", uint(16)),
                wire("embed_table", uint(32)), wire("embed_tokens", uint(tokenBits)),
                wire("embed_first_token", uint(32)), wire("embed_image", uint(64)), wire("embed_io", uint(64)));
        for (UInt field : List.of(request.dst(), request.dim(), request.table(), request.tokens(),
                request.firstToken(), request.image(), request.io())) {
            field.set(0);
        }

        HwEnum<EmbedStep> phase = reg("embed_phase", enumOf(EmbedStep.class), EmbedStep.IDLE);
        UInt dst = reg("embed_dst_id", uint(ActivationBuffers.BUFFER_ID_BITS), 0);
        UInt dim = reg("embed_dim_q", uint(16), 0);
        UInt table = reg("embed_table_address", uint(64), 0);
        UInt tokens = reg("embed_token_count", uint(tokenBits), 0);
        UInt callToken = reg("embed_call_token", uint(32), 0);
        UInt token = reg("embed_token", uint(tokenBits), 0);
        UInt io = reg("embed_io_address", uint(64), 0);
        UInt id = reg("embed_id", uint(32), 0);
        UInt word = reg("embed_word", uint(16), 0);
        UInt code = reg("embed_code", uint(8), 0);

        Bool unaligned = valueShift == 0 ? FALSE : request.dim().resize(valueShift).ne(0);
        // The checks are registered: the request is the instruction word's fields, which hold still from the
        // sequencer's DECODE, a cycle before the start.
        // The size check has a register of its own (for timing: its compare lay in front of the others').
        Bool bad = Ahead.of("embed_bad_field", ActivationBuffers.isBuffer(request.dst()).not()
                .or(request.dim().eq(0)).or(unaligned), start, "EmbedUnit")
                .or(Ahead.of("embed_bad_size", ActivationBuffers.exceedsCapacity(shape, request.dst(), request.dim(),
                        "embed_overflow"), start, "EmbedUnit")).named("embed_bad");
        Bool noTokens = Ahead.of("embed_no_tokens", request.tokens().eq(0), start, "EmbedUnit");
        when(start, () -> {
            dst.set(request.dst());
            dim.set(request.dim());
            table.set(request.image().add(request.table().resize(64)).trunc(64));
            tokens.set(request.tokens());
            callToken.set(request.firstToken());
            token.set(0);
            io.set(request.io());
            word.set(0);
            code.set(ErrorCode.NONE.code());
            phase.set(EmbedStep.ID_COMMAND);
            when(bad.or(noTokens), () -> phase.set(EmbedStep.FINISH));
            when(bad, () -> code.set(ErrorCode.BAD_FIELD.code()));
        });

        // The token's id: one beat of the I/O region's token page. Its address is a register kept with the call's
        // token (for timing: the two 64-bit sums lay in front of the data reader's command).
        UInt idAddress = reg("embed_id_address", uint(64), 0);
        assertAlways(phase.is(EmbedStep.ID_COMMAND).not().or(idAddress.eq(io.add(U(IoRegion.TOKENS_OFFSET, 64))
                        .trunc(64).add(callToken.resize(64).shl(2).trunc(64)).trunc(64))),
                "EmbedUnit: the id's address follows the call's token");
        when(start, () -> idAddress.set(request.io().add(U(IoRegion.TOKENS_OFFSET, 64)).trunc(64)
                .add(request.firstToken().resize(64).shl(2).trunc(64)).trunc(64)));
        UInt rowBeats = dim.shr(valueShift).resize(16).named("embed_row_beats");
        // The row's offset id x dim x 2 bytes is a product: its DSP-sized partial products registered (ROW_PARTS),
        // then their sum (ROW_OFFSET), each a step before the command (for timing).
        PartialProducts rowParts = PartialProducts.register("embed_row", id, dim, phase.is(EmbedStep.ROW_PARTS));
        when(phase.is(EmbedStep.ROW_PARTS), () -> phase.set(EmbedStep.ROW_OFFSET));
        UInt rowOffset = reg("embed_row_offset", uint(48), 0);
        when(phase.is(EmbedStep.ROW_OFFSET), () -> {
            rowOffset.set(rowParts.sum(48));
            phase.set(EmbedStep.ROW_COMMAND);
        });
        UInt rowAddress = table.add(rowOffset.resize(64).shl(1).trunc(64)).trunc(64).named("embed_row_address");
        when(phase.is(EmbedStep.ID_COMMAND), () -> {
            reads.command.valid.set(true);
            reads.command.payload.address().set(idAddress);
            reads.command.payload.beats().set(1);
        });
        when(phase.is(EmbedStep.ROW_COMMAND), () -> {
            reads.command.valid.set(true);
            reads.command.payload.address().set(rowAddress);
            reads.command.payload.beats().set(rowBeats.resize(widthOf(reads.command.payload.beats())));
        });
        when(reads.command.fire().and(phase.is(EmbedStep.ID_COMMAND)), () -> phase.set(EmbedStep.ID_BEAT));
        when(reads.command.fire().and(phase.is(EmbedStep.ROW_COMMAND)), () -> phase.set(EmbedStep.ROW));

        List<Bits> beatWords = new ArrayList<>();
        for (int i = 0; i < shape.fp32PerBeat(); i++) {
            beatWords.add(reads.data.payload.data().slice(32 * i + 31, 32 * i));
        }
        Bits idWord = beatWords.size() == 1 ? beatWords.getFirst()
                : new Vec<>(beatWords).get("embed_id_word", callToken.resize(tokensPerBeatShift));
        when(phase.is(EmbedStep.ID_BEAT), () -> {
            reads.data.ready.set(true);
            when(reads.data.valid, () -> {
                id.set(idWord.asUInt());
                phase.set(EmbedStep.ROW_PARTS);
            });
        });

        // The row: each beat is wordsPerBeat buffer words of W values.
        int wordsPerBeat = shape.wordsPerBeat();
        UInt part = wordsPerBeat == 1 ? U(0, 1) : reg("embed_part", uint(log2Up(wordsPerBeat)), 0);
        Bool lastPart = wordsPerBeat == 1 ? TRUE : part.eq(wordsPerBeat - 1).named("embed_last_part");
        List<Bits> values = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            List<Bits> options = new ArrayList<>();
            for (int p = 0; p < wordsPerBeat; p++) {
                int v = p * lanes + lane;
                options.add(reads.data.payload.data().slice(16 * v + 15, 16 * v));
            }
            values.add(options.size() == 1 ? options.getFirst()
                    : new Vec<>(options).get("embed_lane" + lane + "_value", part));
        }
        Bool rowBeat = phase.is(EmbedStep.ROW).and(reads.data.valid).named("embed_row_beat");
        // Whether the word is the row's last and the token the chunk's last: flags kept with their counts (for
        // timing: the increments and compares lay in front of the step's choice).
        UInt rowWords = dim.shr(KernelShape.shift(lanes)).resize(16).named("embed_row_words");
        Bool lastWord = reg("embed_last_word", bool(), 0);
        Bool lastToken = reg("embed_last_token", bool(), 0);
        assertAlways(phase.is(EmbedStep.ROW).not().or(lastWord.eq(word.add(1).trunc(16).eq(rowWords))
                        .and(lastToken.eq(token.add(1).trunc(tokenBits).eq(tokens)))),
                "EmbedUnit: the last-word and last-token flags follow their counts");
        when(start, () -> {
            lastWord.set(request.dim().shr(KernelShape.shift(lanes)).resize(16).eq(1));
            lastToken.set(request.tokens().eq(1));
        });
        when(phase.is(EmbedStep.ROW), () -> reads.data.ready.set(lastPart));
        // The row's word goes to the buffers registered, as stored, then widened (for timing); the instruction ends
        // once it has.
        Bool writing = buffers.registeredStoredWrite("embed_write", rowBeat, dst, token, word, new Vec<>(values),
                shape.storage());
        when(rowBeat, () -> {
            if (wordsPerBeat > 1) {
                part.set(mux(lastPart, U(0, widthOf(part)), part.add(1).trunc(widthOf(part))));
            }
            word.set(word.add(1).trunc(16));
            lastWord.set(word.add(2).trunc(16).eq(rowWords));
            when(lastWord, () -> {
                word.set(0);
                lastWord.set(rowWords.eq(1));
                token.set(token.add(1).trunc(tokenBits));
                lastToken.set(token.add(2).trunc(tokenBits).eq(tokens));
                callToken.set(callToken.add(1).trunc(32));
                idAddress.set(idAddress.add(4).trunc(64));
                phase.set(mux(lastToken, HwEnum.constant(EmbedStep.FINISH), HwEnum.constant(EmbedStep.ID_COMMAND)));
            });
        });

        Bool finished = phase.is(EmbedStep.FINISH).and(writing.not()).named("embed_done");
        done = new Flow<>(finished, code);
        when(finished, () -> phase.set(EmbedStep.IDLE));
    }
}
