package dev.tellmej.sim.elementwise;

import java.math.BigInteger;

/**
 * Stream payloads as the HDL packs them ({@code Hdl.asBits}): leaves in declaration order, the first least
 * significant. {@link #add} appends the next leaf; {@link Reader} takes them back in the same order.
 */
final class Packed {
    private BigInteger value = BigInteger.ZERO;
    private int offset;

    /** Appends a leaf of {@code width} bits (the low bits of {@code bits}). */
    Packed add(long bits, int width) {
        long masked = width == 64 ? bits : bits & ((1L << width) - 1);
        value = value.or(BigInteger.valueOf(masked).and(mask(width)).shiftLeft(offset));
        offset += width;
        return this;
    }

    /** Appends a one-bit leaf. */
    Packed add(boolean bit) {
        return add(bit ? 1 : 0, 1);
    }

    BigInteger value() {
        return value;
    }

    private static BigInteger mask(int width) {
        return BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE);
    }

    /** Reads leaves back in declaration order. */
    static final class Reader {
        private final BigInteger value;
        private int offset;

        Reader(BigInteger value) {
            this.value = value;
        }

        /** The next leaf of {@code width} bits, zero-extended. */
        long next(int width) {
            long bits = value.shiftRight(offset).and(mask(width)).longValue();
            offset += width;
            return bits;
        }

        /** The next leaf of {@code width} bits as a signed value. */
        long nextSigned(int width) {
            long bits = next(width);
            return bits << (64 - width) >> (64 - width);
        }

        boolean nextBit() {
            return next(1) != 0;
        }
    }
}
