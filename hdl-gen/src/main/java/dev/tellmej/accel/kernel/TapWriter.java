package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.PartialProducts;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one debug-tap record (docs/device.md, "Debug taps"): the record header (instruction, first token,
 * tokens, elements), then {@code tokens x elements} binary32 values of an on-chip buffer, token-major, then zero
 * words to a multiple of {@link DebugTaps#ALIGN} bytes. A value takes five cycles (the buffer read and its wait,
 * the word and then its value registered, the push): taps are for finding a mismatch, not for speed.
 */
final class TapWriter extends Area {
    /** READ, READ_WAIT and READ_LAND: a value's read, {@link ActivationBuffers#READ_LATENCY} cycles before LATCH. */
    enum TapStep { IDLE, COMMAND, HEADER, READ, READ_WAIT, READ_LAND, LATCH, CONVERT, VALUE, MEMORY, PAD }

    /** What to write; sampled when {@link #start} is high. */
    record Request(UInt instruction, UInt firstToken, UInt tokens, UInt elements, UInt buffer, UInt address,
            UInt bytes, Bool quantized, Bool fromMemory, UInt source) {}

    final Bool start;
    final Request request;
    /**
     * Pulses in the cycle after the record's last word went to the packer (registered, for timing: the packer's
     * ready from the data writes' skid buffer lay on the path into the sequencer's record count).
     */
    final Bool finished;
    /** Offering a word to the packer. */
    final Bool pushing;

