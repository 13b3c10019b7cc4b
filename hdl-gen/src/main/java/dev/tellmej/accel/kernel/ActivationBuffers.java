package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.protocol.OnChipBuffer;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Delay;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.fp.FpConvert;
import dev.tellmej.hdl.lib.fp.FpFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The on-chip activation buffers an instruction names ({@link OnChipBuffer}): one vector per token of the chunk,
 * held as binary32 values in words of W ({@link KernelShape#lanes()}) values. Value e of token t's vector is lane
 * {@code e mod W} of word {@code t x wordsPerToken + e div W}; each lane is its own block RAM bank, so a writer of
 * fewer than W values a cycle writes only their banks.
 *
 * <p>One write port and one read port, shared by the units in turn (the sequencer runs one instruction at a
 * time): a unit drives {@link #write} while it runs; the debug-tap writer reads through {@link #read} after it.
 * A read returns the word {@link #READ_LATENCY} cycles after its request, on {@link #readData}, where it stays
 * until the next read's word replaces it.
 *
 * <p>A read's request is registered before the banks, and every bank has an output register after its read
 * register (block RAM's DOB register, UltraRAM's OREG), for timing at the build's clock and because UltraRAM
 * needs it: a bank at least as deep as one URAM288
 * ({@value #ULTRA_DEPTH} words; kv260's GATE and FFN) is UltraRAM, the others block RAM.
 *
 * <p>For timing, a write is registered before it reaches the banks (it lands a cycle after its request; every
 * reader reads a word well after its write, and each word is read before it is written over), addresses are
 * shifts and adds of the token (no multiplier), and the word read is also offered rounded to the storage
 * format ({@link #readStored}) through a register and the format's rounding module per lane
 * ({@link FpConvert#fromFp32(String, dev.tellmej.hdl.lib.fp.FpFormat, Flow)}), {@link #storedReadLatency} cycles
 * after the request, for the readers that take stored values.
 */
final class ActivationBuffers extends Area {
    /** A write of some lanes of one word. */
    record Write(Bool valid, UInt buffer, UInt token, UInt word, Bits mask, Vec<Bits> values) {}

    /** A read of one word. */
    record Read(Bool valid, UInt buffer, UInt token, UInt word) {}

    final Write write;
    final Read read;
    /** The word a read asked for, {@link #READ_LATENCY} cycles after it. */
    final Vec<Bits> readData;
    /**
     * The same word rounded to the storage format (binary16 or bfloat16 bits), {@link #storedReadLatency}
     * cycles after the read; like {@link #readData} it stays until the next read's word replaces it.
     */
    final Vec<Bits> readStored;

    /**
     * Cycles from a read's request to its word on {@link #readData}: a fixed pipeline that never stalls, so a reader
     * may ask a word a cycle behind a credit buffer (QUANTIZE does) or wait between reads (the others).
     */
    static final int READ_LATENCY = 1 + 2;   // the request's register, then a bank's read and output registers
    /** Cycles from a read's request to its rounded word on {@link #readStored}: the word registered, then rounded. */
    final int storedReadLatency;
    /** Words of one URAM288 (4,096 x 72 bits): a bank this deep or deeper goes to UltraRAM. */
    static final int ULTRA_DEPTH = 4096;

    ActivationBuffers(KernelShape shape) {
        super("buffers", "the on-chip activation buffers: one vector per token of the chunk, W binary32 values a"
                + " word, a block RAM bank per lane");
        int lanes = shape.lanes();
        int tokenBits = bitsFor(shape.chunkTokens() - 1);
        int wordBits = bitsFor(maxWordsPerToken(shape) - 1);
        write = new Write(wire("buffer_write_valid", bool()), wire("buffer_write_id", uint(BUFFER_ID_BITS)),
                wire("buffer_write_token", uint(tokenBits)), wire("buffer_write_word", uint(wordBits)),
                wire("buffer_write_mask", bits(lanes)), wire("buffer_write_values", vec(lanes, bits(32))));
        read = new Read(wire("buffer_read_valid", bool()), wire("buffer_read_id", uint(BUFFER_ID_BITS)),
                wire("buffer_read_token", uint(tokenBits)), wire("buffer_read_word", uint(wordBits)));
        write.valid().set(false);
        write.buffer().set(0);
        write.token().set(0);
        write.word().set(0);
        write.mask().set(0);
        for (int lane = 0; lane < lanes; lane++) {
            write.values().get(lane).set(0);
        }
        read.valid().set(false);
        read.buffer().set(0);
        read.token().set(0);
        read.word().set(0);

        // The write, registered: the units' multiplexed write fields end at these registers.
        Bool writeValid = regNext("buffer_write_valid_q", write.valid(), 0);
        UInt writeBuffer = regNext("buffer_write_id_q", write.buffer());
        UInt writeToken = regNext("buffer_write_token_q", write.token());
        UInt writeWord = regNext("buffer_write_word_q", write.word());
        Bits writeMask = regNext("buffer_write_mask_q", write.mask());
        Vec<Bits> writeValues = regNext("buffer_write_values_q", write.values());
        // The read's request, registered before the banks (for timing: the readers' multiplexer and the address's
        // adder were one path into the banks' address): READ_LATENCY is this register and the bank's read.
        Bool readValid = regNext("buffer_read_valid_q", read.valid(), 0);
        UInt readRequested = regNext("buffer_read_request_id", read.buffer());
        UInt readToken = regNext("buffer_read_token_q", read.token());
        UInt readWord = regNext("buffer_read_request_word", read.word());
        UInt readBuffer = regNext("buffer_read_id_q2", regNextWhen("buffer_read_id_q", readRequested, readValid));
        List<List<Bits>> words = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            words.add(new ArrayList<>());
        }
        for (OnChipBuffer b : OnChipBuffer.values()) {
            String name = b.name().toLowerCase(java.util.Locale.ROOT);
            int perToken = shape.wordsPerToken(b);
            int depth = shape.words(b);
            int addressBits = bitsFor(depth - 1);
            UInt writeAddress = address(writeToken, writeWord, perToken, addressBits).named(name + "_write_address");
            UInt readAddress = address(readToken, readWord, perToken, addressBits).named(name + "_read_address");
            Bool writeHere = writeValid.and(writeBuffer.eq(b.id())).named(name + "_write");
            // Every buffer's banks read on any read (for timing: the buffer's compare lay on the path from the
            // readers' multiplexer into the banks' enables); the word picked is the named buffer's, so the other
            // buffers' reads change nothing a reader sees (readData stays until the next read either way).
            Bool readHere = readValid;
            for (int lane = 0; lane < lanes; lane++) {
                Mem<Bits> bank = mem(name + "_lane" + lane, bits(32), depth)
                        .style(depth >= ULTRA_DEPTH ? RamStyle.ULTRA : RamStyle.BLOCK);
                int l = lane;
                when(writeHere.and(writeMask.bit(lane)), () -> bank.write(writeAddress, writeValues.get(l)));
                words.get(lane).add(bank.readSync(name + "_lane" + lane + "_word", readAddress, readHere,
                        READ_LATENCY - 1));
            }
        }
        List<Bits> picked = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            picked.add(pick("buffer_lane" + lane + "_read", words.get(lane), readBuffer));
        }
        readData = new Vec<>(picked);

        // The word rounded to the storage format: the picked word registered, then each lane's rounding module,
        // whose registers hold the result while the word stays.
        Vec<Bits> pickedQ = regNext("buffer_read_word_q", readData);
        Bool anyRead = Delay.valid("buffer_read_landed", read.valid(), READ_LATENCY + 1);
        List<Bits> stored = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            stored.add(FpConvert.fromFp32("buffer_lane" + lane + "_round", shape.storage(),
                    new Flow<>(anyRead, pickedQ.get(lane))).payload);
        }
        readStored = new Vec<>(stored);
        storedReadLatency = READ_LATENCY + 1 + FpConvert.fromFp32Latency(shape.storage());
    }

    /**
     * A writer's whole-word write, registered with its place before it reaches the write multiplexer: for timing, a
     * writer's own logic (a queue's read, a widening, a select) and the multiplexer of every writer were one path.
     * The write lands a cycle later than {@code valid}; the returned bit is true in that cycle, so a writer can wait
     * for it before it reports its instruction done.
     *
     * @param name prefix of the registers ({@code name}, {@code name_values}, {@code name_token},
     *     {@code name_word})
     * @param buffer the destination's id, held by the writer while it writes
     * @param values W binary32 values, every lane written
     */
    Bool registeredWrite(String name, Bool valid, UInt buffer, UInt token, UInt word, Vec<Bits> values) {
        Bool writeNow = regNext(name, valid, 0);
        Vec<Bits> writeValues = regNext(name + "_values", values);
        UInt writeToken = regNext(name + "_token", token.resize(widthOf(write.token())));
        UInt writeWord = regNext(name + "_word", word.resize(widthOf(write.word())));
        int lanes = values.size();
        when(writeNow, () -> {
            write.valid().set(true);
            write.buffer().set(buffer);
            write.token().set(writeToken);
            write.word().set(writeWord);
            write.mask().set(B((1L << lanes) - 1, lanes));
            for (int lane = 0; lane < lanes; lane++) {
                write.values().get(lane).set(writeValues.get(lane));
            }
        });
        return writeNow;
    }

    /**
     * A writer's whole word of values in a storage format ({@code format}'s bits, binary16 or bfloat16), registered
     * as they are, widened to binary32, then written through {@link #registeredWrite}: for timing, a unit's output
     * queue read and the widening are one path, the widening and the write multiplexer another. The write lands
     * two cycles later than {@code valid}; the returned bit is true while either stage holds a word, so a writer
     * can wait for it before it reports its instruction done.
     *
     * @param name prefix of the registers ({@code name_stored}, ..., then {@link #registeredWrite}'s)
     */
    Bool registeredStoredWrite(String name, Bool valid, UInt buffer, UInt token, UInt word, Vec<Bits> stored,
            FpFormat format) {
        Bool storedNow = regNext(name + "_stored_valid", valid, 0);
        Vec<Bits> storedValues = regNext(name + "_stored", stored);
        UInt storedToken = regNext(name + "_stored_token", token.resize(widthOf(write.token())));
        UInt storedWord = regNext(name + "_stored_word", word.resize(widthOf(write.word())));
        List<Bits> widened = new ArrayList<>();
        for (int lane = 0; lane < stored.size(); lane++) {
            widened.add(FpConvert.toFp32(format, storedValues.get(lane)));
        }
        Bool writing = registeredWrite(name, storedNow, buffer, storedToken, storedWord, new Vec<>(widened));
        return storedNow.or(writing);
    }

    /** Bits of a buffer id field. */
    static final int BUFFER_ID_BITS = 4;

    /** True when {@code id} names a buffer. */
    static Bool isBuffer(UInt id) {
        return id.lt(OnChipBuffer.values().length);
    }

    /**
     * Whether {@code count} elements exceed one token's vector in the buffer {@code id} (no buffer holds none): a
     * compare with each distinct buffer size, a constant, then the id's pick (for timing: picking the size first
     * put the multiplexer in front of the compare's carry chain), named {@code name}.
     */
    static Bool exceedsCapacity(KernelShape shape, UInt id, UInt count, String name) {
        Map<Integer, Bool> bySize = new TreeMap<>();
        for (OnChipBuffer b : OnChipBuffer.values()) {
            Bool isB = id.eq(b.id());
            bySize.merge(shape.elements(b), isB, Bool::or);
        }
        Bool over = isBuffer(id).not().and(count.ne(0));
        for (Map.Entry<Integer, Bool> size : bySize.entrySet()) {
            over = over.or(size.getValue().and(count.gt(size.getKey())));
        }
        return over.named(name);
    }

    private static int maxWordsPerToken(KernelShape shape) {
        int most = 1;
        for (OnChipBuffer b : OnChipBuffer.values()) {
            most = Math.max(most, shape.wordsPerToken(b));
        }
        return most;
    }

    /**
     * token x perToken + word, modulo 2^bits: the product as a sum of shifts of the token, one per set bit of the
     * constant (384 is two, 1,024 one), so no multiplier lies between a writer and a bank.
     */
    static UInt address(UInt token, UInt word, int perToken, int bits) {
        return token.timesConstant(perToken, bits).add(word.resize(bits));
    }

    private static Bits pick(String name, List<Bits> options, UInt select) {
        Bits out = wire(name, bits(32));
        out.set(options.getFirst());
        for (int i = 1; i < options.size(); i++) {
            int index = i;
            when(select.eq(i), () -> out.set(options.get(index)));
        }
        return out;
    }
}
