package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.lib.Pipeline;
import dev.tellmej.hdl.lib.Timed;
import dev.tellmej.hdl.lib.fp.Fp32Add;
import dev.tellmej.hdl.lib.fp.Fp32Mul;
import java.util.ArrayList;
import java.util.List;

/**
 * The W binary32 multiply-add lanes an {@link AttentionUnit}'s score and value passes share: lane e computes
 * {@code addend[e] + a[e] * b[e]} (an {@link Fp32Mul}, then an {@link Fp32Add} with the addend as its first
 * operand), exactly as each pass's own lanes did. The passes never compute at once (the value pass starts after
 * the softmax, which starts after the score pass's last score has left; the unit takes a command only when idle),
 * so a select derived from the command's phase gives the lanes to one pass's {@link Port} at a time.
 *
 * <p><b>Timing</b>, fixed and without stalls: a pass drives {@code valid}, {@code a} and {@code b} in one cycle,
 * the addends {@value #ADDEND_CYCLE} cycles later (as the products land, so a partial written back by an earlier
 * sum can be read then), and finds the sums on {@code sum} {@value #LATENCY} cycles after the operands. Each
 * pass keeps its own addresses and bookkeeping in its own pipeline, timed by these two figures.
 */
final class MacLanes extends Area {
    /** Cycles from a lane's operands to its addend: the multiplier's latency. */
    static final int ADDEND_CYCLE = Fp32Mul.LATENCY;
    /** Cycles from a lane's operands to its sum: the multiplier's and the adder's latency. */
    static final int LATENCY = Fp32Mul.LATENCY + Fp32Add.LATENCY;

    /**
     * One pass's use of the lanes: it drives {@code valid} (operands in this cycle), {@code a} and {@code b} (W
     * binary32 operands each) and, {@value #ADDEND_CYCLE} cycles later, {@code addend}; {@code sum} carries the
     * W sums {@value #LATENCY} cycles after the operands. All values are binary32 bits.
     */
    record Port(Bool valid, List<Bits> a, List<Bits> b, List<Bits> addend, List<Bits> sum) {
        /** Wires named {@code <name>_valid}, {@code <name>_a<e>}, {@code _b<e>}, {@code _addend<e>} and {@code _sum<e>}. */
        static Port wires(String name, int width) {
            List<Bits> a = new ArrayList<>();
            List<Bits> b = new ArrayList<>();
            List<Bits> addend = new ArrayList<>();
            List<Bits> sum = new ArrayList<>();
            for (int e = 0; e < width; e++) {
                a.add(wire(name + "_a" + e, bits(32)));
                b.add(wire(name + "_b" + e, bits(32)));
                addend.add(wire(name + "_addend" + e, bits(32)));
                sum.add(wire(name + "_sum" + e, bits(32)));
            }
            return new Port(wire(name + "_valid", bool()), a, b, addend, sum);
        }
    }

    /**
     * @param width   lanes, W
     * @param select  true while the second port owns the lanes (the first owns them otherwise); it holds for
     *                every cycle of an owner's operations, from the operands to the sum
     * @param first   the score pass's port
     * @param second  the value pass's port
     */
    MacLanes(int width, Bool select, Port first, Port second) {
        super("mac_lanes", "the W multiply-add lanes the score and value passes share, one pass at a time");
        // A pass drives its port only while it owns the lanes: an operation of the other pass would be lost.
        assertAlways(first.valid().and(select).not(), "AttentionUnit: the score pass uses the lanes it does not own");
        assertAlways(second.valid().and(select.not()).not(),
                "AttentionUnit: the value pass uses the lanes it does not own");
        Pipeline pipe = new Pipeline("mac_valid", mux(select, second.valid(), first.valid()).named("mac_operands_valid"));
        for (int e = 0; e < width; e++) {
            String l = "mac_lane" + e;
            Timed<Bits> a = pipe.input(l + "_a", mux(select, second.a().get(e), first.a().get(e)).named(l + "_a"));
            Timed<Bits> b = pipe.input(l + "_b", mux(select, second.b().get(e), first.b().get(e)).named(l + "_b"));
            Timed<Bits> product = Fp32Mul.apply(l + "_product", a, b);
            Bits addend = mux(select, second.addend().get(e), first.addend().get(e)).named(l + "_addend");
            Timed<Bits> sum = Fp32Add.apply(l + "_sum", pipe.at(product.cycle(), l + "_addend", addend), product);
            if (product.cycle() != ADDEND_CYCLE || sum.cycle() != LATENCY) {
                throw new IllegalStateException("MacLanes: product at " + product.cycle() + ", sum at "
                        + sum.cycle() + ", not " + ADDEND_CYCLE + " and " + LATENCY);
            }
            first.sum().get(e).set(sum.value());
            second.sum().get(e).set(sum.value());
        }
    }
}
