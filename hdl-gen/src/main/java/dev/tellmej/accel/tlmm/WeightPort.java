package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.ByteGearbox;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import dev.tellmej.hdl.lib.axi.AxiBurstConfig;
import dev.tellmej.hdl.lib.axi.AxiBurstReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One AXI4 read port of the weight streamer: it reads a region of packed index words from DDR in bursts,
 * re-cuts the beats into index words, unpacks their trits into 5-bit indices, and writes them into the
 * weight buffer, {@link TlmmConfig#wordsPerCycle()} words (row lanes) per cycle.
 *
 * <p>A load ({@link #start}) names the region (address and beats), how many index words it holds, the tile's
 * row groups and blocks, the size class of the last block's words, and the buffer half to fill. An
 * {@link AxiBurstReader} reads the region in bursts of {@link TlmmConfig#burstBeats()} beats, up to
 * {@link TlmmConfig#outstandingBursts()} in flight while its FIFO has room for their data, so the R channel
 * never stalls the interconnect. {@link #blocksDone} counts the blocks
 * written so far, letting compute start on a tile before it has all arrived; {@link #done} pulses when
 * the last word is written, after which the padding left in the gearbox is dropped.
 *
 * <p>Write side: {@link #write} carries the buffer address, the lane pair (lanes 2j and 2j + 1 of this port,
 * or lane j with one word per cycle) and the words, each as {@link TlmmConfig#bufferWordsPerIndexWord()}
 * 72-bit buffer words of 14 indices (index 14w + s in bits 5s + 4 .. 5s of buffer word w).
 */
public final class WeightPort extends Module {
    /** Parameters of one load. */
    public record Load(UInt address, UInt beats, UInt words, UInt groups, UInt blocks, UInt lastClass, Bool half) {}

    /** One write into the buffer. */
    public record Write(UInt address, UInt lanePair, Bits words) {}

    public final Flow<Load> start;
    /** Pulses when a load has ended and its bursts have all completed (the port is idle again). */
    public final Bool done;
    /** With {@link #done}: the load's command was inconsistent (refused, or its beats did not match its words). */
    public final Bool error;
    /** No load, no burst in flight, nothing to drain: a new load may start. */
    public final Bool idle;
    public final UInt blocksDone;
    public final Axi4 axi;
    public final Flow<Write> write;

    public WeightPort(TlmmConfig config) {
        param("t", config.tables());
        param("q", config.columns());
        param("p", config.ports());
        param("w", config.portDataBits());
        int beatBytes = config.beatBytes();
        int perCycle = config.wordsPerCycle();
        int bufferWordBits = 72 * config.bufferWordsPerIndexWord();
        int addressBits = log2Up(config.bufferDepth());
        int pairs = config.lanesPerPort() / perCycle;

        start = in("start", Flow.of(new Load(uint(64), uint(32), uint(32), uint(16), uint(16), uint(2), bool())));
        done = out("done", bool());
        error = out("error", bool());
        idle = out("idle", bool());
        blocksDone = out("blocks_done", uint(16));
        axi = out("m_axi", Axi4.master(Axi4Config.of(config.portDataBits())));
        write = out("write", Flow.of(new Write(uint(addressBits), uint(Math.max(1, log2Up(pairs))),
                bits(perCycle * bufferWordBits))));

        // ---- the load in progress ----
        // A port is reused only when idle: no load, no burst of the last one in flight, nothing left to drain.
        // Its command is checked first: a load that is empty, not in whole cycles of words, or not beat-aligned
        // is refused (error, done at once) and never reaches the reader.
        AxiBurstReader reader = instance("reader", new AxiBurstReader(AxiBurstConfig.of(
                Axi4Config.of(config.portDataBits()), config.burstBeats(), config.outstandingBursts())));
        forward(axi, reader.axi);
        Bool loading = reg("loading", bool(), 0);
        Bool draining = reg("draining", bool(), 0);
        Load load = reg("load", templateOf(start.payload));
        Bool beatAligned = start.payload.address().slice(log2Up(beatBytes) - 1, 0).eq(0);
        Bool wholeCycles = perCycle == 1 ? TRUE : start.payload.words().slice(log2Up(perCycle) - 1, 0).eq(0);
        Bool consistent = start.payload.beats().ne(0).and(start.payload.words().ne(0)).and(wholeCycles)
                .and(beatAligned).named("load_consistent");
        Bool accepted = start.valid.and(consistent).named("load_accepted");
        Bool refused = start.valid.and(consistent.not()).named("load_refused");
        when(accepted, () -> {
            loading.set(true);
            assign(load, start.payload);
        });
        idle.set(loading.not().and(draining.not()).and(reader.idle));
        assertAlways(start.valid.not().or(idle), "WeightPort: a load starts only on an idle port (no burst of the"
                + " previous load in flight)");

        // ---- DDR reads: the library's burst reader (bursts while its FIFO has room for their data) ----
        // The port is idle, so the reader is too and takes the command at once.
        reader.command.valid.set(accepted);
        reader.command.payload.address().set(start.payload.address());
        reader.command.payload.beats().set(start.payload.beats());
        assertAlways(accepted.not().or(reader.command.ready), "WeightPort: the reader takes a load's command at"
                + " once (the previous load's bursts have all been issued)");

        // ---- read data into the gearbox; after the load, beats it did not need are dropped ----
        int[] sizes = distinctPairSizes(config);
        ByteGearbox gearbox = instance("gearbox", new ByteGearbox(beatBytes, sizes));
        gearbox.in.valid.set(reader.data.valid.and(loading));
        gearbox.in.payload.set(reader.data.payload.data());
        reader.data.ready.set(mux(loading, gearbox.in.ready, TRUE));

        // ---- position of the next words: lane pair, row group, block ----
        UInt lanePair = reg("lane_pair", uint(Math.max(1, log2Up(pairs))), 0);
        UInt group = reg("group", uint(16), 0);
        UInt block = reg("block", uint(16), 0);
        UInt blockBase = reg("block_base", uint(addressBits), 0);
        // The words still to come, with a flag for "this cycle's words are the last" kept beside the count (for
        // timing: a 32-bit sum and compare lay between the gearbox's hand-over and its clear).
        UInt wordsRemaining = reg("words_remaining", uint(32), 0);
        Bool finalWords = reg("final_words", bool(), 0);
        assertAlways(loading.not().or(finalWords.eq(wordsRemaining.eq(perCycle))), "WeightPort: the final-words flag"
                + " follows the count of words left");
        UInt blocksFinished = reg("blocks_finished", uint(16), 0);
        // Counted when the words leave the gearbox; they reach the buffer three edges later (the taken bytes,
        // the write register, then the RAM), so the count is shown then, and a read issued on it sees the words.
        // A new load clears the whole delay line at once, so no stale count of the last load shows.
        UInt countedOnce = reg("blocks_done_d", uint(16), 0);
        UInt countedTwice = reg("blocks_done_d2", uint(16), 0);
        UInt countedThrice = reg("blocks_done_q", uint(16), 0);
        when(start.valid, () -> {
            countedOnce.set(0);
            countedTwice.set(0);
            countedThrice.set(0);
        }).otherwise(() -> {
            countedOnce.set(blocksFinished);
            countedTwice.set(countedOnce);
            countedThrice.set(countedTwice);
        });
        blocksDone.set(countedThrice);
        // Whether the words are the last block's, kept as a flag beside the count (for timing: a subtraction and
        // a compare with the load's block count lay on the path into the gearbox's size and its hand-over).
        Bool lastBlock = reg("last_block", bool(), 0);
        UInt lastGroupIndex = reg("last_group_index", uint(16), 0);

        UInt sizeClass = blockClass(lastBlock, load.lastClass()).named("size_class");
        // The gearbox's size is a register set with the flag (the select from the load's class lay on the path
        // into the gearbox's hand-over); a simulation assertion holds it equal to the select of size_class.
        UInt sizeSelect = sizes.length > 1 ? reg("size_select", uint(log2Up(sizes.length)), 0) : null;
        if (sizeSelect != null) {
            gearbox.size.set(sizeSelect);
            assertAlways(loading.not().or(sizeSelect.eq(sizeIndex(config, sizes, sizeClass))),
                    "WeightPort: the gearbox's size follows the block's size class");
        }
        when(accepted, () -> {
            Bool first = start.payload.blocks().eq(1);
            lastBlock.set(first);
            if (sizeSelect != null) {
                sizeSelect.set(sizeIndex(config, sizes, blockClass(first, start.payload.lastClass())));
            }
            lastGroupIndex.set(start.payload.groups().sub(1).trunc(16));
        });
        // A load ends with its last words, so a loading port always has words left.
        Bool wordsLeft = loading;
        assertAlways(loading.not().or(wordsRemaining.ne(0)), "WeightPort: a loading port has words left");
        gearbox.out.ready.set(wordsLeft);
        Bool take = gearbox.out.fire().named("take");

        UInt bufferAddress = cat(load.half(), U(0, addressBits - 1)).asUInt().add(blockBase.add(group.resize(addressBits)))
                .named("buffer_address");
        // The words handed over, registered as bytes with their size class and place (for timing: the unpacking's
        // trits and indices lay behind the gearbox's window and shift).
        Bool taken = regNext("taken_valid", take, 0);
        Bits takenBytes = regNextWhen("taken_bytes", gearbox.out.payload, take);
        UInt takenClass = regNextWhen("taken_size_class", sizeClass, take);
        UInt takenAddress = regNextWhen("taken_address", bufferAddress, take);
        UInt takenLanePair = regNextWhen("taken_lane_pair", lanePair, take);

        // ---- unpack the words taken a cycle ago ----
        List<Bits> words = new ArrayList<>();
        for (int k = 0; k < perCycle; k++) {
            words.add(unpack(config, takenBytes, k, takenClass, "word" + k));
        }
        Bits packedWords = perCycle == 1 ? words.getFirst() : cat(words.get(1), words.get(0));

        // Registered write: two cycles after the gearbox hands the words over.
        write.valid.set(regNext("write_q_valid", taken, 0));
        write.payload.address().set(regNextWhen("write_q_address", takenAddress, taken));
        write.payload.lanePair().set(regNextWhen("write_q_lane_pair", takenLanePair, taken));
        write.payload.words().set(regNextWhen("write_q_words", packedWords, taken));

        Bool lastPair = lanePair.eq(pairs - 1);
        Bool lastGroup = group.eq(lastGroupIndex);
        when(start.valid, () -> {
            lanePair.set(0);
            group.set(0);
            block.set(0);
            blockBase.set(0);
            wordsRemaining.set(start.payload.words());
            finalWords.set(start.payload.words().eq(perCycle));
            blocksFinished.set(0);
        }).elseWhen(take, () -> {
            wordsRemaining.set(wordsRemaining.sub(perCycle));
            finalWords.set(wordsRemaining.eq(2 * perCycle));
            when(lastPair, () -> {
                lanePair.set(0);
                when(lastGroup, () -> {
                    group.set(0);
                    block.set(block.add(1));
                    Bool nextLast = block.add(2).trunc(16).eq(load.blocks());
                    lastBlock.set(nextLast);
                    if (sizeSelect != null) {
                        sizeSelect.set(sizeIndex(config, sizes, blockClass(nextLast, load.lastClass())));
                    }
                    blockBase.set(blockBase.add(load.groups().resize(addressBits)));
                    blocksFinished.set(blocksFinished.add(1));
                }).otherwise(() -> group.set(group.add(1)));
            }).otherwise(() -> lanePair.set(lanePair.add(1)));
        });

        // The load ends when its last words are taken; the gearbox then drops the padding it holds. More beats
        // than words (the reader still busy then) or fewer (the reader done, words left and the gearbox without
        // a word) means an inconsistent command: the load ends with an error, and the port drains the surplus
        // before it is done, so no beat of it lands in the next load.
        Bool finishing = take.and(finalWords).named("finishing");
        // The reader's idle is taken a cycle late (for timing: its burst state lay on the path into the gearbox's
        // clear); a starved load stays starved, as no beat comes once the reader is idle, and the cycle of the
        // load's command counts as busy, so a new load is never taken for starved on the reader's old idle.
        Bool readerWasIdle = regNext("reader_was_idle", reader.idle.and(accepted.not()), 0);
        Bool starved = wordsLeft.and(readerWasIdle).and(gearbox.out.valid.not()).named("starved");
        Bool ended = finishing.or(starved).named("load_ended");
        when(ended, () -> loading.set(false));
        when(ended.and(reader.idle.not()), () -> draining.set(true));
        when(draining.and(reader.idle), () -> draining.set(false));
        Bool drained = ended.or(draining).and(reader.idle).named("drained");
        // The gearbox drops its padding a cycle after the load ends (for timing: the hand-over's decision lay on
        // the path into the clear); in that cycle the port is not loading, so the gearbox takes and gives nothing,
        // and a new load's first beat enters a cycle after its command, after the clear.
        Bool clearQ = regNext("gearbox_clear_q", ended, 0);
        gearbox.clear.set(clearQ);
        assertAlways(clearQ.not().or(gearbox.in.valid.not().and(gearbox.out.ready.not())), "WeightPort: the gearbox"
                + " is cleared in a cycle without traffic");
        Bool failed = refused.or(starved).or(finishing.and(reader.idle.not())).named("load_failed");
        Bool errorSeen = reg("error_seen", bool(), 0);
        when(start.valid, () -> errorSeen.set(false));
        when(failed, () -> errorSeen.set(true));
        Bool complete = drained.or(refused).named("load_complete");
        // Done and its error as the last words land in the buffer (three edges after they are taken).
        done.set(Delay.valid("done", complete, 3));
        error.set(Delay.valid("error", errorSeen.or(failed).and(complete), 3));
    }

    /** A block's size class: the load's last class for its last block, the full class (3) for the others. */
    private static UInt blockClass(Bool lastBlock, UInt lastClass) {
        return mux(lastBlock, lastClass, U(3, 2));
    }

    /** The gearbox's size input for a size class: the index of its cycle's bytes in {@code sizes} (two or more). */
    private static UInt sizeIndex(TlmmConfig config, int[] sizes, UInt sizeClass) {
        int bits = log2Up(sizes.length);
        UInt select = U(0, bits);
        for (int c = 0; c < 4; c++) {
            select = mux(sizeClass.eq(c), U(indexOf(sizes, config.wordsPerCycle() * config.quarterWordBytes(c)), bits),
                    select);
        }
        return select;
    }

    /** The distinct byte sizes of a cycle's words (one size class each), smallest first. */
    static int[] distinctPairSizes(TlmmConfig config) {
        return java.util.stream.IntStream.range(0, 4)
                .map(c -> config.wordsPerCycle() * config.quarterWordBytes(c)).distinct().sorted().toArray();
    }

    private static int indexOf(int[] sizes, int size) {
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] == size) {
                return i;
            }
        }
        throw new IllegalStateException("size " + size + " missing");
    }

    /**
     * Word {@code k} of the cycle as buffer words: its bytes start at k times the size class's word size; each
     * byte gives five digits, each three digits an index; indices past the class's count are zero.
     */
    private static Bits unpack(TlmmConfig config, Bits window, int k, UInt sizeClass, String name) {
        int wordBytes = config.indexWordBytes();
        Bits bytes = window.slice(8 * wordBytes - 1, 0);
        if (k > 0) {
            bytes = wire(name + "_bytes", bits(8 * wordBytes));
            Bits selected = window.slice(8 * (k * config.quarterWordBytes(0) + wordBytes) - 1, 8 * k * config.quarterWordBytes(0));
            for (int c = 1; c < 4; c++) {
                int offset = k * config.quarterWordBytes(c);
                selected = mux(sizeClass.eq(c), window.slice(8 * (offset + wordBytes) - 1, 8 * offset), selected);
            }
            bytes.set(selected);
        }
        List<Bits> digits = new ArrayList<>();
        for (int j = 0; j < wordBytes; j++) {
            ByteToTrits decoder = dev.tellmej.hdl.Hdl.instance(name + "_byte" + j, new ByteToTrits());
            decoder.packedByte.set(bytes.slice(8 * j + 7, 8 * j).asUInt());
            digits.add(decoder.digits);
        }
        List<Bits> reversed = new ArrayList<>(digits);
        java.util.Collections.reverse(reversed);
        Bits allDigits = cat(reversed.toArray(new Bits[0])).named(name + "_digits");
        int bufferWords = config.bufferWordsPerIndexWord();
        List<Bits> slots = new ArrayList<>();
        for (int i = 0; i < bufferWords * TlmmConfig.INDICES_PER_BUFFER_WORD; i++) {
            if (i >= config.tables()) {
                slots.add(B(0, TlmmConfig.INDEX_BITS));
                continue;
            }
            TritsToIndex index = dev.tellmej.hdl.Hdl.instance(name + "_index" + i, new TritsToIndex());
            index.digits.set(allDigits.slice(6 * i + 5, 6 * i));
            Bool present = FALSE;
            for (int c = 0; c < 4; c++) {
                if (i < config.quarterTables(c)) {
                    present = present.or(sizeClass.eq(c));
                }
            }
            slots.add(mux(present, index.index, U(0, TlmmConfig.INDEX_BITS)).asBits());
        }
        List<Bits> bufferWordList = new ArrayList<>();
        for (int w = bufferWords - 1; w >= 0; w--) {
            List<Bits> parts = new ArrayList<>();
            parts.add(B(0, 72 - TlmmConfig.INDICES_PER_BUFFER_WORD * TlmmConfig.INDEX_BITS));
            for (int s = TlmmConfig.INDICES_PER_BUFFER_WORD - 1; s >= 0; s--) {
                parts.add(slots.get(w * TlmmConfig.INDICES_PER_BUFFER_WORD + s));
            }
            bufferWordList.add(cat(parts.toArray(new Bits[0])));
        }
        return cat(bufferWordList.toArray(new Bits[0])).named(name + "_unpacked");
    }
}
