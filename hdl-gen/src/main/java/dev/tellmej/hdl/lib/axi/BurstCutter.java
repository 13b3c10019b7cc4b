package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.lib.Stream;

/**
 * Cuts commands into INCR bursts, the address side the reader and the writer share. A burst ends at the
 * next multiple of the longest burst's bytes (or at the end of the command), so an unaligned start gives
 * one short burst and every later one is aligned; since the longest burst divides 4 KB, no burst crosses a
 * 4 KB boundary. The next burst ({@link #address}, {@link #beats}, {@link #lastOfCommand}) is registered: its
 * length and whether it ends the command are computed when the command is taken (from its address and beats)
 * or when a burst is issued (the next one starts on a boundary, so only the beats left decide), so the address
 * channel's valid and length start from registers. Commands enter through a register stage
 * ({@link Stream#stage}), so that arithmetic starts from registers too, whatever computes a command. A new command
 * is taken when none is in progress or in the cycle its last burst is issued, so back-to-back commands issue a
 * burst every cycle. Cost: the command stage, an address register and adder, a beat counter and subtractor, a
 * burst-length register and two comparators of a beat count against the distance to the boundary. A process of
 * its engine ({@code area(new BurstCutter(...))}), named {@code <name>_bursts}.
 */
final class BurstCutter extends Area {
    /** A burst waits to be issued. */
    final Bool pending;
    /** Its first byte (beat-aligned). */
    final UInt address;
    /** Its length in beats, 1 to the longest burst. */
    final UInt beats;
    /** It is the last burst of its command. */
    final Bool lastOfCommand;
    /** A burst is pending or a command waits in the command stage: the engine is not idle. */
    final Bool busy;
    /** The command stage is empty (a register's complement): a command offered now is taken at this edge. */
    final Bool commandFree;
    private final Bool issued;
    private boolean connected;

    /** Takes commands from {@code command} (drives its ready); names its registers {@code name_...}. */
    BurstCutter(String name, AxiBurstConfig config, Stream<BurstCommand> commandIn) {
        super(name + "_bursts", "cuts each command into INCR bursts that end at multiples of the longest burst,"
                + " so none crosses 4 KB");
        int shift = config.beatShift();
        int addressWidth = config.axi().addressWidth();
        int longest = config.burstBeats();
        int beatBits = bitsFor(longest);
        Stream<BurstCommand> command = commandIn.stage(name + "_command");
        commandFree = command.valid.not();
        address = reg(name + "_address", uint(addressWidth), 0);
        UInt remaining = reg(name + "_remaining", uint(config.lengthBits()), 0);
        issued = wire(name + "_issued", bool());
        // A burst is pending while beats remain: a flag set with the count (for timing: the count's zero test lay
        // in front of every user of the engine's idle). A burst that is not its command's last leaves beats.
        pending = reg(name + "_pending", bool(), 0);
        assertAlways(pending.eq(remaining.ne(0)), "BurstCutter: the pending flag follows the beats remaining");
        busy = pending.or(command.valid).named(name + "_busy");
        // With no command, remaining is 0: the last burst, of 0 beats (as the reset values say).
        lastOfCommand = reg(name + "_last_of_command", bool(), 1);
        beats = reg(name + "_beats", uint(beatBits), 0);

        command.ready.set(pending.not().or(issued.and(lastOfCommand)));
        UInt alignedStart = shift == 0 ? command.payload.address()
                : cat(command.payload.address().slice(addressWidth - 1, shift), B(0, shift)).asUInt();
        UInt toBoundary;
        if (longest == 1) {
            toBoundary = U(1, beatBits);
        } else {
            int burstShift = Integer.numberOfTrailingZeros(longest);
            UInt offset = alignedStart.slice(shift + burstShift - 1, shift);
            toBoundary = U(longest, beatBits).sub(offset.zext(beatBits)).named(name + "_to_boundary");
        }
        UInt step = shift == 0 ? beats.zext(addressWidth) : beats.zext(addressWidth - shift).shl(shift);
        UInt left = remaining.sub(beats.resize(config.lengthBits())).named(name + "_left");
        when(command.fire(), () -> {
            address.set(alignedStart);
            remaining.set(command.payload.beats());
            pending.set(command.payload.beats().ne(0));
            Bool last = command.payload.beats().le(toBoundary);
            lastOfCommand.set(last);
            beats.set(mux(last, command.payload.beats().resize(beatBits), toBoundary));
        }).elseWhen(issued, () -> {
            // A burst that does not end its command ends on a boundary: the next one may be the longest.
            address.set(address.add(step));
            remaining.set(left);
            pending.set(lastOfCommand.not());
            Bool last = left.le(longest);
            lastOfCommand.set(last);
            beats.set(mux(last, left.resize(beatBits), U(longest, beatBits)));
        });
    }

    /** Declares the edge at which the pending burst is accepted (its address handshake); call once. */
    void issue(Bool fire) {
        if (connected) {
            throw new HdlUsageException("BurstCutter: issue(...) was already called");
        }
        connected = true;
        issued.set(fire);
    }
}
