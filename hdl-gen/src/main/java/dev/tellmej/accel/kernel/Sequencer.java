package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.protocol.CallMode;
import dev.tellmej.accel.protocol.DebugTaps;
import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.accel.protocol.ImageHeaderWords;
import dev.tellmej.accel.protocol.Instruction;
import dev.tellmej.accel.protocol.IoRegion;
import dev.tellmej.accel.protocol.Opcode;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwEnum;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Ahead;
import dev.tellmej.hdl.lib.PartialProducts;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The program's sequencer (docs/kernel.md): checks the call and the image header, checks every input token
 * against the vocabulary, then runs the program once per chunk of tokens, an instruction at a time: fetches its
 * word from the image, decodes it, starts its unit and waits for it, writes its debug-tap record when the taps are
 * on, and goes on until END (or the program's last instruction). At the end it writes the call record and waits
 * for every write to land. The first error ends the call with its {@link ErrorCode} and detail, as the reference
 * device and the OpenCL twin report them.
 */
final class Sequencer extends Area {
    enum Step { IDLE, HEADER, CHECK, TOKENS, TOKENS_CHECKED, CAPACITY, CHUNK, FETCH, DECODE, SETUP_CHECK, ISSUE,
        EXECUTE, BARRIER, TAP, NEXT, CHUNK_END, RECORD, DRAIN, FINISH }

    /** The SETUP registers the units read. */
    record Setup(UInt headDim, UInt heads, UInt kvHeads, Bool ropeAdjacent, UInt positions, UInt ropeTable) {}

    /**
     * Instructions after a running LINEAR the sequencer reads to find the next one: a layer's {@code v} reaches
     * {@code o} past {@code BARRIER}, {@code ATTENTION} and {@code QUANTIZE}.
     */
    static final int LOOK_AHEAD = 4;

    final HwEnum<Step> phase;
    final Setup setup;
    /** Waiting for a read of its own (the header, the tokens, an instruction). */
    final Bool waitingForData;

    Sequencer(KernelShape shape, CallControl call, DataReads reads, DataWrites writes, EmbedUnit embed,
              QuantizeExecutor quantize, LinearExecutor linear, AttentionExecutor attention, LmHeadExecutor lmHead,
              TapWriter taps, RecordWriter.Contents record, RecordWriter recordWriter) {
        super("sequencer", "checks the call, runs the program chunk by chunk an instruction at a time, writes the"
                + " call record");
        int beatBytes = shape.beatBytes();
        int tokenBits = bitsFor(shape.chunkTokens());
        phase = reg("phase", enumOf(Step.class), Step.IDLE);
        UInt error = reg("error_code", uint(8), 0);
        UInt detail = reg("error_detail", uint(32), 0);
        // Whether no error is recorded, a flag set with the error register (for timing: the code's compare lay in
        // front of most of the steps' choices); every error recorded is a code other than NONE.
        Bool ok = reg("no_error", bool(), 1);
        assertAlways(ok.eq(error.eq(ErrorCode.NONE.code())), "Sequencer: the no-error flag follows the error code");
        UInt dataPort = U(shape.portIndex("m_axi_d0"), 32);

        // ---- the header prefix: the words the kernel needs ----
        UInt beat = reg("read_beat", uint(16), 0);
        Bool issued = reg("read_issued", bool(), 0);
        Bool headerBeat = phase.is(Step.HEADER).and(issued).and(reads.data.valid).named("header_beat");
        // The magic and the version are compared as their beat streams in, and only the outcome kept (for timing:
        // the 32-bit compares lay on the paths of CHECK's choice of the next step).
        Bool magicOk = headerCheck("magic_ok", ImageHeaderWords.MAGIC_AT, beatBytes, reads, beat, headerBeat,
                w -> w.eq(ImageHeaderWords.MAGIC));
        Bool versionOk = headerCheck("version_ok", ImageHeaderWords.VERSION_AT, beatBytes, reads, beat, headerBeat,
                w -> w.eq(ImageHeaderWords.VERSION));
        UInt programOffset = headerWord("program_offset", ImageHeaderWords.PROGRAM_OFFSET_AT, beatBytes, reads, beat,
                headerBeat);
        UInt programLength = headerWord("program_length", ImageHeaderWords.PROGRAM_INSTRUCTIONS_AT, beatBytes, reads,
                beat, headerBeat);
        UInt context = headerWord("context", ImageHeaderWords.CONTEXT_AT, beatBytes, reads, beat, headerBeat);
        UInt vocab = headerWord("vocab", ImageHeaderWords.VOCAB_AT, beatBytes, reads, beat, headerBeat);
        int headerBeats = ImageHeaderWords.PREFIX_BYTES / beatBytes;

        // ---- where things are ----
        // Sums of the call's registers and the header's words, registered: they change once a call (the header is
        // in before CHECK), and are first read in CAPACITY or by a unit, several cycles later.
        UInt logitsOffset = U(IoRegion.TOKENS_OFFSET, 64).add(align4k(context.resize(64).shl(2).trunc(64)))
                .trunc(64).named("logits_offset");
        UInt debugBase = regNext("debug_base", call.io.add(logitsOffset).trunc(64)
                .add(align4k(vocab.resize(64).shl(2).trunc(64))).trunc(64));
        Bool imageValid = magicOk.and(versionOk).named("image_valid");
        Bool tapping = call.debug.bit(DebugTaps.TAPS_BIT).and(imageValid).named("tapping");

        // ---- the chunk and the program counter ----
        UInt from = reg("chunk_from", uint(32), 0);
        UInt chunkTokens = reg("chunk_tokens", uint(tokenBits), 0);
        UInt pc = reg("pc", uint(32), 0);
        UInt executed = reg("instructions_executed", uint(32), 0);
        Bits word = reg("instruction_word", bits(Instruction.BITS), 0);
        UInt tokenIndex = reg("token_index", uint(32), 0);
        // The first token outside the vocabulary, noted while the tokens are read and reported as the call's error a
        // cycle after the last (for timing: the tokens' compares, through the picked word, lay on the path into
        // the error register, which every step's failure sets).
        Bool badTokenSeen = reg("bad_token_seen", bool(), 0);
        UInt badTokenIndex = reg("bad_token_index", uint(32), 0);
        UInt tokenWord = reg("token_word", uint(Math.max(1, log2Up(shape.fp32PerBeat()))), 0);
        UInt capacity = reg("tap_capacity", uint(32), 0);
        UInt tapUsed = reg("tap_used", uint(32), 0);
        UInt tapRecords = reg("tap_records", uint(32), 0);
        UInt tapDropped = reg("tap_dropped", uint(32), 0);

        // SETUP's registers.
        UInt headDim = reg("setup_head_dim", uint(16), 0);
        UInt heads = reg("setup_heads", uint(8), 0);
        UInt kvHeads = reg("setup_kv_heads", uint(8), 0);
        Bool ropeAdjacent = reg("setup_rope_adjacent", bool(), 0);
        UInt positions = reg("setup_positions", uint(32), 0);
        UInt ropeTable = reg("setup_rope_table", uint(32), 0);
        setup = new Setup(headDim, heads, kvHeads, ropeAdjacent, positions, ropeTable);

        // ---- reads of its own: the header, the tokens, the debug capacity, an instruction ----
        UInt tokenBytes = call.tokenCount.resize(35).shl(2).named("token_bytes");
        UInt tokenBeats = tokenBytes.add(beatBytes - 1).trunc(35).shr(KernelShape.shift(beatBytes))
                .named("token_beats");
        UInt fetchAddress = call.image.add(programOffset.resize(64)).trunc(64)
                .add(pc.resize(64).shl(KernelShape.shift(Instruction.BYTES)).trunc(64)).trunc(64)
                .named("fetch_address");
        // Whether pc is inside the program, kept with pc (for timing: the 32-bit compare lay on the paths of the
        // data port's command and the next step).
        Bool programLeft = reg("program_left", bool(), 0);
        assertAlways(phase.is(Step.FETCH).not().or(programLeft.eq(pc.lt(programLength))),
                "Sequencer: the program-left flag is current in FETCH");
        Bool fetching = phase.is(Step.FETCH).and(programLeft).named("fetching");
        Bool ownRead = phase.isOneOf(Step.HEADER, Step.TOKENS, Step.CAPACITY).or(fetching).named("own_read");
        when(ownRead.and(issued.not()), () -> {
            reads.command.valid.set(true);
            switchOn(phase)
                    .is(Step.HEADER, () -> {
                        reads.command.payload.address().set(call.image);
                        reads.command.payload.beats().set(headerBeats);
                    })
                    .is(Step.TOKENS, () -> {
                        reads.command.payload.address().set(call.io.add(U(IoRegion.TOKENS_OFFSET, 64)).trunc(64));
                        reads.command.payload.beats().set(tokenBeats.resize(widthOf(reads.command.payload.beats())));
                    })
                    .is(Step.CAPACITY, () -> {
                        reads.command.payload.address().set(debugBase);
                        reads.command.payload.beats().set(1);
                    })
                    .otherwise(() -> {
                        reads.command.payload.address().set(fetchAddress);
                        reads.command.payload.beats().set(shape.instructionBeats());
                    });
        });
        when(reads.command.fire().and(ownRead), () -> issued.set(true));
        // Whether token_index is the call's last token, kept with the index (for timing: the 32-bit compare lay on
        // the path into the data port's ready).
        Bool lastToken = reg("last_token", bool(), 0);
        // The call's token count less two, registered (for timing: the next token's index + 2, compared with the
        // count, lay in front of the last-token flag); the count holds still from the call's start.
        UInt tokenCountLess2 = Ahead.of("token_count_less_2", call.tokenCount.sub(2).trunc(32), phase.is(Step.TOKENS),
                "Sequencer");
        assertAlways(phase.is(Step.TOKENS).not().or(lastToken.eq(tokenIndex.add(1).trunc(32).eq(call.tokenCount))),
                "Sequencer: the last-token flag is current in TOKENS");
        // The token beats are taken with their last word (or the call's last token): one token a cycle.
        Bool lastTokenWord = (shape.fp32PerBeat() == 1 ? TRUE : tokenWord.eq(shape.fp32PerBeat() - 1))
                .or(lastToken).named("last_token_word");
        when(ownRead.and(issued), () -> reads.data.ready.set(phase.isNot(Step.TOKENS).or(lastTokenWord)));
        Bool ownBeat = ownRead.and(issued).and(reads.data.valid).named("own_beat");
        waitingForData = ownRead.and(issued).and(reads.data.valid.not()).named("waiting_for_data");
        when(ownBeat, () -> beat.set(beat.add(1).trunc(16)));

        // ---- the call's checks, in the reference device's order ----
        // The call's end position, a register (for timing: the sum lay in front of the context check's compare and
        // the call's end); the arguments hold still from the call's start, many cycles before CHECK reads it.
        UInt end = Ahead.of("call_end", call.startPosition.resize(33).add(call.tokenCount.resize(33)).trunc(33),
                phase.is(Step.CHECK).or(headerBeat), "Sequencer");
        // The call's own checks, registered (for timing: they lay in front of CHECK's choice and the error
        // register's enable); the arguments hold still from the call's start.
        Bool badCall = Ahead.of("bad_call", call.mode.gt(CallMode.DECODE.code()).or(call.tokenCount.eq(0))
                .or(call.mode.eq(CallMode.DECODE.code()).and(call.tokenCount.ne(1))), phase.is(Step.CHECK),
                "Sequencer");
        // Whether the call ends past the image's context, compared as the context's header beat streams in (for
        // timing: the 33-bit compare lay in front of CHECK's choice).
        Bool pastContext = headerCheck("past_context", ImageHeaderWords.CONTEXT_AT, beatBytes, reads, beat,
                headerBeat, w -> end.gt(w.resize(33)));

        // ---- the instruction ----
        UInt opcode = word.slice(Opcode.OPCODE_BITS - 1, 0).asUInt().named("opcode");
        // SETUP's checks, read in SETUP_CHECK: the head size's, the head grouping's and the cache length's in
        // registers of their own (for timing: the cache length's 32-bit compare and the grouping's enumeration lay
        // in front of each other).
        Bool setupBad = regNext("setup_bad_head_dim", badHeadDim(shape, word), 0)
                .or(regNext("setup_ungrouped", grouped(shape, word).not(), 0))
                .or(regNext("setup_short_cache", field(word, Opcode.SETUP, "context").lt(context), 0))
                .named("setup_bad");
        // Whether the chunk is the call's last, registered (for timing: the sum and the compare lay on the paths
        // of the taps' and the LM head's starts into the call's end). The chunk's size is set in CHUNK and used from
        // DECODE or CHUNK_END on, at least a cycle of FETCH later.
        Bool lastChunkNow = from.add(chunkTokens.resize(32)).trunc(32).eq(call.tokenCount);
        Bool lastChunk = Ahead.of("last_chunk", lastChunkNow, phase.isOneOf(Step.DECODE, Step.ISSUE, Step.EXECUTE,
                Step.BARRIER, Step.TAP, Step.NEXT, Step.CHUNK_END), "Sequencer");

        // The LINEAR executor has settled its prefetch, a cycle late (for timing: the TLMM's load flag lay on the
        // path into DRAIN's choice). No prefetch starts in DRAIN, so a settled executor stays settled there.
        Bool linearSettled = regNext("linear_settled_q", linear.settled, 0);
        assertAlways(phase.is(Step.DRAIN).and(linearSettled).not().or(linear.settled),
                "Sequencer: the LINEAR executor stays settled in DRAIN");

        // Embed's request.
        embed.request.dst().set(field(word, Opcode.EMBED, "dst"));
        embed.request.dim().set(field(word, Opcode.EMBED, "dim"));
        embed.request.table().set(field(word, Opcode.EMBED, "table"));
        embed.request.tokens().set(chunkTokens);
        embed.request.firstToken().set(from);
        embed.request.image().set(call.image);
        embed.request.io().set(call.io);

        // heads x head_dim, two cycles ahead (a DSP's input and output registers): SETUP's registers change in its
        // DECODE, read from a later instruction's DECODE on (its checks, its tap's size), at least four cycles on.
        UInt headWidth = Ahead.product("setup_head_width", heads, headDim, 32,
                phase.isOneOf(Step.DECODE, Step.ISSUE, Step.EXECUTE, Step.TAP), "Sequencer");

        // Attention's request.
        attention.request.src().set(field(word, Opcode.ATTENTION, "src"));
        attention.request.dst().set(field(word, Opcode.ATTENTION, "dst"));
        attention.request.layer().set(field(word, Opcode.ATTENTION, "layer"));
        attention.request.scale().set(field(word, Opcode.ATTENTION, "score_scale").asBits());
        attention.request.headDim().set(headDim);
        attention.request.heads().set(heads);
        attention.request.kvHeads().set(kvHeads);
        attention.request.headWidth().set(headWidth);
        attention.request.positions().set(positions);
        attention.request.tokens().set(chunkTokens);
        attention.request.firstPosition().set(call.startPosition.add(from).trunc(32));
        attention.request.kvCache().set(call.kvCache);

        // Quantize's request.
        quantize.request.src().set(field(word, Opcode.QUANTIZE, "src"));
        quantize.request.norm().set(field(word, Opcode.QUANTIZE, "norm").bit(0));
        quantize.request.length().set(field(word, Opcode.QUANTIZE, "length"));
        quantize.request.gain().set(field(word, Opcode.QUANTIZE, "gain"));
        quantize.request.eps().set(field(word, Opcode.QUANTIZE, "eps").asBits());
        quantize.request.tokens().set(chunkTokens);
        quantize.request.image().set(call.image);

        // Linear's request.
        linear.request.epilogue().set(field(word, Opcode.LINEAR, "epilogue"));
        linear.request.relu2().set(field(word, Opcode.LINEAR, "relu2").bit(0));
        linear.request.src().set(field(word, Opcode.LINEAR, "src"));
        linear.request.dst().set(field(word, Opcode.LINEAR, "dst"));
        linear.request.rows().set(field(word, Opcode.LINEAR, "rows"));
        linear.request.cols().set(field(word, Opcode.LINEAR, "cols"));
        linear.request.weights().set(field(word, Opcode.LINEAR, "weights"));
        linear.request.scale().set(field(word, Opcode.LINEAR, "scale").asBits());
        linear.request.tokens().set(chunkTokens);
        linear.request.image().set(call.image);
        linear.request.layer().set(field(word, Opcode.LINEAR, "layer"));
        linear.request.firstPosition().set(call.startPosition.add(from).trunc(32));
        linear.request.rotation().headDim().set(headDim);
        linear.request.rotation().adjacent().set(ropeAdjacent);
        linear.request.rotation().kvHeads().set(kvHeads);
        linear.request.rotation().positions().set(positions);
        linear.request.rotation().ropeTable().set(ropeTable);
        linear.request.rotation().kvCache().set(call.kvCache);

        // The LM head's request.
        lmHead.request.cols().set(field(word, Opcode.LM_HEAD, "cols"));
        lmHead.request.rows().set(field(word, Opcode.LM_HEAD, "rows"));
        lmHead.request.weights().set(field(word, Opcode.LM_HEAD, "weights"));
        lmHead.request.rowScales().set(field(word, Opcode.LM_HEAD, "row_scales"));
        lmHead.request.vocab().set(vocab);
        lmHead.request.lastChunk().set(lastChunk);
        lmHead.request.lastToken().set(chunkTokens.sub(1).trunc(tokenBits));
        lmHead.request.image().set(call.image);
        UInt logitsAddress = regNext("logits_address", call.io.add(logitsOffset).trunc(64));
        lmHead.request.logits().set(logitsAddress);

        // The unit running the instruction, and its end.
        // The opcode's decodes, captured with the word's first beat (for timing: the decodes lay in front of the
        // steps' choices and the taps' start).
        Bool firstWordBeat = fetching.and(ownBeat).and(beat.eq(0)).named("first_word_beat");
        UInt fetchedOpcode = reads.data.payload.data().slice(Opcode.OPCODE_BITS - 1, 0).asUInt()
                .named("fetched_opcode");
        Bool isEmbed = opcodeIs("is_embed", Opcode.EMBED, opcode, fetchedOpcode, firstWordBeat);
        Bool isQuantize = opcodeIs("is_quantize", Opcode.QUANTIZE, opcode, fetchedOpcode, firstWordBeat);
        Bool isAttention = opcodeIs("is_attention", Opcode.ATTENTION, opcode, fetchedOpcode, firstWordBeat);
        Bool isLmHead = opcodeIs("is_lm_head", Opcode.LM_HEAD, opcode, fetchedOpcode, firstWordBeat);
        Bool isLinear = opcodeIs("is_linear", Opcode.LINEAR, opcode, fetchedOpcode, firstWordBeat);
        Bool unitDone = embed.done.valid.or(quantize.done.valid).or(attention.done.valid).or(lmHead.done.valid)
                .or(linear.done.valid).named("unit_done");
        UInt unitCode = wire("unit_code", uint(8));
        unitCode.set(attention.done.payload);
        when(embed.done.valid, () -> unitCode.set(embed.done.payload));
        when(quantize.done.valid, () -> unitCode.set(quantize.done.payload));
        when(lmHead.done.valid, () -> unitCode.set(lmHead.done.payload));
        when(linear.done.valid, () -> unitCode.set(linear.done.payload));
        // The end and its code are registered before EXECUTE acts on them (for timing: a unit's end, the code's
        // multiplexer and its compares lay on one path into the next step and the call's end).
        Bool unitDoneQ = regNext("unit_done_q", unitDone, 0);
        UInt unitCodeQ = regNext("unit_code_q", unitCode, 0);

        // The tap of the instruction just executed (DebugTaps.tap): EMBED's is dim values of its destination per
        // token, QUANTIZE's the length int8 activations and m_c, ATTENTION's heads x head_dim values of its
        // destination.
        // The record's size is products of the instruction's fields and the SETUP registers, which change once an
        // instruction: it is computed in registered steps from DECODE on (tap_elements_q and tap_tokens_q, then
        // tap_value_bytes_q, then tap_bytes_q, then tap_fits), and TAP waits until the last step has its value.
        UInt tapElementsOf = wire("tap_elements_of", uint(32));
        tapElementsOf.set(headWidth);
        when(isEmbed, () -> tapElementsOf.set(field(word, Opcode.EMBED, "dim").resize(32)));
        when(isQuantize, () -> tapElementsOf.set(field(word, Opcode.QUANTIZE, "length").resize(32).add(1).trunc(32)));
        when(isLmHead, () -> tapElementsOf.set(field(word, Opcode.LM_HEAD, "rows")));
        when(isLinear, () -> tapElementsOf.set(field(word, Opcode.LINEAR, "rows").resize(32)));
        UInt tapElements = regNext("tap_elements_q", tapElementsOf);
        UInt tapTokens = regNext("tap_tokens_q", mux(isLmHead, U(1, tokenBits), chunkTokens));
        UInt tapDst = wire("tap_dst_of", uint(4));
        tapDst.set(field(word, Opcode.ATTENTION, "dst"));
        when(isEmbed, () -> tapDst.set(field(word, Opcode.EMBED, "dst")));
        when(isLinear, () -> tapDst.set(field(word, Opcode.LINEAR, "dst")));
        Bool hasTap = isEmbed.or(isQuantize).or(isAttention).or(isLinear).or(isLmHead.and(lastChunk))
                .named("has_tap");
        taps.request.quantized().set(isQuantize);
        taps.request.fromMemory().set(isLmHead);
        taps.request.source().set(logitsAddress);
        // tokens x elements x 4 bytes: the product on one DSP48E2, registered, summed a cycle later, from private
        // copies of the two registers. An instruction that reaches TAP has fewer than 2^24 elements (its unit
        // checked them), so one piece of the elements is the whole product; an assertion holds it.
        int elementBits = PartialProducts.PIECE_BITS;
        PartialProducts valueParts = PartialProducts.register("tap_value",
                PartialProducts.operandCopy("tap_value_tokens", mux(isLmHead, U(1, tokenBits), chunkTokens), 0),
                PartialProducts.operandCopy("tap_value_elements", tapElementsOf.resize(elementBits), 0), TRUE);
        assertAlways(phase.is(Step.TAP).not().or(tapElements.lt(1L << elementBits)),
                "Sequencer: a tapped instruction has fewer than 2^" + elementBits + " elements");
        UInt valueBytes = regNext("tap_value_bytes_q", valueParts.sum(32).resize(34).shl(2).trunc(34));
        UInt recordBytes = regNext("tap_bytes_q", U(DebugTaps.RECORD_HEADER_BYTES, 34)
                .add(valueBytes.add(DebugTaps.ALIGN - 1).trunc(34).shr(KernelShape.shift(DebugTaps.ALIGN))
                        .shl(KernelShape.shift(DebugTaps.ALIGN)).resize(34)).trunc(34));
        // tap_used and the capacity last changed before this instruction's DECODE; the area's header and the bytes
        // used are summed a cycle ahead (for timing: two additions lay in front of the compare).
        UInt usedWithHeader = Ahead.of("tap_used_with_header", U(DebugTaps.HEADER_BYTES, 35)
                .add(tapUsed.resize(35)).trunc(35), phase.is(Step.TAP), "Sequencer");
        Bool fits = regNext("tap_fits", usedWithHeader.add(recordBytes.resize(35)).trunc(35)
                .le(capacity.resize(35)).and(tapDropped.eq(0)));
        UInt tapAddress = regNext("tap_record_at", debugBase.add(U(DebugTaps.HEADER_BYTES, 64)).trunc(64)
                .add(tapUsed.resize(64)).trunc(64));
        // Cycles until tap_fits holds this instruction's value: set in DECODE, counted down to 0 (DECODE + 5).
        UInt tapSettling = reg("tap_settling", uint(3), 0);
        when(phase.is(Step.DECODE), () -> tapSettling.set(4))
                .elseWhen(tapSettling.ne(0), () -> tapSettling.set(tapSettling.sub(1).trunc(3)));
        taps.request.instruction().set(pc);
        taps.request.firstToken().set(from);
        taps.request.tokens().set(tapTokens);
        taps.request.elements().set(tapElements);
        taps.request.buffer().set(tapDst.resize(ActivationBuffers.BUFFER_ID_BITS));
        taps.request.address().set(tapAddress);
        taps.request.bytes().set(recordBytes.resize(32));
        Bool tapBusy = reg("tap_busy", bool(), 0);
        // Whether the data port's writes had landed a cycle ago, for TAP's wait for the logits (for timing: the
        // writers' offers, through the tap writer's own, lay on the path into the tap's start). While TAP waits no
        // writer runs (the unit is done, the tap writer and the record writer idle), so landed writes stay landed.
        Bool writesDrainedQ = regNext("data_writes_drained_q", writes.drained, 0);
        assertAlways(phase.is(Step.TAP).and(tapBusy.not()).and(writesDrainedQ).not().or(writes.drained),
                "Sequencer: the writes that had landed before TAP's wait are still landed");

        // ---- the next LINEAR, looked for while a LINEAR runs ----
        // The LINEAR leaves the data port free until its RoPE pass, so the LOOK_AHEAD instruction words after it are
        // read then, in one burst, and searched as they arrive for the next LINEAR past those that read no weights
        // (QUANTIZE, BARRIER, ATTENTION); when one is found, the linear executor has its weights prefetched
        // (docs/kernel.md, "Running ahead"). A word read so is only a hint: every instruction is still fetched in
        // its turn (FETCH), so everything else, and an error on that read, happens as before. A beat of this read
        // that comes back with an error is not counted against the call (the fetch in turn meets it) and voids the
        // search, and the instruction ends only once the read is in, so no beat of it reaches another reader.
        int wordBeats = shape.instructionBeats();
        Bool peekIssued = reg("peek_issued", bool(), 0);
        Bool peekBusy = reg("peek_busy", bool(), 0);
        Bool peekIn = reg("peek_in", bool(), 0);
        Bool peekFailed = reg("peek_failed", bool(), 0);
        Bool peekSearching = reg("peek_searching", bool(), 0);
        Bool peekFound = reg("peek_found", bool(), 0);
        UInt peekBeat = reg("peek_beat", uint(bitsFor(wordBeats)), 0);
        UInt peekBeatsLeft = reg("peek_beats_left", uint(bitsFor(LOOK_AHEAD * wordBeats)), 0);
        Bits peekWord = reg("peek_word", bits(Instruction.BITS), 0);
        UInt instructionsAfter = programLength.sub(pc.add(1).trunc(32)).trunc(32).named("instructions_after");
        UInt peekWords = mux(instructionsAfter.lt(LOOK_AHEAD), instructionsAfter.trunc(bitsFor(LOOK_AHEAD)),
                U(LOOK_AHEAD, bitsFor(LOOK_AHEAD))).named("peek_words");
        // The look-ahead's size and whether any instruction follows, registered (for timing: the subtraction from
        // the program's length and the clamp lay on the path into the data reader's command). The program counter
        // holds still from the fetch on, so they are current in EXECUTE.
        UInt peekBeatsNow = peekWords.timesConstant(wordBeats, widthOf(peekBeatsLeft));
        Bool moreNow = pc.add(1).trunc(32).lt(programLength);
        UInt peekAddressNow = fetchAddress.add(Instruction.BYTES).trunc(64);
        UInt peekBeats = regNext("peek_beats", peekBeatsNow, 0);
        Bool moreInstructions = regNext("more_instructions", moreNow, 0);
        UInt peekAddress = regNext("peek_address", peekAddressNow, 0);
        assertAlways(phase.is(Step.EXECUTE).not().or(peekBeats.eq(peekBeatsNow).and(moreInstructions.eq(moreNow))
                        .and(peekAddress.eq(peekAddressNow))), "Sequencer: the look-ahead is current in EXECUTE");
        Bool peekWanted = phase.is(Step.EXECUTE).and(isLinear).and(peekIssued.not())
                .and(moreInstructions).and(linear.readsFree).named("peek_wanted");
        when(peekWanted, () -> {
            reads.command.valid.set(true);
            reads.command.payload.address().set(peekAddress);
            reads.command.payload.beats().set(peekBeats.resize(widthOf(reads.command.payload.beats())));
        });
        when(peekWanted.and(reads.command.ready), () -> {
            peekIssued.set(true);
            peekBusy.set(true);
            peekBeat.set(0);
            peekBeatsLeft.set(peekBeats);
            peekFailed.set(false);
            peekSearching.set(true);
            peekFound.set(false);
        });
        when(peekBusy, () -> reads.data.ready.set(true));
        reads.quiet.set(peekBusy);
        // A word's opcode is in its first beat: a register by its last beat, unless the word is one beat.
        UInt arrivingOpcode = (wordBeats == 1 ? reads.data.payload.data() : peekWord)
                .slice(Opcode.OPCODE_BITS - 1, 0).asUInt().named("peek_arriving_opcode");
        when(peekBusy.and(reads.data.valid), () -> {
            when(peekSearching, () -> {
                for (int b = 0; b < wordBeats; b++) {
                    int index = b;
                    when(peekBeat.resize(16).eq(b), () -> peekWord.slice(8 * beatBytes * (index + 1) - 1,
                            8 * beatBytes * index).set(reads.data.payload.data()));
                }
            });
            when(reads.data.payload.error(), () -> peekFailed.set(true));
            peekBeat.set(mux(peekBeat.eq(wordBeats - 1), U(0, widthOf(peekBeat)),
                    peekBeat.add(1).trunc(widthOf(peekBeat))));
            when(peekBeat.eq(wordBeats - 1).and(peekSearching), () -> {
                Bool passable = arrivingOpcode.eq(Opcode.QUANTIZE.code()).or(arrivingOpcode.eq(Opcode.BARRIER.code()))
                        .or(arrivingOpcode.eq(Opcode.ATTENTION.code()));
                peekFound.set(arrivingOpcode.eq(Opcode.LINEAR.code()));
                peekSearching.set(passable);
            });
            peekBeatsLeft.set(peekBeatsLeft.sub(1).trunc(widthOf(peekBeatsLeft)));
            when(peekBeatsLeft.eq(1), () -> {
                peekBusy.set(false);
                peekIn.set(true);
            });
        });
        linear.readsLent.set(peekBusy);
        Bool peekLinear = peekIn.and(peekFound).and(peekFailed.not()).named("peek_linear");
        linear.peek.valid().set(peekLinear);
        linear.peek.rows().set(field(peekWord, Opcode.LINEAR, "rows"));
        linear.peek.cols().set(field(peekWord, Opcode.LINEAR, "cols"));
        linear.peek.weights().set(field(peekWord, Opcode.LINEAR, "weights"));
        when(linear.peekTaken, () -> peekIn.set(false));
        when(phase.is(Step.DECODE), () -> {
            peekIssued.set(false);
            peekIn.set(false);
        });
        // The call's end drops whatever was prefetched; it ends once the weight ports read nothing more.
        // Registered (for timing: the step's decode lay on the path into the weight loader); from DRAIN's first
        // cycle, and DRAIN waits until the LINEAR executor has settled whatever it prefetched meanwhile.
        linear.dropPrefetch.set(regNext("drop_prefetch", phase.isOneOf(Step.RECORD, Step.DRAIN), 0));

        switchOn(phase)
                .is(Step.IDLE, () -> when(call.start, () -> {
                    lmHead.clear.set(true);
                    error.set(ErrorCode.NONE.code());
                    ok.set(true);
                    detail.set(0);
                    badTokenSeen.set(false);
                    executed.set(0);
                    tapUsed.set(0);
                    tapRecords.set(0);
                    tapDropped.set(0);
                    capacity.set(0);
                    beat.set(0);
                    issued.set(false);
                    phase.set(Step.HEADER);
                }))
                .is(Step.HEADER, () -> when(ownBeat.and(beat.eq(headerBeats - 1)), () -> {
                    issued.set(false);
                    phase.set(Step.CHECK);
                }))
                .is(Step.CHECK, () -> {
                    tokenIndex.set(0);
                    lastToken.set(call.tokenCount.eq(1));
                    tokenWord.set(0);
                    phase.set(Step.TOKENS);
                    when(reads.failed, () -> fail(error, detail, ok, phase, ErrorCode.DDR_ERROR, dataPort))
                            .elseWhen(magicOk.not(), () ->
                                    fail(error, detail, ok, phase, ErrorCode.BAD_IMAGE,
                                            U(ImageHeaderWords.MAGIC_AT / 4, 32)))
                            .elseWhen(versionOk.not(), () ->
                                    fail(error, detail, ok, phase, ErrorCode.BAD_IMAGE,
                                            U(ImageHeaderWords.VERSION_AT / 4, 32)))
                            .elseWhen(badCall, () ->
                                    fail(error, detail, ok, phase, ErrorCode.BAD_CALL, call.tokenCount))
                            .elseWhen(pastContext, () ->
                                    fail(error, detail, ok, phase, ErrorCode.CONTEXT_OVERFLOW, end.trunc(32)));
                })
                .is(Step.TOKENS, () -> when(ownBeat, () -> {
                    // Every word of the beat compared with the vocabulary, then the token's outcome picked (for
                    // timing: picking the word first put the multiplexer in front of the compare's carry chain).
                    List<Bool> outsides = new ArrayList<>();
                    for (int i = 0; i < shape.fp32PerBeat(); i++) {
                        outsides.add(reads.data.payload.data().slice(32 * i + 31, 32 * i).asUInt().ge(vocab)
                                .named("token_outside_" + i));
                    }
                    Bool outside = (outsides.size() == 1 ? outsides.getFirst()
                            : new Vec<>(outsides).get("token_outside_picked", tokenWord)).named("token_outside");
                    when(badTokenSeen.not().and(outside), () -> {
                        badTokenSeen.set(true);
                        badTokenIndex.set(tokenIndex);
                    });
                    tokenIndex.set(tokenIndex.add(1).trunc(32));
                    lastToken.set(tokenIndex.eq(tokenCountLess2));
                    tokenWord.set(tokenWord.add(1).trunc(widthOf(tokenWord)));
                    when(lastToken, () -> {
                        issued.set(false);
                        beat.set(0);
                        from.set(0);
                        phase.set(Step.TOKENS_CHECKED);
                    });
                }))
                // A cycle after the last token: the first token outside the vocabulary, if any, is the call's error
                // (before a failed read of the tokens, as when it was set as it was read).
                .is(Step.TOKENS_CHECKED, () -> when(badTokenSeen, () ->
                                fail(error, detail, ok, phase, ErrorCode.BAD_TOKEN, badTokenIndex))
                        .elseWhen(reads.failed, () -> fail(error, detail, ok, phase, ErrorCode.DDR_ERROR, dataPort))
                        .elseWhen(tapping, () -> phase.set(Step.CAPACITY))
                        .otherwise(() -> phase.set(Step.CHUNK)))
                .is(Step.CAPACITY, () -> when(ownBeat, () -> {
                    capacity.set(reads.data.payload.data().slice(31, 0).asUInt());
                    phase.set(Step.CHUNK);
                }))
                .is(Step.CHUNK, () -> {
                    UInt left = call.tokenCount.sub(from).trunc(32).named("tokens_left");
                    chunkTokens.set(mux(left.gt(shape.chunkTokens()), U(shape.chunkTokens(), tokenBits),
                            left.resize(tokenBits)));
                    pc.set(0);
                    programLeft.set(programLength.ne(0));
                    beat.set(0);
                    issued.set(false);
                    phase.set(Step.FETCH);
                })
                .is(Step.FETCH, () -> {
                    when(programLeft.not(), () -> phase.set(Step.CHUNK_END))
                            .elseWhen(ownBeat, () -> {
                                for (int b = 0; b < shape.instructionBeats(); b++) {
                                    int index = b;
                                    when(beat.resize(16).eq(b), () -> word.slice(8 * beatBytes * (index + 1) - 1,
                                            8 * beatBytes * index).set(reads.data.payload.data()));
                                }
                                when(beat.eq(shape.instructionBeats() - 1), () -> {
                                    executed.set(executed.add(1).trunc(32));
                                    phase.set(Step.DECODE);
                                });
                            });
                })
                // SETUP's fields are checked a cycle after DECODE, on a register (for timing: the fields' compares
                // lay on the path into the call's end).
                .is(Step.SETUP_CHECK, () -> {
                    phase.set(Step.NEXT);
                    when(setupBad, () -> fail(error, detail, ok, phase, ErrorCode.BAD_FIELD, pc));
                })
                .is(Step.DECODE, () -> {
                    phase.set(Step.NEXT);
                    when(reads.failed, () -> fail(error, detail, ok, phase, ErrorCode.DDR_ERROR, dataPort))
                            .elseWhen(opcode.eq(Opcode.END.code()), () -> phase.set(Step.CHUNK_END))
                            .elseWhen(opcode.eq(Opcode.SETUP.code()), () -> {
                                headDim.set(field(word, Opcode.SETUP, "head_dim"));
                                heads.set(field(word, Opcode.SETUP, "heads"));
                                kvHeads.set(field(word, Opcode.SETUP, "kv_heads"));
                                ropeAdjacent.set(field(word, Opcode.SETUP, "rope_adjacent").bit(0));
                                positions.set(field(word, Opcode.SETUP, "context"));
                                ropeTable.set(field(word, Opcode.SETUP, "rope_table"));
                                phase.set(Step.SETUP_CHECK);
                            })
                            .elseWhen(opcode.eq(Opcode.BARRIER.code()), () -> phase.set(Step.BARRIER))
                            .elseWhen(isEmbed.or(isQuantize).or(isLinear).or(isLmHead).or(isAttention),
                                    () -> phase.set(Step.ISSUE))
                            .otherwise(() -> fail(error, detail, ok, phase, ErrorCode.UNKNOWN_OPCODE, pc));
                })
                // The unit starts a cycle after DECODE (for timing: its checks of the request's fields are registers
                // computed from the instruction word in DECODE, not logic in front of its first step).
                .is(Step.ISSUE, () -> {
                    embed.start.set(isEmbed);
                    quantize.start.set(isQuantize);
                    linear.start.set(isLinear);
                    lmHead.start.set(isLmHead);
                    attention.start.set(isAttention);
                    phase.set(Step.EXECUTE);
                })
                .is(Step.EXECUTE, () -> when(unitDoneQ, () -> {
                    phase.set(Step.TAP);
                    when(reads.failed, () -> fail(error, detail, ok, phase, ErrorCode.DDR_ERROR, dataPort))
                            .elseWhen(unitCodeQ.eq(ErrorCode.DDR_ERROR.code()), () ->
                                    fail(error, detail, ok, phase, ErrorCode.DDR_ERROR,
                                            U(shape.portIndex(shape.kvPort()), 32)))
                            .elseWhen(unitCodeQ.eq(ErrorCode.CONTEXT_OVERFLOW.code()), () ->
                                    fail(error, detail, ok, phase, ErrorCode.CONTEXT_OVERFLOW,
                                            call.startPosition.add(call.tokenCount).trunc(32)))
                            .elseWhen(unitCodeQ.ne(ErrorCode.NONE.code()), () -> {
                                error.set(unitCodeQ);
                                ok.set(false);
                                detail.set(pc);
                                phase.set(Step.RECORD);
                            });
                }))
                .is(Step.BARRIER, () -> when(writes.drained, () -> phase.set(Step.NEXT)))
                .is(Step.TAP, () -> {
                    when(tapping.not().or(hasTap.not()), () -> phase.set(Step.NEXT))
                            .elseWhen(tapSettling.ne(0), () -> {
                                // the record's size and place are still being computed
                            })
                            .elseWhen(tapBusy.not().and(isLmHead).and(writesDrainedQ.not()), () -> {
                                // the logits are read back for the record once they have landed
                            })
                            .elseWhen(tapBusy.not(), () -> {
                                when(fits, () -> {
                                    taps.start.set(true);
                                    tapBusy.set(true);
                                }).otherwise(() -> {
                                    tapDropped.set(tapDropped.add(1).trunc(32));
                                    phase.set(Step.NEXT);
                                });
                            })
                            .elseWhen(taps.finished, () -> {
                                tapBusy.set(false);
                                tapUsed.set(tapUsed.add(recordBytes.resize(32)).trunc(32));
                                tapRecords.set(tapRecords.add(1).trunc(32));
                                phase.set(Step.NEXT);
                            });
                })
                .is(Step.NEXT, () -> {
                    pc.set(pc.add(1).trunc(32));
                    programLeft.set(moreNow);
                    beat.set(0);
                    issued.set(false);
                    phase.set(Step.FETCH);
                })
                .is(Step.CHUNK_END, () -> {
                    from.set(from.add(chunkTokens.resize(32)).trunc(32));
                    phase.set(mux(lastChunk, HwEnum.constant(Step.RECORD), HwEnum.constant(Step.CHUNK)));
                })
                .is(Step.RECORD, () -> {
                    recordWriter.start.set(true);
                    phase.set(Step.DRAIN);
                })
                .is(Step.DRAIN, () -> when(recordDone(recordWriter).and(writes.drained).and(linearSettled), () -> {
                    when(ok.and(writes.failed), () -> {
                        error.set(ErrorCode.DDR_ERROR.code());
                        ok.set(false);
                        detail.set(dataPort);
                    });
                    phase.set(Step.FINISH);
                }))
                .is(Step.FINISH, () -> {
                    call.finish.set(true);
                    phase.set(Step.IDLE);
                });

        call.result.errorCode().set(error);
        call.result.errorDetail().set(detail);
        call.result.position().set(mux(ok, end.trunc(32), call.startPosition));
        call.result.instructions().set(executed);
        call.result.argmax().set(lmHead.argmax);

        record.status().set(mux(ok, U(1, 32), U(2, 32)));
        record.errorCode().set(error.resize(32));
        record.errorDetail().set(detail);
        record.position().set(mux(ok, end.trunc(32), call.startPosition));
        record.instructions().set(executed);
        record.argmax().set(lmHead.argmax);
        record.cycles().set(call.cycles);
        record.ddrBusyCycles().set(call.ddrBusyCycles);
        record.stallCycles().set(call.stallCycles);
        record.tapping().set(tapping);
        record.tapRecords().set(tapRecords);
        record.tapUsed().set(tapUsed);
        record.tapDropped().set(tapDropped);
        record.recordAddress().set(call.io);
        record.areaAddress().set(debugBase);
    }

    private Bool recordWritten;

    /** True from the record writer's last word until the next call's record starts. */
    private Bool recordDone(RecordWriter writer) {
        if (recordWritten == null) {
            Bool written = reg("record_written", bool(), 0);
            when(writer.start, () -> written.set(false)).elseWhen(writer.finished, () -> written.set(true));
            recordWritten = written.or(writer.finished).named("record_done");
        }
        return recordWritten;
    }

    private static void fail(UInt error, UInt detail, Bool ok, HwEnum<Step> phase, ErrorCode code, UInt where) {
        error.set(code.code());
        ok.set(false);
        detail.set(where.resize(32));
        phase.set(Step.RECORD);
    }

    /** SETUP's head size check: even, not 0, within the build's maximum. */
    private static Bool badHeadDim(KernelShape shape, Bits word) {
        UInt headDim = field(word, Opcode.SETUP, "head_dim");
        // heads x head_dim above the build's limits.heads() x limits.headDim() needs heads or head_dim above its
        // maximum, which the checks here refuse already (grouped only for heads up to limits.heads()): no product.
        return headDim.eq(0).or(headDim.gt(shape.config().limits().headDim())).or(headDim.bit(0))
                .named("setup_bad_head_dim_now");
    }

    /** Whether SETUP's heads are a multiple of its KV heads, both within the build's maxima. */
    private static Bool grouped(KernelShape shape, Bits word) {
        var limits = shape.config().limits();
        UInt heads = field(word, Opcode.SETUP, "heads");
        UInt kvHeads = field(word, Opcode.SETUP, "kv_heads");
        // heads % kvHeads == 0, enumerated over the build's maxima (a handful of comparators, no divider).
        Bool grouped = FALSE;
        for (int k = 1; k <= limits.kvHeads(); k++) {
            for (int h = k; h <= limits.heads(); h += k) {
                grouped = grouped.or(kvHeads.eq(k).and(heads.eq(h)));
            }
        }
        return grouped.named("setup_grouped_now");
    }

    /**
     * Whether the instruction word's opcode is {@code op}: a flag set from the arriving opcode as the word's first
     * beat is taken, with the word's bits (so always equal to the decode of the word register, which an assertion
     * holds).
     */
    private static Bool opcodeIs(String name, Opcode op, UInt opcode, UInt arriving, Bool firstBeat) {
        Bool flag = reg(name, bool(), op.code() == 0 ? 1 : 0);
        when(firstBeat, () -> flag.set(arriving.eq(op.code())));
        assertAlways(flag.eq(opcode.eq(op.code())), "Sequencer: " + name + " follows the instruction word");
        return flag;
    }

    /** The field {@code name} of {@code opcode} in the instruction word, unsigned. */
    static UInt field(Bits word, Opcode opcode, String name) {
        var f = opcode.field(name);
        return word.slice(f.lsb() + f.width() - 1, f.lsb()).asUInt();
    }

    /** A header word, captured from the beat that holds it as the header prefix streams in. */
    private static UInt headerWord(String name, int offset, int beatBytes, DataReads reads, UInt beat,
                                   Bool headerBeat) {
        return headerCapture(name, uint(32), offset, beatBytes, reads, beat, headerBeat, w -> w);
    }

    /** {@code check} of the header word at {@code offset}, evaluated as its beat streams in and kept. */
    private static Bool headerCheck(String name, int offset, int beatBytes, DataReads reads, UInt beat,
                                    Bool headerBeat, Function<UInt, Bool> check) {
        return headerCapture(name, bool(), offset, beatBytes, reads, beat, headerBeat, check);
    }

    /**
     * {@code of} the header word at {@code offset}, computed in the beat that holds it as the header prefix streams
     * in and kept in a register {@code header_<name>} shaped like {@code template}.
     */
    private static <T> T headerCapture(String name, T template, int offset, int beatBytes, DataReads reads, UInt beat,
                                       Bool headerBeat, Function<UInt, T> of) {
        T held = reg("header_" + name, template, 0);
        int lsb = 8 * (offset % beatBytes);
        when(headerBeat.and(beat.eq(offset / beatBytes)), () ->
                assign(held, of.apply(reads.data.payload.data().slice(lsb + 31, lsb).asUInt())));
        return held;
    }

    private static UInt align4k(UInt bytes) {
        return bytes.add(4095).trunc(64).shr(12).shl(12).resize(64);
    }
}
