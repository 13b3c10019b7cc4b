package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;
import java.util.function.Function;

/**
 * The engine's command slot: one matrix product at a time, and beside it one prefetched command, the product the
 * client means to run next. It takes a command while idle, a cycle after it is offered, and holds its fields until
 * the product is {@link #finished}; every other process but the weight loader counts within the running command's
 * bounds. The weight loader may read the prefetched command's first tiles ahead (docs/tlmm.md, "Running ahead"); a
 * command that equals the prefetched one, field for field, takes them over ({@link #prefetchTaken}); any other
 * command, or {@code drop}, discards them.
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
    /** Event: a command is prefetched this cycle, with fields {@link #prefetchOffered}. */
    private final Bool prefetchArrives;
    private final TlmmEngine.Command prefetchOffered;

    /** A value derived from the running command and the same from the prefetched one. */
    record Derived<T>(T running, T prefetched) {}

    CommandSlot(Stream<TlmmEngine.Command> command, Stream<TlmmEngine.Command> prefetch, Bool drop) {
        super("command", "holds the running command (taken while idle, released in the cycle its last result is"
                + " taken) and the prefetched one");
        active = reg("active", bool(), 0);
        cmd = reg("cmd", TlmmEngine.commandShape());
        finished = wire("finished", bool());
        // A command is taken once it has been offered for a cycle with the prefetched command unchanged, so whether
        // the two are the same is a register (for timing: the compare of every field lay on the path into the
        // weight loader's discard). A cycle a command; the offer holds still while it waits, as a stream's does.
        Bool judged = reg("command_judged", bool(), 0);
        command.ready.set(active.not().and(judged));
        // A judged command is still offered (a stream's offer holds until taken), so the take is the slot's own
        // registers alone (for timing: the client's valid, from its step, lay on the path into the weight
        // loader's discard).
        assertAlways(judged.not().or(command.valid), "TLMM command slot: a judged command is still offered");
        accepted = active.not().and(judged).named("accepted");
        offered = command.payload;
        when(accepted, () -> {
            active.set(true);
            assign(cmd, command.payload);
        });
        when(finished, () -> active.set(false));
        // Registered with the command (for timing: the subtractions lay in front of the units' compares).
        lastTile = regNextWhen("last_tile", command.payload.tiles().sub(1), accepted, 0);
        lastBlock = regNextWhen("last_block", command.payload.blocks().sub(1), accepted, 0);

        // ---- the prefetched command ----
        prefetchHeld = reg("prefetch_held", bool(), 0);
        prefetched = reg("prefetched", TlmmEngine.commandShape());
        prefetch.ready.set(prefetchHeld.not());
        Bool sameNow = asBits(command.payload).eq(asBits(prefetched)).named("prefetch_same_now");
        Bool same = regNext("prefetch_same", sameNow, 0);
        assertAlways(accepted.not().or(same.eq(sameNow)), "TLMM command slot: the command taken was judged against"
                + " the prefetched command as it is");
        prefetchTaken = accepted.and(prefetchHeld).and(same).named("prefetch_taken");
        // A command other than the prefetched one, or the client's drop, discards it; the prefetched command
        // taken leaves the slot too (its fields are now the running command's).
        prefetchDropped = prefetchHeld.and(drop.or(accepted.and(same.not()))).named("prefetch_dropped");
        when(accepted.or(drop), () -> prefetchHeld.set(false));
        prefetchArrives = prefetch.fire().named("prefetch_arrives");
        judged.set(command.valid.and(accepted.not()).and(prefetchArrives.not()));
        prefetchOffered = prefetch.payload;
        when(prefetchArrives, () -> {
            prefetchHeld.set(true);
            assign(prefetched, prefetch.payload);
        });
    }

    /**
     * {@code derive} of the running command and of the prefetched one, each registered in the cycle its command
     * is taken, so it is current whenever the command's fields are (for timing: the derivation is off the paths
     * that read it). The registers are named {@code name} and {@code prefetched_<name>}, in the caller's area.
     */
    <T> Derived<T> derived(String name, Function<TlmmEngine.Command, T> derive) {
        return new Derived<>(regNextWhen(name, derive.apply(offered), accepted, 0),
                regNextWhen("prefetched_" + name, derive.apply(prefetchOffered), prefetchArrives, 0));
    }
}
