package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import java.util.List;

/**
 * A slot's set of the partials and Z's lanes ({@link AttentionShape#slotSets}) and its place within the set:
 * slots from {@link AttentionShape#secondSetBase} on are the second set's.
 *
 * @param second the slot is in the second set (always false with one set)
 * @param local  the slot's index within its set
 */
record SlotSet(Bool second, UInt local) {
    static SlotSet of(String name, AttentionShape shape, UInt physical) {
        int localBits = log2Up(shape.setSlots());
        if (shape.slotSets() == 1) {
            return new SlotSet(FALSE, physical.resize(localBits));
        }
        int base = shape.secondSetBase();
        Bool second = physical.ge(base).named(name + "_second_set");
        UInt local = mux(second, physical.sub(base).trunc(widthOf(physical)), physical).resize(localBits)
                .named(name + "_set_slot");
        return new SlotSet(second, local);
    }

    /** Whether {@code second} names set {@code h}. */
    static Bool is(Bool second, int h) {
        return h == 1 ? second : second.not();
    }

    /** The value of the set {@code second} names, from one value per set. */
    static Bits pick(String name, Bool second, List<Bits> perSet) {
        return perSet.size() == 1 ? perSet.getFirst() : mux(second, perSet.get(1), perSet.get(0)).named(name);
    }

    /**
     * Bit h: a command of {@code slots} slots from {@code base} has slots in set h of the value partials
     * ({@link AttentionShape#slotSets} bits; with one set, the one bit is always set).
     */
    static Bits uses(AttentionShape shape, UInt base, UInt slots) {
        if (shape.slotSets() == 1) {
            return B(1, 1);
        }
        int second = shape.secondSetBase();
        Bool inFirst = base.lt(second);
        Bool inSecond = base.resize(9).add(slots.resize(9)).trunc(9).gt(second);
        return cat(inSecond, inFirst);
    }

    /** Whether two commands' {@link #uses} share a set: always with one set. */
    static Bool shared(AttentionShape shape, Bits uses, Bits otherUses) {
        if (shape.slotSets() == 1) {
            return TRUE;
        }
        return uses.and(otherUses).asUInt().ne(0);
    }
}
