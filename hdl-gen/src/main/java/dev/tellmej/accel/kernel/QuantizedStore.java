package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import java.util.ArrayList;
import java.util.List;

/**
 * The int8 activations of the last QUANTIZE (N6), one vector per token of the chunk, W bytes a word (byte i of a
 * word is element {@code word x W + i}), and each token's clamped absmax {@code m_c} (binary32): what the
 * LINEARs after it and the LM head read. One write port (the quantizer) and one read port, used in turn; a read
 * returns its word one cycle after the request.
 */
final class QuantizedStore extends Area {
    final Bool writeValid;
    final UInt writeToken;
    final UInt writeWord;
    final Bits writeData;
    /** Sets token {@link #writeToken}'s m_c. */
    final Bool mcValid;
    final Bits mcData;
    final Bool readValid;
    final UInt readToken;
    final UInt readWord;
    /** The word read, in the cycle after the request. */
    final Bits readData;
    /** Each token's m_c. */
    final List<Bits> mc = new ArrayList<>();
    final int wordsPerToken;

    QuantizedStore(KernelShape shape) {
        super("quantized", "the int8 activations of the last QUANTIZE and each token's m_c");
        int lanes = shape.lanes();
        wordsPerToken = (shape.widestElements() + lanes - 1) / lanes;
        int tokens = shape.chunkTokens();
        int tokenBits = bitsFor(tokens - 1);
        int wordBits = bitsFor(wordsPerToken - 1);
        int depth = tokens * wordsPerToken;
        writeValid = wire("quantized_write", bool());
        writeToken = wire("quantized_write_token", uint(tokenBits));
        writeWord = wire("quantized_write_word", uint(wordBits));
        writeData = wire("quantized_write_data", bits(8 * lanes));
        mcValid = wire("quantized_mc_write", bool());
        mcData = wire("quantized_mc_data", bits(32));
        readValid = wire("quantized_read", bool());
        readToken = wire("quantized_read_token", uint(tokenBits));
        readWord = wire("quantized_read_word", uint(wordBits));
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
        Mem<Bits> words = mem("quantized_words", bits(8 * lanes), depth);
        UInt writeAddress = ActivationBuffers.address(writeToken, writeWord, wordsPerToken, addressBits)
                .named("quantized_write_address");
        UInt readAddress = ActivationBuffers.address(readToken, readWord, wordsPerToken, addressBits)
                .named("quantized_read_address");
        when(writeValid, () -> words.write(writeAddress, writeData));
        readData = words.readSync("quantized_read_data", readAddress, readValid, 1);
        for (int t = 0; t < tokens; t++) {
            int token = t;
            Bits value = reg("quantized_mc" + t, bits(32), 0);
            when(mcValid.and(writeToken.eq(token)), () -> value.set(mcData));
            mc.add(value);
        }
    }

    /** Token {@code token}'s m_c. */
    Bits mcOf(UInt token, String name) {
        return mc.size() == 1 ? mc.getFirst() : new Vec<>(mc).get(name, token.resize(log2Up(mc.size())));
    }
}
