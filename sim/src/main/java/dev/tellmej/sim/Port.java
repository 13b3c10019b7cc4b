package dev.tellmej.sim;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;

/**
 * One top-level port of a running model, read and written in place: the segment is the Verilated
 * model's own storage for the port, so {@link #get} and {@link #set} cost a memory access, not a call
 * into native code. Obtain it once with {@link SimModel#port} when a loop touches a port every cycle.
 *
 * <p>Values are bit patterns: {@link #get} returns the port's bits zero-extended (use
 * {@link #getSigned} for an SInt), {@link #set} takes a value that must fit in the port's width (a
 * negative value is accepted for the two's-complement pattern of an SInt that fits). Ports wider than 64
 * bits are read and written with {@link #getBig}/{@link #setBig} or as 32-bit words, least
 * significant first.
 */
public final class Port {
    private final SimModel model;
    private final ModelLayout.PortInfo info;
    private final MemorySegment storage;
    private final int bytes;
    private final long mask;

    Port(SimModel model, ModelLayout.PortInfo info, MemorySegment storage) {
        this.model = model;
        this.info = info;
        this.storage = storage;
        this.bytes = info.storageBytes();
        this.mask = info.width() >= 64 ? -1L : (1L << info.width()) - 1;
    }

    /** The Verilog name. */
    public String name() {
        return info.name();
    }

    /** Width in bits. */
    public int width() {
        return info.width();
    }

    /** True for an input of the design (which Java drives), false for an output. */
    public boolean isInput() {
        return info.input();
    }

    /** The port's bits, zero-extended; the combinational logic is settled first when inputs changed. */
    public long get() {
        model.settleIfDirty();
        return raw();
    }

    long raw() {
        return switch (bytes) {
            case 1 -> storage.get(JAVA_BYTE, 0) & 0xffL;
            case 2 -> storage.get(JAVA_SHORT_UNALIGNED, 0) & 0xffffL;
            case 4 -> storage.get(JAVA_INT_UNALIGNED, 0) & 0xffff_ffffL;
            case 8 -> storage.get(JAVA_LONG_UNALIGNED, 0);
            default -> throw new IllegalArgumentException("port " + info.name() + " is " + info.width()
                    + " bits wide; read it with getBig() or getWords()");
        };
    }

    /** The port's bits sign-extended from its width (for SInt ports up to 64 bits). */
    public long getSigned() {
        long value = get();
        int shift = 64 - Math.min(64, info.width());
        return value << shift >> shift;
    }

    /** True when the port's value is not zero (for Bool ports). */
    public boolean isHigh() {
        return get() != 0;
    }

    /** Drives an input with {@code value}, which must fit in the port's width. */
    public void set(long value) {
        if (!info.input()) {
            throw new IllegalArgumentException("port " + info.name() + " is an output of " + model.topName()
                    + "; only inputs can be driven");
        }
        if (bytes > 8) {
            setBig(value < 0 ? BigInteger.valueOf(value).add(BigInteger.ONE.shiftLeft(info.width()))
                    : BigInteger.valueOf(value));
            return;
        }
        long bits = value & mask;
        boolean fits = bits == value || (value < 0 && (value >> (Math.min(64, info.width()) - 1)) == -1L);
        if (!fits) {
            throw new IllegalArgumentException("value " + value + " does not fit the " + info.width()
                    + "-bit port " + info.name());
        }
        switch (bytes) {
            case 1 -> storage.set(JAVA_BYTE, 0, (byte) bits);
            case 2 -> storage.set(JAVA_SHORT_UNALIGNED, 0, (short) bits);
            case 4 -> storage.set(JAVA_INT_UNALIGNED, 0, (int) bits);
            default -> storage.set(JAVA_LONG_UNALIGNED, 0, bits);
        }
        model.markDirty();
    }

    /** Drives a Bool input. */
    public void set(boolean value) {
        set(value ? 1 : 0);
    }

    /** The port's bits as a non-negative number, any width. */
    public BigInteger getBig() {
        model.settleIfDirty();
        if (bytes <= 8) {
            long value = raw();
            return value >= 0 ? BigInteger.valueOf(value) : new BigInteger(Long.toUnsignedString(value));
        }
        return Words.toBig(getWordsRaw());
    }

    /** Drives an input with the bit pattern {@code value} (non-negative, at most {@link #width()} bits). */
    public void setBig(BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > info.width()) {
            throw new IllegalArgumentException("value " + value + " does not fit the " + info.width()
                    + "-bit port " + info.name() + " (give the bit pattern, not a negative number)");
        }
        if (bytes <= 8) {
            set(value.longValue());
            return;
        }
        setWords(Words.fromBig(value, bytes / 4));
    }

    /** The port's bits as 32-bit words, least significant first. */
    public int[] getWords() {
        model.settleIfDirty();
        return getWordsRaw();
    }

    private int[] getWordsRaw() {
        if (bytes <= 8) {
            long value = raw();
            return bytes == 8 ? new int[] {(int) value, (int) (value >>> 32)} : new int[] {(int) value};
        }
        int[] words = new int[bytes / 4];
        for (int i = 0; i < words.length; i++) {
            words[i] = storage.get(JAVA_INT_UNALIGNED, 4L * i);
        }
        return words;
    }

    /** Drives an input with 32-bit words, least significant first; bits above the width must be zero. */
    public void setWords(int[] words) {
        if (!info.input()) {
            throw new IllegalArgumentException("port " + info.name() + " is an output of " + model.topName()
                    + "; only inputs can be driven");
        }
        int count = (info.width() + 31) / 32;
        if (words.length != count) {
            throw new IllegalArgumentException("port " + info.name() + " takes " + count + " words, got " + words.length);
        }
        int topBits = info.width() % 32;
        if (topBits != 0 && (words[count - 1] >>> topBits) != 0) {
            throw new IllegalArgumentException("value does not fit the " + info.width() + "-bit port " + info.name());
        }
        if (bytes <= 8) {
            set(count == 2 ? (words[0] & 0xffff_ffffL) | ((long) words[1] << 32) : words[0] & 0xffff_ffffL);
            return;
        }
        for (int i = 0; i < count; i++) {
            storage.set(JAVA_INT_UNALIGNED, 4L * i, words[i]);
        }
        model.markDirty();
    }

    ModelLayout.PortInfo info() {
        return info;
    }

    @Override
    public String toString() {
        return (info.input() ? "input " : "output ") + info.name() + " [" + info.width() + "] of " + model.topName();
    }
}
