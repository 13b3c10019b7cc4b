package dev.tellmej.hdl.ir;

import java.math.BigInteger;

/**
 * The type of a hardware value: its kind and its width in bits (at least 1; {@code Bool} is exactly 1).
 *
 * @param kind  Bool, Bits, UInt or SInt
 * @param width width in bits, 1 to {@value #MAX_WIDTH}
 */
public record HwType(Kind kind, int width) {
    /** Widest value the language accepts (a 1 Mbit signal is a mistake, not a design). */
    public static final int MAX_WIDTH = 1 << 16;

    public static final HwType BOOL = new HwType(Kind.BOOL, 1);

    public HwType {
        if (width < 1 || width > MAX_WIDTH) {
            throw new IllegalArgumentException(kind.displayName() + " width must be 1.." + MAX_WIDTH + ", got " + width);
        }
        if (kind == Kind.BOOL && width != 1) {
            throw new IllegalArgumentException("Bool is 1 bit wide, got " + width);
        }
    }

    public static HwType bits(int width) {
        return new HwType(Kind.BITS, width);
    }

    public static HwType uint(int width) {
        return new HwType(Kind.UINT, width);
    }

    public static HwType sint(int width) {
        return new HwType(Kind.SINT, width);
    }

    /** Same kind, another width ({@code Bool} becomes {@code Bits} when the width is not 1). */
    public HwType withWidth(int newWidth) {
        if (kind == Kind.BOOL) {
            return newWidth == 1 ? this : bits(newWidth);
        }
        return new HwType(kind, newWidth);
    }

    /** All-ones mask of this width. */
    public BigInteger mask() {
        return BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE);
    }

    @Override
    public String toString() {
        return kind == Kind.BOOL ? "Bool" : kind.displayName() + "(" + width + ")";
    }
}
