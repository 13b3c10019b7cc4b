package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;

/**
 * The engine's command slot: one matrix product at a time, and beside it one prefetched command, the product the
 * client means to run next. It takes a command while idle and holds its fields until the product is
 * {@link #finished}; every other process but the weight loader counts within the running command's bounds. The
 * weight loader may read the prefetched command's first tiles ahead (docs/tlmm.md, "Running ahead"); a command
 * that equals the prefetched one, field for field, takes them over ({@link #prefetchTaken}); any other command, or
 * {@code drop}, discards them.
 */
final class CommandSlot extends Area {
    /** A command is running. */
    final Bool active;
    /** The running command's fields. */
    final TlmmEngine.Command cmd;
    /** Event: a command was taken this cycle (the per-command counters restart). */
    final Bool accepted;
    /** The fields of the command being offered (valid with {@link #accepted}). */
    final TlmmEngine.Command offered;
    /** Event, raised when every result of the command has been taken: the command ends this cycle. */
    final Bool finished;
    /** The command's last tile and last block (0-based). */
    final UInt lastTile;
    final UInt lastBlock;
    /** A prefetched command is held. */
    final Bool prefetchHeld;
    /** The prefetched command's fields (valid with {@link #prefetchHeld}). */
    final TlmmEngine.Command prefetched;
    /** Event, with {@link #accepted}: the command taken is the prefetched one. */
    final Bool prefetchTaken;
    /** Event: the prefetched command and whatever was read for it are to be discarded. */
    final Bool prefetchDropped;

    CommandSlot(Stream<TlmmEngine.Command> command, Stream<TlmmEngine.Command> prefetch, Bool drop) {
        super("command", "holds the running command (taken while idle, released in the cycle its last result is"
                + " taken) and the prefetched one");
        active = reg("active", bool(), 0);
        cmd = reg("cmd", TlmmEngine.commandShape());
        finished = wire("finished", bool());
        command.ready.set(active.not());
        accepted = command.fire().named("accepted");
        offered = command.payload;
        when(accepted, () -> {
            active.set(true);
            assign(cmd, command.payload);
        });
        when(finished, () -> active.set(false));
        lastTile = cmd.tiles().sub(1).named("last_tile");
        lastBlock = cmd.blocks().sub(1).named("last_block");

        // ---- the prefetched command ----
        prefetchHeld = reg("prefetch_held", bool(), 0);
        prefetched = reg("prefetched", TlmmEngine.commandShape());
        prefetch.ready.set(prefetchHeld.not());
        Bool same = asBits(command.payload).eq(asBits(prefetched)).named("prefetch_same");
        prefetchTaken = accepted.and(prefetchHeld).and(same).named("prefetch_taken");
        // A command other than the prefetched one, or the client's drop, discards it; the prefetched command
        // taken leaves the slot too (its fields are now the running command's).
        prefetchDropped = prefetchHeld.and(drop.or(accepted.and(same.not()))).named("prefetch_dropped");
        when(accepted.or(drop), () -> prefetchHeld.set(false));
        when(prefetch.fire(), () -> {
            prefetchHeld.set(true);
            assign(prefetched, prefetch.payload);
        });
    }
}
