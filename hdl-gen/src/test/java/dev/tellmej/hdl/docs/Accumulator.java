package dev.tellmej.hdl.docs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;

/** A signed accumulator with an opcode: width rules, switch, and last-assignment-wins. */
public final class Accumulator extends Module {
    // doc:begin accumulator
    public final UInt opcode = in("opcode", uint(2));
    public final SInt operand = in("operand", sint(8));
    public final SInt total = out("total", sint(12));
    public final Bits flags = out("flags", bits(2));

    public Accumulator() {
        SInt acc = reg("acc", sint(12), 0);
        SInt widened = operand.sext(12);              // explicit: SInt(8) -> SInt(12)
        switchOn(opcode)
                .is(0, () -> { })                     // hold: a register keeps its value
                .is(1, () -> acc.set(acc.add(widened)))
                .is(2, () -> acc.set(acc.sub(widened)))
                .otherwise(() -> acc.set(0));
        total.set(acc);
        flags.set(cat(acc.isNegative(), acc.eq(0)));  // Bits(2), first argument most significant
    }
    // doc:end accumulator
}
