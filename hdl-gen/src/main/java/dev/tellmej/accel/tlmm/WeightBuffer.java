package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Mem;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Flow;
import java.util.ArrayList;
import java.util.List;

/**
 * The weight buffer: Q x {@link TlmmConfig#bufferWordsPerIndexWord()} banks of 72-bit UltraRAM words, bank
 * (lane q, word w) holding part w of lane q's index words. Each bank is split in two halves, one tile being
 * computed while the next streams in. Port p writes the banks of its lanes; one read address serves every
 * bank, so a read returns the index words of all Q lanes for one (block, row group). Read latency: 2 (the
 * UltraRAM's read register and output register).
 */
public final class WeightBuffer extends Module {
    public final Vec<Flow<WeightPort.Write>> writes;
    public final Bool readEnable;
    public final UInt readAddress;
    /** Lane q's index word: its buffer words concatenated, word 0 least significant. */
    public final Vec<Bits> readWords;

    /** Read latency in cycles. */
    public static final int READ_LATENCY = 2;

    public WeightBuffer(TlmmConfig config) {
        param("t", config.tables());
        param("q", config.columns());
        param("p", config.ports());
        param("d", config.bufferDepth());
        int addressBits = log2Up(config.bufferDepth());
        int perCycle = config.wordsPerCycle();
        int wordsPerIndex = config.bufferWordsPerIndexWord();
        int pairs = config.lanesPerPort() / perCycle;
        writes = in("write", vec(config.ports(), Flow.of(new WeightPort.Write(uint(addressBits),
                uint(Math.max(1, log2Up(pairs))), bits(perCycle * 72 * wordsPerIndex)))));
        readEnable = in("read_enable", bool());
        readAddress = in("read_address", uint(addressBits));
        readWords = out("read_words", vec(config.columns(), bits(72 * wordsPerIndex)));

        for (int lane = 0; lane < config.columns(); lane++) {
            int port = lane / config.lanesPerPort();
            int local = lane % config.lanesPerPort();
            int pair = local / perCycle;
            int slot = local % perCycle;
            Flow<WeightPort.Write> write = writes.get(port);
            Bool mine = write.valid.and(write.payload.lanePair().eq(pair)).named("lane" + lane + "_write");
            List<Bits> parts = new ArrayList<>();
            for (int w = 0; w < wordsPerIndex; w++) {
                Mem<Bits> bank = mem("lane" + lane + "_word" + w, bits(72), config.bufferDepth()).style(RamStyle.ULTRA);
                int lo = 72 * (slot * wordsPerIndex + w);
                Bits data = write.payload.words().slice(lo + 71, lo);
                when(mine, () -> bank.write(write.payload.address(), data));
                parts.add(bank.readSync("lane" + lane + "_word" + w + "_q", readAddress, readEnable, READ_LATENCY));
            }
            java.util.Collections.reverse(parts);
            readWords.get(lane).set(cat(parts.toArray(new Bits[0])));
        }
    }
}
