package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The int8 activations of the last QUANTIZE (N6), one vector per token of the chunk, and each token's clamped absmax
 * {@code m_c} (binary32): what the LINEARs after it and the LM head read. The quantizer writes W bytes at a time
 * (a write word: byte i is element {@code word x W + i}); readers take {@link #readBytes} at a time, a beat of the
 * data ports (a read word: byte i is element {@code word x readBytes + i}), so a LINEAR's activations reach the
 * TLMM engine at a beat a cycle and the LM head's at a beat per read. One write port and one read port, used in
 * turn; a read returns its word one cycle after the request.
 */
final class QuantizedStore extends Area {
    final Bool writeValid;
    final UInt writeToken;
    /** The write word: W bytes, elements {@code writeWord x W ..}. */
    final UInt writeWord;
    final Bits writeData;
    /** Sets token {@link #writeToken}'s m_c. */
    final Bool mcValid;
    final Bits mcData;
    final Bool readValid;
    final UInt readToken;
    /** The read word: {@link #readBytes} bytes, elements {@code readWord x readBytes ..}. */
    final UInt readWord;
    /** The word read, {@link #readBytes} bytes, in the cycle after the request. */
    final Bits readData;
    /** Each token's m_c. */
    final List<Bits> mc = new ArrayList<>();
    /** Bytes of a read word: the data ports' beat. */
    final int readBytes;
    /** Read words per token. */
    final int wordsPerToken;

    QuantizedStore(KernelShape shape) {
        super("quantized", "the int8 activations of the last QUANTIZE and each token's m_c");
        int lanes = shape.lanes();
        readBytes = shape.beatBytes();
        // KernelShape makes a beat whole words of W stored values, so whole words of W bytes too.
        int parts = readBytes / lanes;
        wordsPerToken = (shape.widestElements() + readBytes - 1) / readBytes;
        int tokens = shape.chunkTokens();
        int tokenBits = bitsFor(tokens - 1);
        int readWordBits = bitsFor(wordsPerToken - 1);
        int writeWordBits = bitsFor(wordsPerToken * parts - 1);
        int depth = tokens * wordsPerToken;
        writeValid = wire("quantized_write", bool());
        writeToken = wire("quantized_write_token", uint(tokenBits));
        writeWord = wire("quantized_write_word", uint(writeWordBits));
        writeData = wire("quantized_write_data", bits(8 * lanes));
        mcValid = wire("quantized_mc_write", bool());
        mcData = wire("quantized_mc_data", bits(32));
        readValid = wire("quantized_read", bool());
        readToken = wire("quantized_read_token", uint(tokenBits));
        readWord = wire("quantized_read_word", uint(readWordBits));
        writeValid.set(false);
        writeToken.set(0);
        writeWord.set(0);
        writeData.set(0);
        mcValid.set(false);
        mcData.set(0);
        readValid.set(false);
        readToken.set(0);
        readWord.set(0);

        int addressBits = bitsFor(depth - 1);
        int partShift = KernelShape.shift(parts);
        Mem<Bits> words = mem("quantized_words", bits(8 * readBytes), depth);
        UInt writeAddress = ActivationBuffers.address(writeToken, writeWord.shr(partShift).resize(readWordBits),
                wordsPerToken, addressBits).named("quantized_write_address");
        UInt readAddress = ActivationBuffers.address(readToken, readWord, wordsPerToken, addressBits)
                .named("quantized_read_address");
        // A write word is one part of a read word, written alone under its mask bit.
        Bits wide = parts == 1 ? writeData : cat(Collections.nCopies(parts, writeData).toArray(new Bits[0]));
        Bits mask = parts == 1 ? B(1, 1) : partMask(writeWord.resize(partShift), parts);
        when(writeValid, () -> words.write(writeAddress, wide, mask));
        readData = words.readSync("quantized_read_data", readAddress, readValid, 1);
        for (int t = 0; t < tokens; t++) {
            int token = t;
            Bits value = reg("quantized_mc" + t, bits(32), 0);
            when(mcValid.and(writeToken.eq(token)), () -> value.set(mcData));
            mc.add(value);
        }
    }

    /** The write mask of a read word's part {@code part}: one bit per part, the part's set. */
    private static Bits partMask(UInt part, int parts) {
        Bool[] enables = new Bool[parts];
        for (int p = 0; p < parts; p++) {
            enables[parts - 1 - p] = part.eq(p);
        }
        return cat(enables).named("quantized_write_mask");
    }

    /** Token {@code token}'s m_c. */
    Bits mcOf(UInt token, String name) {
        return mc.size() == 1 ? mc.getFirst() : new Vec<>(mc).get(name, token.resize(log2Up(mc.size())));
    }
}
