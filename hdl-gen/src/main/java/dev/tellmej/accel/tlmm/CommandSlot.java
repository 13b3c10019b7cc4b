package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;

/**
 * The engine's command slot: one matrix product at a time. It takes a command while idle and holds its fields
 * until the product is {@link #finished}; every other process counts within the command's bounds.
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

    CommandSlot(Stream<TlmmEngine.Command> command) {
        super("command", "holds the running command: taken while idle, released in the cycle its last result is"
                + " taken");
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
    }
}
