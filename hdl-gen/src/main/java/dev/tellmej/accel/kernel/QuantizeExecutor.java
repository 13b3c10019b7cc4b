package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.elementwise.Quantizer;
import dev.tellmej.accel.elementwise.RmsNormMax;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Ahead;
import dev.tellmej.hdl.lib.CreditBuffer;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.RunCounter;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.fp.InverseOfCount;
import java.util.ArrayList;
import java.util.List;

/**
 * QUANTIZE (N13 then N6, or N6 alone): token after token, the source buffer's vector goes through RMS-MAX (the
 * run-time-length {@link RmsNormMax}, its gains streamed from the image for every token; with {@code norm} clear,
 * in bypass: the values unchanged with their absmax) and the {@link Quantizer}, into the {@link QuantizedStore}:
 * the int8 activations and m_c of every token of the chunk. {@code INV_N} of the length comes from
 * {@link InverseOfCount} once per instruction. A token is fed as soon as the one before is in (RMS-MAX takes it
 * while it scales and emits that one); each is stored as it leaves the quantizer.
 *
 * <p>Refused with BAD_FIELD, before anything is read: a source that is no buffer, a length of 0, above the
 * source's or not whole words of RMS-MAX's width.
 */
final class QuantizeExecutor extends Area {
    enum QuantizeStep { IDLE, INVERSE, WAIT_INVERSE, TOKEN, STREAM, DRAIN, FINISH }

    /** The instruction's fields and the chunk, sampled at {@link #start}. */
    record Request(UInt src, Bool norm, UInt length, UInt gain, Bits eps, UInt tokens, UInt image) {}

    final Bool start;
    final Request request;
    final Flow<UInt> done;

