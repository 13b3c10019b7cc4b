package dev.tellmej.hdl.lib.fp;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import java.math.BigInteger;

/**
 * Combinational building blocks of the floating-point units: a leading-zero counter, right shifts that keep
 * a sticky bit, and round-to-nearest-even packing. Each builds logic in the module under construction and
 * adds no register; the units place the registers.
 */
public final class FpCircuits {
    private FpCircuits() {}

    /** A shifted value and the OR of the bits shifted out. */
    public record Shifted(UInt value, Bool sticky) {}

    /** A significand cut for rounding: the kept bits, the first dropped bit (guard) and the OR of the rest. */
    public record Cut(UInt kept, Bool guard, Bool sticky) {}

    /** A rounded magnitude (exponent and fraction fields) and whether it overflowed to infinity. */
    public record Rounded(Bits magnitude, Bool overflow) {}

    /**
     * The number of leading zeros of {@code x} (0 to its width), {@code bitsFor(width)} bits wide: a balanced
     * tree of (all-zero, count) pairs, log2(width) multiplexer levels.
     */
    public static UInt leadingZeros(Bits x) {
        int w = x.width();
        int resultWidth = bitsFor(w);
        if (w == 1) {
            return x.bit(0).not().asUInt();
        }
        int p = Integer.highestOneBit(w) == w ? w : Integer.highestOneBit(w) << 1;
        if (p == w) {
            Node node = tree(x);
            return mux(node.zero, U(w, resultWidth), node.count.zext(resultWidth));
        }
        // Ones below the input stop the count at w for an all-zero input, so no flag is needed.
        Bits padded = cat(x, B(BigInteger.ONE.shiftLeft(p - w).subtract(BigInteger.ONE), p - w));
        return tree(padded).count.resize(resultWidth);
    }

    private record Node(Bool zero, UInt count) {}

    private static Node tree(Bits x) {
        int w = x.width();
        if (w == 2) {
            return new Node(x.orR().not(), x.bit(1).not().asUInt());
        }
        Node hi = tree(x.slice(w - 1, w / 2));
        Node lo = tree(x.slice(w / 2 - 1, 0));
        UInt count = mux(hi.zero, cat(TRUE, lo.count).asUInt(), cat(FALSE, hi.count).asUInt());
        return new Node(hi.zero.and(lo.zero), count);
    }

    /** {@code width} bits whose low {@code amount} bits are ones (all ones when amount >= width). */
    public static Bits lowMask(UInt amount, int width) {
        Bits ones = B(BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE), width);
        return ones.shlKeep(amount).not();
    }

    /** {@code x >> amount} (zero when amount >= width) and the OR of the bits shifted out. */
    public static Shifted shiftRightSticky(UInt x, UInt amount) {
        Bool sticky = x.asBits().and(lowMask(amount, x.width())).orR();
        return new Shifted(x.shrKeep(amount), sticky);
    }

    /**
     * Cuts {@code m} for rounding after a right shift by {@code amount} (0 allowed, any size): the kept bits
     * {@code m >> amount} (same width), the guard bit (bit {@code amount - 1} of m) and the sticky OR of the bits
     * below it.
     */
    public static Cut cutRight(UInt m, UInt amount) {
        UInt extended = cat(m, FALSE).asUInt();
        Shifted shifted = shiftRightSticky(extended, amount);
        return new Cut(shifted.value().slice(m.width(), 1), shifted.value().bit(0), shifted.sticky());
    }

    /**
     * Rounds to nearest, ties to even, and packs: the magnitude field {@code ((scaleExp - 1) << fracBits) + kept
     * + roundUp}, where {@code kept} ({@code fracBits + 1} bits) carries the hidden bit at bit {@code fracBits}
     * (0 for a subnormal, whose scale exponent is 1). A carry out of the significand moves into the exponent
     * field, so a subnormal that rounds up to the smallest normal and a significand that rounds up to the next
     * power of two both come out right. {@code overflow} is set when the result reaches the all-ones exponent;
     * the caller substitutes infinity.
     *
     * @param scaleExp the biased exponent of the hidden bit's position, at least 1
     */
    public static Rounded roundPack(UInt scaleExp, Cut cut, int expBits, int fracBits) {
        return roundPackBelow(scaleExp.sub(1), cut, expBits, fracBits);
    }

    /**
     * {@link #roundPack} given {@code scaleExp - 1}, for a caller that registers the decrement ahead of the round
     * (its carry chain off the rounding's path).
     *
     * @param belowScaleExp the biased exponent of the hidden bit's position minus one, at least 0
     */
    public static Rounded roundPackBelow(UInt belowScaleExp, Cut cut, int expBits, int fracBits) {
        UInt kept = cut.kept();
        if (kept.width() != fracBits + 1) {
            throw new IllegalArgumentException("roundPack: significand of " + kept.width() + " bits for " + fracBits
                    + " fraction bits");
        }
        int wide = Math.max(belowScaleExp.width(), expBits) + fracBits + 1;
        Bool up = cut.guard().and(cut.sticky().or(kept.bit(0)));
        UInt exponentPart = belowScaleExp.shl(fracBits).zext(wide);
        UInt sum = exponentPart.add(kept.zext(wide)).add(up.asUInt().zext(wide));
        // The limit's fraction bits are zeros: comparing the exponent bits alone is the same test.
        Bool overflow = sum.slice(wide - 1, fracBits).ge((1L << expBits) - 1);
        return new Rounded(sum.slice(expBits + fracBits - 1, 0).asBits(), overflow);
    }

    /**
     * The exact binary32 value of {@code k * 2^-fractionBits} for an unsigned k of at most 24 bits (so no
     * rounding): a leading-zero count and a shift. Zero gives +0.
     */
    public static Bits fixedToFp32(UInt k, int fractionBits) {
        int w = k.width();
        if (w > 24) {
            throw new IllegalArgumentException("fixedToFp32 is exact only up to 24 bits, got " + w);
        }
        UInt lz = leadingZeros(k.asBits());
        // Leading one at bit w - 1 - lz: exponent 127 + (w - 1 - lz) - fractionBits. Shifting by lz puts it at bit
        // w - 1, and the bits below it are the fraction (no "+ 1" on the shift amount: a carry chain less on the
        // path). Zero shifts to zero, so only the exponent needs clearing for it.
        UInt exponent = U(127 + w - 1 - fractionBits, 8).sub(lz.zext(8));
        UInt normalized = k.shlKeep(lz);
        Bits fraction23 = w == 1 ? B(0, 23)
                : w == 24 ? normalized.slice(22, 0).asBits()
                : cat(normalized.slice(w - 2, 0), B(0, 24 - w));
        return cat(FALSE, mux(k.eq(0), U(0, 8), exponent), fraction23);
    }

    /** The smaller of {@code value} and {@code limit} (unsigned). */
    public static UInt clamp(UInt value, long limit) {
        UInt bound = U(limit, Math.max(value.width(), bitsFor(limit)));
        UInt wide = value.zext(bound.width());
        return mux(wide.gt(bound), bound, wide);
    }
}