    TapWriter(KernelShape shape, DataReads reads, DataWrites writes, WordPacker packer, ActivationBuffers buffers,
              QuantizedStore store) {
        super("tap_writer", "writes a debug-tap record: its header, a buffer's values token by token, the padding");
        int lanes = shape.lanes();
        int laneBits = KernelShape.shift(lanes);
        int storeByteBits = KernelShape.shift(store.readBytes);
        int tokenBits = bitsFor(shape.chunkTokens());
        start = wire("tap_start", bool());
        start.set(false);
        request = new Request(wire("tap_instruction", uint(32)), wire("tap_first_token", uint(32)),
                wire("tap_tokens", uint(tokenBits)), wire("tap_elements", uint(32)),
                wire("tap_buffer", uint(ActivationBuffers.BUFFER_ID_BITS)), wire("tap_address", uint(64)),
                wire("tap_bytes", uint(32)), wire("tap_quantized", bool()), wire("tap_from_memory", bool()),
                wire("tap_source", uint(64)));
        request.quantized().set(false);
        request.fromMemory().set(false);
        request.source().set(0);
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
        Bool quantized = reg("tap_from_quantized", bool(), 0);
        Bool fromMemory = reg("tap_from_memory_q", bool(), 0);
        UInt source = reg("tap_source_address", uint(64), 0);
        UInt words = reg("tap_words", uint(32), 0);
        UInt pushed = reg("tap_words_pushed", uint(32), 0);
        // Whether the word being pushed is the record's last, kept with the count (for timing: the 32-bit compare
        // lay on the path of the tap's end into the sequencer's next step).
        Bool lastWord = reg("tap_last_word", bool(), 0);
        UInt token = reg("tap_token", uint(tokenBits), 0);
        UInt element = reg("tap_element", uint(32), 0);
        // The elements after the current one in its token, and whether there are none, counted down beside the
        // element (for timing: the element's increment and the compare with the count lay on the path into the
        // data reader's pop).
        UInt elementsAfter = reg("tap_elements_after", uint(32), 0);
        Bool lastElement = reg("tap_last_element", bool(), 0);
        // Whether the token is the record's last, a flag set with the token the same way.
        Bool lastToken = reg("tap_last_token", bool(), 0);

        when(start, () -> {
            header.get(0).set(request.instruction().asBits());
            header.get(1).set(request.firstToken().asBits());
            header.get(2).set(request.tokens().resize(32).asBits());
            header.get(3).set(request.elements().asBits());
            tokens.set(request.tokens());
            elements.set(request.elements());
            buffer.set(request.buffer());
            address.set(request.address());
            quantized.set(request.quantized());
            fromMemory.set(request.fromMemory());
            source.set(request.source());
            words.set(request.bytes().shr(2).resize(32));
            pushed.set(0);
            lastWord.set(request.bytes().shr(2).resize(32).eq(1));
            token.set(0);
            element.set(0);
            elementsAfter.set(request.elements().sub(1));
            lastElement.set(request.elements().le(1));
            lastToken.set(request.tokens().le(1));
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
        when(phase.is(TapStep.READ), () -> {
            store.readValid.set(true);
            store.readToken.set(token.resize(widthOf(store.readToken)));
            store.readWord.set(element.shr(storeByteBits).resize(widthOf(store.readWord)));
        });
        UInt lane = regNextWhen("tap_lane", lanes == 1 ? U(0, 1) : element.resize(laneBits), phase.is(TapStep.READ));
        Bits bufferValue = lanes == 1 ? buffers.readData.get(0) : buffers.readData.get("tap_buffer_value", lane);
        // A quantized record: the int8 activations as binary32, then m_c as its last element.
        UInt storeByte = regNextWhen("tap_store_byte", element.resize(storeByteBits), phase.is(TapStep.READ));
        List<Bits> bytes = new ArrayList<>();
        for (int i = 0; i < store.readBytes; i++) {
            bytes.add(store.readData.slice(8 * i + 7, 8 * i));
        }
        Bits activation = new Vec<>(bytes).get("tap_activation", storeByte);
        // The word read is registered (LATCH), then its value (CONVERT), a step before it is pushed (for timing:
        // the block RAMs' reads, the byte select, the int8's conversion and the packer were one path).
        Bits bufferValueQ = regNextWhen("tap_buffer_value_q", bufferValue, phase.is(TapStep.LATCH));
        Bits activationQ = regNextWhen("tap_activation_q", activation, phase.is(TapStep.LATCH));
        Bits mcQ = regNextWhen("tap_mc_q", store.mcOf(token, "tap_mc"), phase.is(TapStep.LATCH));
        Bits quantizedValue = mux(lastElement, mcQ, int8ToFloat(activationQ.asSInt())).named("tap_quantized_value");
        Bits value = regNextWhen("tap_value_q", mux(quantized, quantizedValue, bufferValueQ).named("tap_value"),
                phase.is(TapStep.CONVERT));

        // From memory: the values are read back from DDR (the logits page), one word a cycle from each beat.
        int perBeat = shape.fp32PerBeat();
        Bool memoryAsked = reg("tap_memory_asked", bool(), 0);
        when(start, () -> memoryAsked.set(false));
        Bool asking = fromMemory.and(memoryAsked.not()).and(phase.isOneOf(TapStep.HEADER, TapStep.MEMORY))
                .named("tap_asking_memory");
        // A product of the record's registers, as registered partial products: the registers are written at start,
        // the parts a cycle later, and the sum is first read in HEADER (start + 2); its operands are the counts'
        // private copies.
        PartialProducts sourceWords = PartialProducts.register("tap_source_words",
                PartialProducts.operandCopy("tap_token_count_dsp", request.tokens(), start),
                PartialProducts.operandCopy("tap_element_count_dsp", request.elements(), start), TRUE);
        UInt sourceBeats = sourceWords.sum(34).add(perBeat - 1).trunc(34).shr(KernelShape.shift(perBeat))
                .named("tap_source_beats");
        when(asking, () -> {
            reads.command.valid.set(true);
            reads.command.payload.address().set(source);
            reads.command.payload.beats().set(sourceBeats.resize(widthOf(reads.command.payload.beats())));
        });
        when(asking.and(reads.command.ready), () -> memoryAsked.set(true));
        UInt memoryWord = perBeat == 1 ? U(0, 1) : reg("tap_memory_word", uint(log2Up(perBeat)), 0);
        if (perBeat > 1) {
            when(start, () -> memoryWord.set(0));
        }
        List<Bits> memoryWords = new ArrayList<>();
        for (int i = 0; i < perBeat; i++) {
            memoryWords.add(reads.data.payload.data().slice(32 * i + 31, 32 * i));
        }
        Bits memoryValue = perBeat == 1 ? memoryWords.getFirst()
                : new Vec<>(memoryWords).get("tap_memory_value", memoryWord);
        Bool memoryReady = phase.is(TapStep.MEMORY).and(reads.data.valid).named("tap_memory_ready");

        pushing = phase.isOneOf(TapStep.HEADER, TapStep.VALUE, TapStep.PAD).or(memoryReady).named("tap_pushing");
        when(pushing, () -> {
            packer.in.valid.set(true);
            packer.in.payload.keep().set(true);
            packer.in.payload.value().set(0);
            when(phase.is(TapStep.HEADER), () -> packer.in.payload.value().set(headerWord));
            when(phase.is(TapStep.VALUE), () -> packer.in.payload.value().set(value));
            when(phase.is(TapStep.MEMORY), () -> packer.in.payload.value().set(memoryValue));
        });
        assertAlways(phase.is(TapStep.IDLE).or(lastWord.eq(pushed.add(1).trunc(32).eq(words))),
                "TapWriter: the last-word flag follows the words pushed");
        assertAlways(phase.isOneOf(TapStep.READ, TapStep.READ_WAIT, TapStep.LATCH, TapStep.CONVERT, TapStep.VALUE,
                        TapStep.MEMORY)
                        .not().or(lastElement.eq(element.add(1).trunc(32).eq(elements))
                                .and(lastToken.eq(token.add(1).trunc(tokenBits).eq(tokens)))),
                "TapWriter: the last-element and last-token flags follow the element and the token");
        Runnable nextElement = () -> {
            element.set(mux(lastElement, U(0, 32), element.add(1).trunc(32)));
            when(lastElement, () -> {
                token.set(token.add(1).trunc(tokenBits));
                lastToken.set(token.add(2).trunc(tokenBits).eq(tokens));
                elementsAfter.set(elements.sub(1));
                lastElement.set(elements.le(1));
            }).otherwise(() -> {
                elementsAfter.set(elementsAfter.sub(1));
                lastElement.set(elementsAfter.eq(1));
            });
        };
        Bool headerDone = pushed.eq(3).named("tap_header_done");
        Bool noValues = tokens.eq(0).or(elements.eq(0)).named("tap_no_values");
        Bool took = pushing.and(packer.in.ready).named("tap_word_taken");
        when(took, () -> {
            pushed.set(pushed.add(1).trunc(32));
            lastWord.set(pushed.add(2).trunc(32).eq(words));
            when(lastWord, () -> phase.set(TapStep.IDLE))
                    .elseWhen(phase.is(TapStep.HEADER).and(headerDone), () -> {
                        phase.set(mux(noValues, HwEnum.constant(TapStep.PAD), HwEnum.constant(TapStep.READ)));
                        when(fromMemory.and(noValues.not()), () -> phase.set(TapStep.MEMORY));
                    })
                    .elseWhen(phase.is(TapStep.MEMORY), () -> {
                        nextElement.run();
                        when(lastElement.and(lastToken), () -> phase.set(TapStep.PAD));
                    })
                    .elseWhen(phase.is(TapStep.VALUE), () -> {
                        nextElement.run();
                        phase.set(mux(lastElement.and(lastToken), HwEnum.constant(TapStep.PAD),
                                HwEnum.constant(TapStep.READ)));
                    });
        });
        when(phase.is(TapStep.READ), () -> phase.set(TapStep.READ_WAIT));
        when(phase.is(TapStep.READ_WAIT), () -> phase.set(TapStep.READ_LAND));
        when(phase.is(TapStep.READ_LAND), () -> phase.set(TapStep.LATCH));
        when(phase.is(TapStep.LATCH), () -> phase.set(TapStep.CONVERT));
        when(phase.is(TapStep.CONVERT), () -> phase.set(TapStep.VALUE));
        Bool lastMemoryWord = (perBeat == 1 ? TRUE : memoryWord.eq(perBeat - 1)).or(lastElement.and(lastToken))
                .named("tap_last_memory_word");
        when(phase.is(TapStep.MEMORY), () -> reads.data.ready.set(took.and(lastMemoryWord)));
        if (perBeat > 1) {
            when(took.and(phase.is(TapStep.MEMORY)), () -> memoryWord.set(mux(lastMemoryWord,
                    U(0, widthOf(memoryWord)), memoryWord.add(1).trunc(widthOf(memoryWord)))));
        }
        finished = regNext("tap_finished", took.and(lastWord), 0);
    }

    /** The binary32 value of an int8, exactly ({@code (float) x}; 0 is +0.0). */
    static Bits int8ToFloat(dev.tellmej.hdl.SInt x) {
        dev.tellmej.hdl.SInt wide = x.sext(9);
        Bool negative = x.isNegative();
        UInt magnitude = mux(negative, wide.neg(), wide).asBits().asUInt().named("tap_int8_magnitude");
        Bits result = wire("tap_int8_float", bits(32));
        result.set(0);
        // The highest set bit p of the magnitude (at most 2^7): exponent 127 + p, the bits below it the fraction.
        for (int p = 0; p <= 7; p++) {
            int bit = p;
            UInt fraction = magnitude.resize(23).shl(23 - bit).trunc(23);
            when(magnitude.bit(bit), () -> result.set(cat(negative.asBits(), U(127 + bit, 8).asBits(),
                    fraction.asBits())));
        }
        return result;
    }
}