    QuantizeExecutor(KernelShape shape, RmsNormMax rms, Quantizer quantizer, InverseOfCount inverse, DataReads reads,
                     ActivationBuffers buffers, QuantizedStore store) {
        super("quantize_executor", "QUANTIZE: each token's vector through RMS-MAX and the quantizer into the"
                + " quantized store");
        int lanes = shape.lanes();
        int laneShift = KernelShape.shift(lanes);
        int tokenBits = bitsFor(shape.chunkTokens());
        int wordsPerBeat = shape.wordsPerBeat();
        start = wire("quantize_start", bool());
        start.set(false);
        request = new Request(wire("quantize_src", uint(ActivationBuffers.BUFFER_ID_BITS)),
                wire("quantize_norm", bool()), wire("quantize_length", uint(16)), wire("quantize_gain", uint(32)),
                wire("quantize_eps", bits(32)), wire("quantize_tokens", uint(tokenBits)),
                wire("quantize_image", uint(64)));
        request.src().set(0);
        request.norm().set(false);
        request.length().set(0);
        request.gain().set(0);
        request.eps().set(0);
        request.tokens().set(0);
        request.image().set(0);

        HwEnum<QuantizeStep> step = reg("quantize_step", enumOf(QuantizeStep.class), QuantizeStep.IDLE);
        UInt src = reg("quantize_src_id", uint(ActivationBuffers.BUFFER_ID_BITS), 0);
        Bool norm = reg("quantize_norm_q", bool(), 0);
        UInt length = reg("quantize_length_q", uint(16), 0);
        UInt gainAddress = reg("quantize_gain_address", uint(64), 0);
        Bits eps = reg("quantize_eps_q", bits(32), 0);
        Bits invN = reg("quantize_inv_n", bits(32), 0);
        UInt tokens = reg("quantize_token_count", uint(tokenBits), 0);
        UInt token = reg("quantize_token", uint(tokenBits), 0);           // the token being fed
        UInt outToken = reg("quantize_out_token", uint(tokenBits), 0);    // the token being stored
        UInt code = reg("quantize_code", uint(8), 0);

        Bool partWords = laneShift == 0 ? FALSE : request.length().resize(laneShift).ne(0).named("quantize_part_words");
        // The checks are registered: the request is the instruction word's fields, which hold still from the
        // sequencer's DECODE, a cycle before the start.
        // The size check has a register of its own (for timing: its compare lay in front of the others').
        Bool bad = Ahead.of("quantize_bad_field", ActivationBuffers.isBuffer(request.src()).not()
                .or(request.length().eq(0)).or(partWords), start, "QuantizeExecutor")
                .or(Ahead.of("quantize_bad_size", ActivationBuffers.exceedsCapacity(shape, request.src(),
                        request.length(), "quantize_overflow"), start, "QuantizeExecutor")).named("quantize_bad");
        Bool noTokens = Ahead.of("quantize_no_tokens", request.tokens().eq(0), start, "QuantizeExecutor");
        when(start, () -> {
            src.set(request.src());
            norm.set(request.norm());
            length.set(request.length());
            gainAddress.set(request.image().add(request.gain().resize(64)).trunc(64));
            eps.set(request.eps());
            tokens.set(request.tokens());
            token.set(0);
            outToken.set(0);
            code.set(ErrorCode.NONE.code());
            step.set(QuantizeStep.INVERSE);
            when(bad.or(noTokens), () -> step.set(QuantizeStep.FINISH));
            when(bad, () -> code.set(ErrorCode.BAD_FIELD.code()));
        });

        // INV_N, once per instruction.
        inverse.in.valid.set(step.is(QuantizeStep.INVERSE));
        inverse.in.payload.set(length);
        when(inverse.in.fire(), () -> step.set(QuantizeStep.WAIT_INVERSE));
        when(step.is(QuantizeStep.WAIT_INVERSE).and(inverse.out.valid), () -> {
            invN.set(inverse.out.payload);
            step.set(QuantizeStep.TOKEN);
        });
        UInt lengthWords = length.shr(laneShift).resize(16).named("quantize_length_words");
        rms.runTime().lengthBeats().set(lengthWords.resize(widthOf(rms.runTime().lengthBeats())));
        rms.runTime().invN().set(invN);
        rms.runTime().bypass().set(norm.not());
        rms.eps.set(eps);

        // A token: the gains' read (with norm), then its words from the source buffer, a read a cycle: the buffer's
        // fixed pipeline (its read, then its storage rounding) behind a credit buffer, so RMS-MAX may stall
        // without a word being lost. The next token is fed as soon as this one's words are in: RMS-MAX takes it
        // while it scales and emits this one, and its gains are read behind this one's.
        // Words pushed into RMS-MAX, with the token's-last flag kept beside the count (for timing: the increment and
        // the compare with the length lay on the path into the step).
        RunCounter word = RunCounter.create("quantize_word", 16, lengthWords, step.is(QuantizeStep.STREAM),
                "QuantizeExecutor");
        UInt readWord = reg("quantize_read_word", uint(16), 0);   // words asked of the buffer
        // Whether words are left to ask, a flag set with the count (for timing: the compare with the length lay on
        // the path into the buffers' read address).
        Bool readsLeft = reg("quantize_reads_left", bool(), 0);
        Bool gainsAsked = reg("quantize_gains_asked", bool(), 0);
        UInt gainBytes = length.resize(17).shl(1).trunc(17).named("quantize_gain_bytes");
        UInt gainBeats = gainBytes.add(shape.beatBytes() - 1).trunc(17).shr(KernelShape.shift(shape.beatBytes()))
                .named("quantize_gain_beats");
        when(step.is(QuantizeStep.TOKEN), () -> {
            word.restart();
            readWord.set(0);
            readsLeft.set(lengthWords.ne(0));
            gainsAsked.set(norm.not());
            step.set(QuantizeStep.STREAM);
        });
        Bool asking = step.is(QuantizeStep.STREAM).and(gainsAsked.not()).named("quantize_asking_gains");
        when(asking, () -> {
            reads.command.valid.set(true);
            reads.command.payload.address().set(gainAddress);
            reads.command.payload.beats().set(gainBeats.resize(widthOf(reads.command.payload.beats())));
        });
        when(asking.and(reads.command.ready), () -> gainsAsked.set(true));

        // The words come rounded to the storage format (ActivationBuffers.readStored), a register and the
        // rounding's stages behind the read: the credits cover that latency.
        CreditBuffer<Vec<Bits>> words = new CreditBuffer<>("quantize_words", vec(lanes, bits(16)),
                CreditBuffer.depthFor(buffers.storedReadLatency));
        assertAlways(step.is(QuantizeStep.STREAM).not().or(readsLeft.eq(readWord.lt(lengthWords))),
                "QuantizeExecutor: the reads-left flag follows the words asked");
        Bool reading = step.is(QuantizeStep.STREAM).and(readsLeft).and(words.available())
                .named("quantize_reading");
        // The read's buffer, token and word are set for the whole stream, its valid only when a word is read (for
        // timing: the credits lay on the path through the port's multiplexer into the buffers' address).
        when(step.is(QuantizeStep.STREAM), () -> {
            buffers.read.buffer().set(src);
            buffers.read.token().set(token.resize(widthOf(buffers.read.token())));
            buffers.read.word().set(readWord.resize(widthOf(buffers.read.word())));
        });
        when(reading, () -> {
            buffers.read.valid().set(true);
            UInt nextWord = readWord.add(1).trunc(16);
            readWord.set(nextWord);
            readsLeft.set(nextWord.ne(lengthWords));
        });
        words.issue(reading);
        Bool arrived = Delay.valid("quantize_read_arrived", reading, buffers.storedReadLatency);
        // The words and the gains go to RMS-MAX through skid buffers (the words then through a register stage, as
        // the skid's multiplexer and the credit FIFO's read lay before RMS-MAX's squares), and are counted as they
        // enter them (for timing: RMS-MAX's ready lay on the paths into this executor's step and the data port's
        // ready).
        Stream<Vec<Bits>> toRms = words.connect(new Flow<>(arrived, buffers.readStored));
        toRms.s2mPipe("quantize_word_skid").stage("quantize_word_stage").connectTo(rms.in);
        Bool lastFed = token.add(1).trunc(tokenBits).eq(tokens).named("quantize_last_fed");
        when(toRms.fire(), () -> {
            word.step();
            when(word.last, () -> {
                step.set(QuantizeStep.DRAIN);
                when(lastFed.not(), () -> {
                    token.set(token.add(1).trunc(tokenBits));
                    step.set(QuantizeStep.TOKEN);
                });
            });
        });

        // The gains: each data-port beat holds wordsPerBeat gain beats of W values; the rest of the last is dropped.
        UInt gainPart = wordsPerBeat == 1 ? U(0, 1) : reg("quantize_gain_part", uint(log2Up(wordsPerBeat)), 0);
        UInt gainsSent = reg("quantize_gains_sent", uint(16), 0);
        Bool lastGainPart = wordsPerBeat == 1 ? TRUE : gainPart.eq(wordsPerBeat - 1).named("quantize_last_gain_part");
        // Whether the gain beat is the token's last, a flag set with the count (for timing: the increment and the
        // compare with the length lay on the path into the data reader's pop).
        Bool lastGain = reg("quantize_last_gain", bool(), 0);
        assertAlways(norm.and(step.isOneOf(QuantizeStep.TOKEN, QuantizeStep.STREAM, QuantizeStep.DRAIN)).not()
                .or(lastGain.eq(gainsSent.add(1).trunc(16).eq(lengthWords))),
                "QuantizeExecutor: the last-gain flag follows the gains sent");
        when(start, () -> {
            gainsSent.set(0);
            lastGain.set(request.length().shr(laneShift).resize(16).eq(1));
            if (wordsPerBeat > 1) {
                gainPart.set(0);
            }
        });
        // The gains go to RMS-MAX in the order they were read, a token's lengthWords beats after the other's.
        Bool gaining = norm.and(step.isOneOf(QuantizeStep.TOKEN, QuantizeStep.STREAM, QuantizeStep.DRAIN))
                .named("quantize_gaining");
        Stream<Vec<Bits>> gains = wire("quantize_gains", Stream.of(templateOf(rms.gamma.payload)));
        gains.s2mPipe("quantize_gain_skid").connectTo(rms.gamma);
        gains.valid.set(gaining.and(reads.data.valid));
        for (int lane = 0; lane < lanes; lane++) {
            List<Bits> options = new ArrayList<>();
            for (int p = 0; p < wordsPerBeat; p++) {
                int v = p * lanes + lane;
                options.add(reads.data.payload.data().slice(16 * v + 15, 16 * v));
            }
            gains.payload.get(lane).set(options.size() == 1 ? options.getFirst()
                    : new Vec<>(options).get("quantize_gain_lane" + lane, gainPart));
        }
        Bool gainTaken = gains.fire().named("quantize_gain_taken");
        when(gaining, () -> reads.data.ready.set(gainTaken.and(lastGainPart.or(lastGain))));
        when(gainTaken, () -> {
            gainsSent.set(mux(lastGain, U(0, 16), gainsSent.add(1).trunc(16)));
            lastGain.set(mux(lastGain, lengthWords.eq(1), gainsSent.add(2).trunc(16).eq(lengthWords)));
            if (wordsPerBeat > 1) {
                gainPart.set(mux(lastGainPart.or(lastGain), U(0, widthOf(gainPart)),
                        gainPart.add(1).trunc(widthOf(gainPart))));
            }
        });

        // RMS-MAX's output goes straight to the quantizer; the quantizer's into the store.
        quantizer.in.valid.set(rms.out.valid);
        rms.out.ready.set(quantizer.in.ready);
        for (int lane = 0; lane < lanes; lane++) {
            quantizer.in.payload.x().get(lane).set(rms.out.payload.y().get(lane));
        }
        quantizer.in.payload.absMax().set(rms.out.payload.absMax());
        quantizer.in.payload.last().set(rms.out.payload.last());
        UInt outWord = reg("quantize_out_word", uint(16), 0);
        quantizer.out.ready.set(TRUE);
        Bool quantized = quantizer.out.fire().named("quantize_out_beat");
        List<Bits> bytes = new ArrayList<>();
        for (int lane = lanes - 1; lane >= 0; lane--) {
            bytes.add(quantizer.out.payload.q().get(lane).asBits());
        }
        when(quantized, () -> {
            store.writeValid.set(true);
            store.writeToken.set(outToken.resize(widthOf(store.writeToken)));
            store.writeWord.set(outWord.resize(widthOf(store.writeWord)));
            store.writeData.set(cat(bytes.toArray(new Bits[0])));
            outWord.set(outWord.add(1).trunc(16));
            when(quantizer.out.payload.last(), () -> {
                store.mcValid.set(true);
                store.mcData.set(quantizer.out.payload.mc());
                outWord.set(0);
            });
        });
        // Whether the token being stored is the chunk's last, a flag kept with its count (for timing: the
        // increment and compare lay behind the quantizer's output FIFO on the path into the step).
        Bool lastToken = reg("quantize_last_token", bool(), 0);
        assertAlways(step.is(QuantizeStep.IDLE).or(step.is(QuantizeStep.FINISH))
                        .or(lastToken.eq(outToken.add(1).trunc(tokenBits).eq(tokens))),
                "QuantizeExecutor: the last-token flag follows the stored tokens");
        when(start, () -> lastToken.set(request.tokens().eq(1)));
        when(quantized.and(quantizer.out.payload.last()), () -> {
            outToken.set(outToken.add(1).trunc(tokenBits));
            lastToken.set(outToken.add(2).trunc(tokenBits).eq(tokens));
            when(lastToken, () -> step.set(QuantizeStep.FINISH));
        });

        done = new Flow<>(step.is(QuantizeStep.FINISH).named("quantize_done"), code);
        when(step.is(QuantizeStep.FINISH), () -> step.set(QuantizeStep.IDLE));
    }
}
