package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;

/**
 * Walks the slots of an {@link AttentionUnit} command in order and knows each one's context and its place in the
 * unit's per-slot stores ({@link #physical}, the command's base plus the slot): slot
 * {@code s = token * heads + head} attends to {@code first + token} positions (a prefill block's tokens are
 * consecutive positions; a GQA group's heads of one token share them). Each pass of the unit has its own walker,
 * so no pass waits for another's indices and no division is needed.
 */
final class SlotWalker extends Area {
    /** The current slot of the command. */
    final UInt slot;
    /** The current slot's place in the per-slot stores: the command's base plus {@link #slot}. */
    final UInt physical;
    /** Positions the current slot attends to. */
    final UInt positions;
    /** {@link #positions} + 1 (wrapping at its width), a register kept beside it: the next token's positions. */
    final UInt nextPositions;
    /** The current slot is the command's last. */
    final Bool last;
    /** Event: the walker goes on to the next token's slots ({@link #positions} grows by one next cycle). */
    final Bool nextToken;
    /**
     * Bit {@code j} is {@code positions > j}, for the first {@code reachLanes} lanes of a reduction (a register kept
     * beside {@link #positions}, for timing: the compares lay between the count and the reduction's inputs); null
     * when the walker was built without them.
     */
    final Bits reached;

    /**
     * @param name    the walker's name (the pass it serves)
     * @param restart event: go back to slot 0
     * @param advance event: go to the next slot
     */
    SlotWalker(String name, AttentionShape shape, CommandFields command, Bool restart, Bool advance) {
        this(name, shape, command, restart, advance, 0);
    }

    /**
     * @param reachLanes the lanes {@link #reached} covers, 0 for none
     */
    SlotWalker(String name, AttentionShape shape, CommandFields command, Bool restart, Bool advance,
            int reachLanes) {
        super(name, "the slot this pass is at, its head within its token and the positions it attends to");
        slot = reg(name + "_slot", uint(shape.slotBits()), 0);
        UInt head = reg(name + "_head", uint(8), 0);
        positions = reg(name + "_positions", uint(shape.positionBits()), 0);
        // For timing: the increment lay in front of the walks' rows of a chunk, computed for the next token.
        nextPositions = reg(name + "_next_positions", uint(shape.positionBits()), 1);
        assertAlways(nextPositions.eq(positions.add(1).trunc(shape.positionBits())), "SlotWalker: the next token's"
                + " positions follow the positions");
        physical = slot.add(command.base()).trunc(shape.slotBits()).named(name + "_physical");
        last = slot.resize(8).eq(command.slots().sub(1).trunc(8)).named(name + "_last");
        Bool lastHead = head.eq(command.heads().sub(1).trunc(8)).named(name + "_last_head");
        nextToken = restart.not().and(advance).and(lastHead).named(name + "_next_token");
        reached = reachLanes == 0 ? null : reg(name + "_reached", bits(reachLanes), 0);
        if (reached != null) {
            Bool[] first = new Bool[reachLanes];
            Bool[] expected = new Bool[reachLanes];
            for (int j = 0; j < reachLanes; j++) {
                first[reachLanes - 1 - j] = command.firstPositions().gt(j);
                expected[reachLanes - 1 - j] = positions.gt(j);
            }
            // One more position: lane j is reached when lane j - 1 was, lane 0 always.
            Bits grown = reachLanes == 1 ? B(1, 1) : cat(reached.slice(reachLanes - 2, 0), TRUE);
            when(restart, () -> reached.set(cat(first))).elseWhen(advance.and(lastHead), () -> reached.set(grown));
            assertAlways(reached.eq(cat(expected)), "SlotWalker: the lanes reached follow the positions");
        }
        when(restart, () -> {
            slot.set(0);
            head.set(0);
            positions.set(command.firstPositions());
            nextPositions.set(command.firstPositions().add(1).trunc(shape.positionBits()));
        }).elseWhen(advance, () -> {
            slot.set(slot.add(1).trunc(shape.slotBits()));
            head.set(head.add(1).trunc(8));
            when(lastHead, () -> {
                head.set(0);
                positions.set(nextPositions);
                nextPositions.set(nextPositions.add(1).trunc(shape.positionBits()));
            });
        });
    }
}
