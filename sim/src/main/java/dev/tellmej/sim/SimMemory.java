package dev.tellmej.sim;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.List;

/**
 * A memory of the running model ({@code Mem} in the HDL), read and written in place: preloading
 * contents or checking what the design wrote costs no simulated cycles. Words are bit patterns of the
 * memory's word width; addresses run from 0 to {@link #depth()} - 1.
 *
 * <p>Writing here changes the array between clock edges, as a testbench backdoor would: logic that
 * reads the memory combinationally sees the new word at the next settle, registered reads at the next
 * edge.
 */
public final class SimMemory {
    private final SimModel model;
    private final ModelLayout.MemoryInfo info;
    private final MemorySegment storage;
    private final int wordBytes;

    SimMemory(SimModel model, ModelLayout.MemoryInfo info, MemorySegment storage, int wordBytes) {
        this.model = model;
        this.info = info;
        this.storage = storage;
        this.wordBytes = wordBytes;
    }

    /** Its path below the top ({@code fifo.ram}). */
    public String path() {
        return info.path();
    }

    /** Words. */
    public int depth() {
        return info.depth();
    }

    /** Bits per word. */
    public int width() {
        return info.width();
    }

    /** The word at {@code address} (memories up to 64 bits wide). */
    public long read(int address) {
        long offset = offset(address);
        return switch (wordBytes) {
            case 1 -> storage.get(JAVA_BYTE, offset) & 0xffL;
            case 2 -> storage.get(JAVA_SHORT_UNALIGNED, offset) & 0xffffL;
            case 4 -> storage.get(JAVA_INT_UNALIGNED, offset) & 0xffff_ffffL;
            case 8 -> storage.get(JAVA_LONG_UNALIGNED, offset);
            default -> throw new IllegalArgumentException("memory " + info.path() + " has " + info.width()
                    + "-bit words; read them with readBig()");
        };
    }

    /** The word at {@code address}, any width. */
    public BigInteger readBig(int address) {
        if (wordBytes <= 8) {
            long value = read(address);
            return value >= 0 ? BigInteger.valueOf(value) : new BigInteger(Long.toUnsignedString(value));
        }
        long offset = offset(address);
        int[] words = new int[wordBytes / 4];
        for (int i = 0; i < words.length; i++) {
            words[i] = storage.get(JAVA_INT_UNALIGNED, offset + 4L * i);
        }
        return Words.toBig(words);
    }

    /** Writes {@code word} (a bit pattern that fits the word width) at {@code address}. */
    public void write(int address, long word) {
        if (wordBytes > 8) {
            writeBig(address, BigInteger.valueOf(word));
            return;
        }
        if (info.width() < 64 && (word >>> info.width()) != 0) {
            throw new IllegalArgumentException("word " + word + " does not fit the " + info.width()
                    + "-bit words of memory " + info.path());
        }
        long offset = offset(address);
        switch (wordBytes) {
            case 1 -> storage.set(JAVA_BYTE, offset, (byte) word);
            case 2 -> storage.set(JAVA_SHORT_UNALIGNED, offset, (short) word);
            case 4 -> storage.set(JAVA_INT_UNALIGNED, offset, (int) word);
            default -> storage.set(JAVA_LONG_UNALIGNED, offset, word);
        }
        model.markDirty();
    }

    /** Writes {@code word} (a non-negative bit pattern that fits the word width) at {@code address}. */
    public void writeBig(int address, BigInteger word) {
        if (word.signum() < 0 || word.bitLength() > info.width()) {
            throw new IllegalArgumentException("word " + word + " does not fit the " + info.width()
                    + "-bit words of memory " + info.path());
        }
        if (wordBytes <= 8) {
            write(address, word.longValue());
            return;
        }
        long offset = offset(address);
        int[] words = Words.fromBig(word, wordBytes / 4);
        for (int i = 0; i < words.length; i++) {
            storage.set(JAVA_INT_UNALIGNED, offset + 4L * i, words[i]);
        }
        model.markDirty();
    }

    /** Writes {@code words} from address 0. */
    public void load(long... words) {
        checkCount(words.length);
        for (int i = 0; i < words.length; i++) {
            write(i, words[i]);
        }
    }

    /** Writes {@code words} from address 0. */
    public void loadBig(List<BigInteger> words) {
        checkCount(words.size());
        for (int i = 0; i < words.size(); i++) {
            writeBig(i, words.get(i));
        }
    }

    /** Every word (memories up to 64 bits wide). */
    public long[] dump() {
        long[] words = new long[depth()];
        for (int i = 0; i < words.length; i++) {
            words[i] = read(i);
        }
        return words;
    }

    private void checkCount(int count) {
        if (count > depth()) {
            throw new IllegalArgumentException(count + " words for memory " + info.path() + " of depth " + depth());
        }
    }

    private long offset(int address) {
        model.checkOpen();
        if (address < 0 || address >= depth()) {
            throw new IndexOutOfBoundsException("address " + address + " of memory " + info.path() + " (depth "
                    + depth() + ")");
        }
        return (long) address * wordBytes;
    }

    @Override
    public String toString() {
        return "memory " + info.path() + " [" + depth() + " x " + width() + "] of " + model.topName();
    }
}
