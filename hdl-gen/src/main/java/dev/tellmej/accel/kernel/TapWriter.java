package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one debug-tap record (docs/device.md, "Debug taps"): the record header (instruction, first token,
 * tokens, elements), then {@code tokens x elements} binary32 values of an on-chip buffer, token-major, then zero
 * words to a multiple of {@link DebugTaps#ALIGN} bytes. A value takes two cycles (the buffer read, then the
 * word): taps are for finding a mismatch, not for speed.
 */
final class TapWriter extends Area {
    enum TapStep { IDLE, COMMAND, HEADER, READ, VALUE, PAD }

    /** What to write; sampled when {@link #start} is high. */
    record Request(UInt instruction, UInt firstToken, UInt tokens, UInt elements, UInt buffer, UInt address,
            UInt bytes) {}

    final Bool start;
    final Request request;
    /** Pulses when the record's last word has gone to the packer. */
    final Bool finished;
    /** Offering a word to the packer. */
    final Bool pushing;

    TapWriter(KernelShape shape, DataWrites writes, WordPacker packer, ActivationBuffers buffers) {
        super("tap_writer", "writes a debug-tap record: its header, a buffer's values token by token, the padding");
        int lanes = shape.lanes();
        int laneBits = KernelShape.shift(lanes);
        int tokenBits = bitsFor(shape.chunkTokens());
        start = wire("tap_start", bool());
        start.set(false);
        request = new Request(wire("tap_instruction", uint(32)), wire("tap_first_token", uint(32)),
                wire("tap_tokens", uint(tokenBits)), wire("tap_elements", uint(32)),
                wire("tap_buffer", uint(ActivationBuffers.BUFFER_ID_BITS)), wire("tap_address", uint(64)),
                wire("tap_bytes", uint(32)));
        for (UInt field : List.of(request.instruction(), request.firstToken(), request.tokens(), request.elements(),
                request.buffer(), request.address(), request.bytes())) {
            field.set(0);
        }

        HwEnum<TapStep> phase = reg("tap_phase", enumOf(TapStep.class), TapStep.IDLE);
        List<Bits> header = new ArrayList<>();
        for (String field : List.of("instruction", "first_token", "tokens", "elements")) {
            header.add(reg("tap_header_" + field, bits(32), 0));
        }
        UInt tokens = reg("tap_token_count", uint(tokenBits), 0);
        UInt elements = reg("tap_element_count", uint(32), 0);
        UInt buffer = reg("tap_buffer_id", uint(ActivationBuffers.BUFFER_ID_BITS), 0);
        UInt address = reg("tap_record_address", uint(64), 0);
        UInt words = reg("tap_words", uint(32), 0);
        UInt pushed = reg("tap_words_pushed", uint(32), 0);
        UInt token = reg("tap_token", uint(tokenBits), 0);
        UInt element = reg("tap_element", uint(32), 0);

        when(start, () -> {
            header.get(0).set(request.instruction().asBits());
            header.get(1).set(request.firstToken().asBits());
            header.get(2).set(request.tokens().resize(32).asBits());
            header.get(3).set(request.elements().asBits());
            tokens.set(request.tokens());
            elements.set(request.elements());
            buffer.set(request.buffer());
            address.set(request.address());
            words.set(request.bytes().shr(2).resize(32));
            pushed.set(0);
            token.set(0);
            element.set(0);
            phase.set(TapStep.COMMAND);
        });

        UInt beats = words.shr(KernelShape.shift(shape.fp32PerBeat())).resize(widthOf(writes.command.payload.beats()))
                .named("tap_beats");
        assertAlways(phase.isNot(TapStep.COMMAND).or(packer.aligned), "TapWriter: a record starts on a whole beat");
        when(phase.is(TapStep.COMMAND), () -> {
            writes.command.valid.set(true);
            writes.command.payload.address().set(address);
            writes.command.payload.beats().set(beats);
        });
        when(writes.command.fire().and(phase.is(TapStep.COMMAND)), () -> phase.set(TapStep.HEADER));

        // Header words, then the values (a read, then the word), then zeros.
        UInt headerIndex = pushed.resize(2);
        Bits headerWord = new Vec<>(header).get("tap_header_word", headerIndex);
        when(phase.is(TapStep.READ), () -> {
            buffers.read.valid().set(true);
            buffers.read.buffer().set(buffer);
            buffers.read.token().set(token.resize(widthOf(buffers.read.token())));
            buffers.read.word().set(element.shr(laneBits).resize(widthOf(buffers.read.word())));
        });
        UInt lane = regNextWhen("tap_lane", lanes == 1 ? U(0, 1) : element.resize(laneBits), phase.is(TapStep.READ));
        Bits value = lanes == 1 ? buffers.readData.get(0) : buffers.readData.get("tap_value", lane);

        pushing = phase.isOneOf(TapStep.HEADER, TapStep.VALUE, TapStep.PAD).named("tap_pushing");
        when(pushing, () -> {
            packer.in.valid.set(true);
            packer.in.payload.keep().set(true);
            packer.in.payload.value().set(0);
            when(phase.is(TapStep.HEADER), () -> packer.in.payload.value().set(headerWord));
            when(phase.is(TapStep.VALUE), () -> packer.in.payload.value().set(value));
        });
        Bool lastWord = pushed.add(1).trunc(32).eq(words).named("tap_last_word");
        Bool lastElement = element.add(1).trunc(32).eq(elements).named("tap_last_element");
        Bool lastToken = token.add(1).trunc(tokenBits).eq(tokens).named("tap_last_token");
        Bool headerDone = pushed.eq(3).named("tap_header_done");
        Bool noValues = tokens.eq(0).or(elements.eq(0)).named("tap_no_values");
        Bool took = pushing.and(packer.in.ready).named("tap_word_taken");
        when(took, () -> {
            pushed.set(pushed.add(1).trunc(32));
            when(lastWord, () -> phase.set(TapStep.IDLE))
                    .elseWhen(phase.is(TapStep.HEADER).and(headerDone), () ->
                            phase.set(mux(noValues, HwEnum.constant(TapStep.PAD), HwEnum.constant(TapStep.READ))))
                    .elseWhen(phase.is(TapStep.VALUE), () -> {
                        element.set(mux(lastElement, U(0, 32), element.add(1).trunc(32)));
                        when(lastElement, () -> token.set(token.add(1).trunc(tokenBits)));
                        phase.set(mux(lastElement.and(lastToken), HwEnum.constant(TapStep.PAD),
                                HwEnum.constant(TapStep.READ)));
                    });
        });
        when(phase.is(TapStep.READ), () -> phase.set(TapStep.VALUE));
        finished = took.and(lastWord).named("tap_finished");
    }
}
