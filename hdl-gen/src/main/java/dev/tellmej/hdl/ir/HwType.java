package dev.tellmej.hdl.ir;

import java.math.BigInteger;

/**
 * The type of a hardware value: its kind and its width in bits (at least 1; {@code Bool} is exactly 1).
 *
 * @param kind     Bool, Bits, UInt, SInt or an enumerated type
 * @param width    width in bits, 1 to {@value #MAX_WIDTH}
 * @param encoding for {@link Kind#ENUM} the type's values and encoding; null for the other kinds
 */
public record HwType(Kind kind, int width, EnumEncoding encoding) {
    /** Widest value the language accepts (a 1 Mbit signal is a mistake, not a design). */
    public static final int MAX_WIDTH = 1 << 16;

    public static final HwType BOOL = new HwType(Kind.BOOL, 1);

    /** A type of a kind other than {@link Kind#ENUM}. */
    public HwType(Kind kind, int width) {
        this(kind, width, null);
    }

    public HwType {
        if ((kind == Kind.ENUM) != (encoding != null)) {
            throw new IllegalArgumentException("an enumerated type, and only one, has an encoding: " + kind);
        }
        if (encoding != null && width != encoding.width()) {
            throw new IllegalArgumentException("enum " + encoding.typeName() + " is " + encoding.width() + " bits, got "
                    + width);
        }
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

    /** The type of an enumeration's values. */
    public static HwType enumeration(EnumEncoding encoding) {
        return new HwType(Kind.ENUM, encoding.width(), encoding);
    }

    /**
     * Same kind, another width ({@code Bool} becomes {@code Bits} when the width is not 1; an enumeration's
     * bits become {@code Bits}).
     */
    public HwType withWidth(int newWidth) {
        if (kind == Kind.ENUM) {
            return newWidth == width ? this : bits(newWidth);
        }
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
        if (kind == Kind.ENUM) {
            return "Enum " + encoding.typeName() + "(" + width + ")";
        }
        return kind == Kind.BOOL ? "Bool" : kind.displayName() + "(" + width + ")";
    }
}
