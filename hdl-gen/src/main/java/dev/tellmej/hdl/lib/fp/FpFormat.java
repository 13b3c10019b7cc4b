package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import java.util.ArrayList;
import java.util.List;

/**
 * An IEEE-style binary floating-point format (sign, biased exponent, fraction with a hidden bit), with the
 * field views the units build their logic from. Bit patterns are {@link Bits} of {@link #width()} bits, the
 * sign most significant.
 *
 * @param name      short name used in module names ({@code fp32})
 * @param expBits   exponent field width
 * @param fracBits  fraction field width (the significand has one more bit, the hidden one)
 */
public record FpFormat(String name, int expBits, int fracBits) {
    /** IEEE binary32. */
    public static final FpFormat FP32 = new FpFormat("fp32", 8, 23);
    /** IEEE binary16. */
    public static final FpFormat FP16 = new FpFormat("fp16", 5, 10);
    /** bfloat16: the top 16 bits of a binary32. */
    public static final FpFormat BF16 = new FpFormat("bf16", 8, 7);

    /** Total width in bits. */
    public int width() {
        return 1 + expBits + fracBits;
    }

    /** The exponent bias (127 for binary32). */
    public int bias() {
        return (1 << (expBits - 1)) - 1;
    }

    /** The all-ones exponent field of infinities and NaNs. */
    public int maxExponent() {
        return (1 << expBits) - 1;
    }

    /** The canonical quiet NaN: positive, all-ones exponent, only the top fraction bit set (0x7FC00000). */
    public long canonicalNaN() {
        return ((long) maxExponent() << fracBits) | (1L << (fracBits - 1));
    }

    /** The bit pattern of +infinity. */
    public long infinity() {
        return (long) maxExponent() << fracBits;
    }

    /** A constant bit pattern of this format. */
    public Bits constant(long bits) {
        return B(bits, width());
    }

    /** The binary32 pattern of {@code value} as a 32-bit constant ({@code Float.floatToRawIntBits}). */
    public static Bits fp32(float value) {
        return B(Float.floatToRawIntBits(value) & 0xFFFF_FFFFL, 32);
    }

    /** The sign bit. */
    public Bool sign(Bits x) {
        return x.bit(width() - 1);
    }

    /** The biased exponent field. */
    public UInt exponent(Bits x) {
        return x.slice(width() - 2, fracBits).asUInt();
    }

    /** The fraction field. */
    public UInt fraction(Bits x) {
        return x.slice(fracBits - 1, 0).asUInt();
    }

    /** Exponent and fraction: |x| as a bit pattern, {@code width() - 1} bits. */
    public Bits magnitude(Bits x) {
        return x.slice(width() - 2, 0);
    }

    /** The significand with its hidden bit (0 for zeros and subnormals): {@code fracBits + 1} bits. */
    public UInt significand(Bits x) {
        return cat(exponent(x).ne(0), fraction(x)).asUInt();
    }

    /** The exponent that scales the significand: the field, or 1 for zeros and subnormals. */
    public UInt scaleExponent(Bits x) {
        UInt e = exponent(x);
        return mux(e.eq(0), U(1, expBits), e);
    }

    public Bool isNaN(Bits x) {
        return exponent(x).eq(maxExponent()).and(fraction(x).ne(0));
    }

    public Bool isInfinite(Bits x) {
        return exponent(x).eq(maxExponent()).and(fraction(x).eq(0));
    }

    /** +0 or -0. */
    public Bool isZero(Bits x) {
        return magnitude(x).eq(0);
    }

    /** The same value with the sign flipped (exact). */
    public Bits negate(Bits x) {
        return cat(sign(x).not(), magnitude(x));
    }

    /** |x| (exact): the sign cleared. */
    public Bits abs(Bits x) {
        return cat(FALSE, magnitude(x));
    }

    /** A pattern from its sign and magnitude bits. */
    public Bits withSign(Bool sign, Bits magnitude) {
        return cat(sign, magnitude);
    }

    /**
     * The largest magnitude among {@code values} (patterns of this format), as the {@code width() - 1} low bits
     * of a pattern: a balanced tree of integer comparators, combinational. Integer order of the magnitude bits
     * is value order for every non-NaN pattern and puts NaNs above infinity, so for stored values (whose only NaN
     * is the canonical one, NUMERICS.md N4) a NaN anywhere makes the maximum that NaN, as N6.1's absmax requires.
     */
    public UInt maxMagnitude(List<Bits> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("maxMagnitude of no values");
        }
        List<UInt> level = new ArrayList<>();
        for (Bits value : values) {
            level.add(magnitude(value).asUInt());
        }
        while (level.size() > 1) {
            List<UInt> next = new ArrayList<>();
            for (int i = 0; i + 1 < level.size(); i += 2) {
                UInt a = level.get(i);
                UInt b = level.get(i + 1);
                next.add(mux(b.gt(a), b, a));
            }
            if (level.size() % 2 == 1) {
                next.add(level.getLast());
            }
            level = next;
        }
        return level.getFirst();
    }
}
