package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import java.util.ArrayList;
import java.util.List;

/**
 * Sums {@code n} signed terms that each come with a negate flag, {@code sum of (negate_i ? -value_i : value_i)},
 * in a balanced tree of add/subtract nodes with the shape and widths of {@link AdderTree}: the output has
 * {@code width + ceil(log2 n)} bits and is exact.
 *
 * <p>The result leaves as a value and a flag, {@code sum = out.negate ? -out.value : out.value}: a node keeps
 * its first operand's flag and adds or subtracts its second by whether the two flags differ, so a negation is
 * never computed on the way, and the root's flag is term 0's. The consumer folds the last sign into its own
 * adder. Each node is written as {@code {a, 0} - {b ^ ~flip, ~flip}} (bit 0 is the carry in): a subtraction whose
 * minuend is the plain operand, so a carry chain needs one LUT per bit (the XOR goes into the LUT that feeds
 * the chain) just as for a plain adder; with the flip applied to the operand that the chain also takes directly,
 * Yosys would spend a second LUT per bit.
 *
 * <p>A register level follows every {@code levelsPerStage} levels (and the last), as in {@link AdderTree}; the
 * flags travel in the same registers. Named {@code AddSubTree_n<n>_w<width>_l<levelsPerStage>}.
 */
public final class AddSubTree extends Module {
    /** One term, or the result: {@code negate ? -value : value}. */
    public record Term(SInt value, Bool negate) {}

    public final Flow<Vec<Term>> in;
    public final Flow<Term> out;
    /** Cycles from input to output. */
    public final int latency;

    public AddSubTree(int n, int width, int levelsPerStage) {
        if (n < 2 || width < 1 || levelsPerStage < 1) {
            throw new InvalidParameterException(Locations.capture(), "AddSubTree needs n >= 2, width >= 1,"
                    + " levelsPerStage >= 1; got n " + n + ", width " + width + ", levelsPerStage " + levelsPerStage);
        }
        param("n", n);
        param("w", width);
        param("l", levelsPerStage);
        int levels = log2Up(n);
        in = in("in", Flow.of(vec(n, new Term(sint(width), bool()))));
        out = out("out", Flow.of(new Term(sint(width + levels), bool())));

        List<SInt> values = new ArrayList<>();
        List<Bool> flags = new ArrayList<>();
        for (Term term : in.payload) {
            values.add(term.value());
            flags.add(term.negate());
        }
        Bool valid = in.valid;
        int stages = 0;
        for (int level = 1; level <= levels; level++) {
            List<SInt> nextValues = new ArrayList<>();
            List<Bool> nextFlags = new ArrayList<>();
            for (int i = 0; i < values.size(); i += 2) {
                SInt a = values.get(i);
                if (i + 1 < values.size()) {
                    Bool flip = flags.get(i).xor(flags.get(i + 1)).named("level" + level + "_flip" + i / 2);
                    nextValues.add(addOrSubtract(a, values.get(i + 1), flip, "level" + level + "_node" + i / 2));
                } else {
                    nextValues.add(a.sext(a.width() + 1));
                }
                nextFlags.add(flags.get(i));
            }
            values = nextValues;
            flags = nextFlags;
            if (level % levelsPerStage == 0 || level == levels) {
                stages++;
                List<SInt> registeredValues = new ArrayList<>();
                List<Bool> registeredFlags = new ArrayList<>();
                for (int i = 0; i < values.size(); i++) {
                    registeredValues.add(regNext("level" + level + "_sum" + i, values.get(i)));
                    registeredFlags.add(regNext("level" + level + "_negate" + i, flags.get(i)));
                }
                values = registeredValues;
                flags = registeredFlags;
                valid = regNext("level" + level + "_valid", valid, 0);
            }
        }
        latency = stages;
        out.valid.set(valid);
        out.payload.value().set(values.getFirst());
        out.payload.negate().set(flags.getFirst());
    }

    /**
     * {@code flip ? a - b : a + b}, one bit wider than the wider operand, in the form that maps to one carry
     * chain with a LUT per bit: {@code a + b = a - ~b - 1}, so both are {@code {a, 0} - {b ^ ~flip, ~flip}}
     * shifted down by one (bit 0 borrows exactly when the operation is an addition).
     */
    public static SInt addOrSubtract(SInt a, SInt b, Bool flip, String name) {
        int width = Math.max(a.width(), b.width()) + 1;
        Bool add = flip.not();
        Bits mask = add.asBits().asSInt().sext(width).asBits();
        UInt minuend = cat(a.sext(width), B(0, 1)).asUInt();
        UInt subtrahend = cat(b.sext(width).asBits().xor(mask), add).asUInt();
        return minuend.sub(subtrahend).named(name).slice(width, 1).asSInt();
    }
}
