package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import java.util.ArrayList;
import java.util.List;

/**
 * A wide unsigned product {@code a x b} in two registered steps, for the products of run-time fields that a setup
 * computes once per command: {@link #register} registers the partial products of the narrower operand (at most
 * {@value #NARROW_BITS} bits) with the wider one's pieces of {@value #PIECE_BITS} bits, each a DSP48E2 (which
 * multiplies 26 x 17 bits unsigned); {@link #sum} adds them, shifted, in a later cycle. In one cycle synthesis
 * chains the DSP48E2s and the fabric sum after them on one path.
 */
public final class PartialProducts {
    /** The narrower operand's widest: a DSP48E2's B port unsigned. */
    public static final int NARROW_BITS = 17;
    /** The wider operand's pieces: within a DSP48E2's A port unsigned (26 bits). */
    public static final int PIECE_BITS = 24;

    private final List<UInt> parts;

    private PartialProducts(List<UInt> parts) {
        this.parts = parts;
    }

    /**
     * The partial products of {@code a x b}, registered (registers {@code name_part<k>}, no reset) in the cycles
     * {@code enable} is high.
     *
     * @throws InvalidParameterException if both operands are wider than {@value #NARROW_BITS} bits
     */
    public static PartialProducts register(String name, UInt a, UInt b, Bool enable) {
        UInt narrow = a.width() <= b.width() ? a : b;
        UInt wide = narrow == a ? b : a;
        if (narrow.width() > NARROW_BITS) {
            throw new InvalidParameterException(Locations.capture(), "PartialProducts " + name + ": one operand"
                    + " must be at most " + NARROW_BITS + " bits, got " + a.width() + " and " + b.width());
        }
        List<UInt> parts = new ArrayList<>();
        for (int low = 0, k = 0; low < wide.width(); low += PIECE_BITS, k++) {
            int high = Math.min(wide.width(), low + PIECE_BITS) - 1;
            parts.add(regNextWhen(name + "_part" + k, narrow.mul(wide.slice(high, low)), enable));
        }
        return new PartialProducts(parts);
    }

    /**
     * A multiplier's private copy of a run-time operand: a register {@code name} (no reset) loaded with
     * {@code value} in the cycles {@code load} is high, meant to feed only a product (a DSP48E2's A or B input
     * register) while the original fans out to the rest of the design. For timing: an operand that fans out widely
     * puts its nets in front of the multiplier. Having no reset where the original has one keeps synthesis from
     * merging the two registers again. The caller loads it with the original, so the product sees the same value.
     */
    @ElaborationHelper
    public static UInt operandCopy(String name, UInt value, Bool load) {
        return regNextWhen(name, value, load);
    }

    /**
     * {@link #operandCopy(String, UInt, Bool)} for an original that takes {@code value} every cycle and has no
     * reset: the copy takes it every cycle too, and has a reset to {@code resetValue}, so that synthesis keeps the
     * two apart.
     */
    @ElaborationHelper
    public static UInt operandCopy(String name, UInt value, long resetValue) {
        return regNext(name, value, resetValue);
    }

    /** The product modulo 2^{@code width}: the registered parts, each shifted to its piece, summed. */
    public UInt sum(int width) {
        UInt total = null;
        for (int k = 0; k < parts.size(); k++) {
            UInt term = parts.get(k).resize(width).shl(k * PIECE_BITS).trunc(width);
            total = total == null ? term : total.add(term);
        }
        return total;
    }
}
