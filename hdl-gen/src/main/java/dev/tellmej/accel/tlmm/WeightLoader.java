package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Flow;
import dev.tellmej.hdl.lib.axi.Axi4;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams the matrix's tiles into the weight buffer: starts every port on a tile at once, into a free buffer
 * half, while the sweep computes the other half; tracks how many of the tile's blocks have arrived, so the
 * sweep may start on a tile before all of it is there. Once per chunk of tokens it goes through all tiles.
 *
 * <p>A buffer half is <em>busy</em> from the start of its load until the sweep's last reads of it have passed
 * ({@link #halfReleased}), and <em>loaded</em> from the end of its load until the cycle after the sweep has issued
 * its last read ({@link #halfSwept}).
 *
 * <p>It runs ahead: once every load of the running command is done (or no command runs) and a command is
 * prefetched ({@link CommandSlot#prefetched}), it goes on with the prefetched command's tiles, into whichever half
 * is free, in the order the sweep will take them; a tile's weights depend on nothing a product computes. The
 * command that takes the prefetch over finds them there; a drop discards them (after a load in flight has ended)
 * and puts the loader back on the sweep's half.
 */
final class WeightLoader extends Area {
    /** The weight buffer the ports write and the sweep reads. */
    final WeightBuffer buffer;
    /** A load is running (for the running command or ahead). */
    final Bool running;
    /** A load for the running command is running: its blocks count for the sweep. */
    final Bool arriving;
    /** A load is running or one is being discarded: the weight ports may still read DDR. */
    final Bool loading;
    /** The half the sweep is on, driven by the sweep (where a discard puts the loader back). */
    final Bool sweepHalf;
    /** The half the running (or next) load fills. */
    final Bool half;
    /** Per half: a whole tile is there. */
    final Vec<Bool> loaded;
    /** Blocks of the running load that every port has written (shown once the words are in the buffer). */
    final UInt blocksArrived;
    /**
     * A port ended a load of the running command with an error: the command's beats and words disagreed, or a
     * region was not beat-aligned. Cleared when the next command is accepted.
     */
    final Bool failed;
    /** Events, raised by the sweep per half: it issued the last read of the half's tile in the cycle before. */
    final Vec<Bool> halfSwept;
    /** Events, raised by the sweep per half: the last reads of the half's tile have left the buffer. */
    final Vec<Bool> halfReleased;

    WeightLoader(TlmmConfig config, CommandSlot command, List<Axi4> axiPorts) {
        super("weight_loader", "streams each tile of the matrix into a free half of the weight buffer over every"
                + " AXI port, once per chunk of tokens, and counts the blocks that have arrived");
        List<WeightPort> ports = new ArrayList<>();
        for (int p = 0; p < config.ports(); p++) {
            WeightPort port = instance("weights" + p, new WeightPort(config));
            forward(axiPorts.get(p), port.axi);
            ports.add(port);
        }
        buffer = instance("buffer", new WeightBuffer(config));
        for (int p = 0; p < config.ports(); p++) {
            assign(buffer.writes.get(p), ports.get(p).write);
        }
        halfSwept = wire("half_swept", vec(2, bool()));
        halfReleased = wire("half_released", vec(2, bool()));
        sweepHalf = wire("sweep_weight_half", bool());
        running = reg("load_running", bool(), 0);
        half = reg("load_half", bool(), 0);
        UInt tile = reg("load_tile", uint(16), 0);
        UInt tokens = reg("load_tokens", uint(16), 0);             // tokens before the chunk being loaded
        UInt tileBase = reg("load_tile_base", uint(64), 0);
        Bool allLoaded = reg("loads_finished", bool(), 0);
        Vec<Bool> busy = reg("half_busy", vec(2, bool()), 0);
        loaded = reg("half_loaded", vec(2, bool()), 0);
        Vec<Bool> portFinished = reg("port_finished", vec(config.ports(), bool()), 0);
        // Running ahead: the loader's counters are the prefetched command's; a discard waits for the load in flight.
        Bool ahead = reg("load_ahead", bool(), 0);
        Bool discarding = reg("load_discarding", bool(), 0);
        Bool aheadFailed = reg("load_ahead_error", bool(), 0);
        TlmmEngine.Command cmd = mux(ahead, command.prefetched, command.cmd);

        Bool lastTile = tile.eq(cmd.tiles().sub(1)).named("load_last_tile");
        Bool freeHalf = mux(half, busy.get(1), busy.get(0)).not().named("free_half");
        // A port is started only when idle, with no burst of its previous load in flight (AXI masters never
        // reuse a port with requests outstanding; the port's done already waits for that).
        Bool portsIdleNow = ports.getFirst().idle;
        for (WeightPort port : ports.subList(1, ports.size())) {
            portsIdleNow = portsIdleNow.and(port.idle);
        }
        portsIdleNow = portsIdleNow.named("ports_idle_now");
        // Taken a cycle late (for timing: the readers' burst state lay on the path through the ports' idle into the
        // load's start). A late "idle" is stale only in the cycles after a start, while the load runs and no other
        // can start; an assertion holds that every start finds the ports idle.
        Bool portsIdle = regNext("ports_idle", portsIdleNow, 0);
        Bool start = command.active.or(ahead).and(running.not()).and(allLoaded.not()).and(freeHalf).and(portsIdle)
                .and(discarding.not()).named("start_load");
        assertAlways(start.not().or(portsIdleNow), "WeightLoader: a load starts only on idle ports");
        UInt tileStride = cmd.regionStride().timesConstant(config.ports(), 64).named("tile_stride");
        // Each port's load is registered before the port (for timing: the command's select, the last-tile compare
        // and the port's own checks of the load were one path): the ports start a cycle after this process counts
        // the load as running. The registers have resets (a Flow stage's payload has none), so the formal check
        // starts from a known load.
        Bool portsStarting = regNext("ports_start", start, 0);
        int portBits = bitsFor(config.ports() - 1);
        for (int p = 0; p < config.ports(); p++) {
            WeightPort port = ports.get(p);
            int index = p;
            // The port's region within the tile, derived with each command (the product and its select lay in
            // front of the address's sum).
            CommandSlot.Derived<UInt> offsets = command.derived("port" + p + "_region_offset",
                    c -> c.regionStride().timesConstant(index, 32 + portBits));
            UInt regionOffset = mux(ahead, offsets.prefetched(), offsets.running());
            WeightPort.Load load = new WeightPort.Load(
                    tileBase.add(regionOffset.zext(64)).trunc(64),
                    mux(lastTile, cmd.beatsLast(), cmd.beatsFull()), mux(lastTile, cmd.wordsLast(), cmd.wordsFull()),
                    cmd.groupsOfTile(lastTile), cmd.blocks(), cmd.lastClass(), half);
            new Flow<>(portsStarting, regNextWhen("port" + p + "_load", load, start, 0)).connectTo(port.start);
            when(port.done, () -> portFinished.get(index).set(true));
        }
        failed = reg("load_error", bool(), 0);
        for (WeightPort port : ports) {
            when(port.done.and(port.error), () -> {
                when(ahead, () -> aheadFailed.set(true)).otherwise(() -> failed.set(true));
            });
        }
        Bool allPortsDone = TRUE;
        for (int p = 0; p < config.ports(); p++) {
            allPortsDone = allPortsDone.and(portFinished.get(p).or(ports.get(p).done));
        }
        Bool complete = running.and(allPortsDone).named("load_complete");
        // Whether the load that completes is its command's last tile, registered (for timing: the command select,
        // the tile count's subtraction and the compare lay on the path into the completion's updates). Nothing it
        // depends on changes from a load's start to its completion, a cycle later at the earliest.
        Bool lastTileLoaded = regNext("load_last_tile_q", lastTile, 0);
        assertAlways(complete.not().or(lastTileLoaded.eq(lastTile)), "WeightLoader: the last-tile flag is current"
                + " when a load completes");
        // The next tile's base, registered the same way (the 64-bit sum lay in front of the base's multiplexer).
        UInt nextTileBase = regNext("load_next_tile_base", tileBase.add(tileStride).trunc(64), 0);
        assertAlways(complete.and(lastTileLoaded.not()).not().or(nextTileBase.eq(tileBase.add(tileStride)
                .trunc(64))), "WeightLoader: the next tile's base is current when a load completes");
        // The tokens after the chunk, registered the same way, and whether they are the command's all: the chunk
        // is the last when the tokens left fit the engine (the subtraction, the clamp, the sum and a compare with
        // the command's tokens lay on the path into loads_finished).
        UInt remaining = cmd.tokens().sub(tokens).named("load_tokens_left");
        Bool lastChunk = remaining.le(config.maxTokens()).named("load_last_chunk");
        // tokens + remaining is the command's tokens: no sum after the compare.
        UInt tokensAfter = mux(lastChunk, cmd.tokens(), tokens.add(U(config.maxTokens(), 16)))
                .named("load_tokens_after");
        UInt tokensAfterQ = regNext("load_tokens_after_q", tokensAfter, 0);
        Bool allTokensQ = regNext("load_all_tokens_q", lastChunk, 0);
        assertAlways(complete.not().or(tokensAfterQ.eq(tokensAfter)), "WeightLoader: the tokens after the chunk"
                + " are current when a load completes");
        UInt arrived = least(ports.stream().map(port -> port.blocksDone).toList());
        // The ports' least count (a tree of comparisons, log2 of the ports deep), registered (the comparisons end
        // here, not in the sweep's issue): a cycle late, so never more than has arrived, and cleared until the
        // ports' counts restart with their load.
        UInt arrivedQ = reg("blocks_arrived", uint(16), 0);
        arrivedQ.set(mux(start.or(portsStarting), U(0, 16), arrived));
        blocksArrived = arrivedQ;

        when(start, () -> {
            running.set(true);
            busy.get(0).set(mux(half, busy.get(0), TRUE));
            busy.get(1).set(mux(half, TRUE, busy.get(1)));
        });
        assertAlways(complete.not().or(mux(half, halfSwept.get(1), halfSwept.get(0)).not()),
                "WeightLoader: no load completes into a half the sweep is clearing");
        when(complete, () -> {
            running.set(false);
            for (int p = 0; p < config.ports(); p++) {
                portFinished.get(p).set(false);
            }
            when(half, () -> loaded.get(1).set(true)).otherwise(() -> loaded.get(0).set(true));
            half.set(half.not());
            when(lastTileLoaded, () -> {
                tile.set(0);
                tileBase.set(cmd.address());
                tokens.set(tokensAfterQ);
                when(allTokensQ, () -> allLoaded.set(true));
            }).otherwise(() -> {
                tile.set(tile.add(1));
                tileBase.set(nextTileBase);
            });
        });
        // The sweep's events come after this process's own updates, so a release wins over a start of the
        // other half in the same cycle.
        for (int h = 0; h < 2; h++) {
            int which = h;
            when(halfSwept.get(which), () -> loaded.get(which).set(false));
        }
        for (int h = 0; h < 2; h++) {
            int which = h;
            when(halfReleased.get(which), () -> busy.get(which).set(false));
        }
        // The running command's end restarts the counters, unless they are already the prefetched command's.
        when(command.finished.and(ahead.not()), () -> {
            allLoaded.set(false);
            tokens.set(0);
            tileBase.set(command.cmd.address());
        });
        Bool takenAhead = command.prefetchTaken.and(ahead).named("load_ahead_taken");
        when(command.accepted, () -> {
            when(takenAhead, () -> {
                // The loads so far were this command's: the counters go on, and their errors are its own.
                ahead.set(false);
                failed.set(aheadFailed);
                aheadFailed.set(false);
            }).otherwise(() -> {
                tileBase.set(command.offered.address());
                failed.set(false);
            });
        });
        // Going ahead: every load of the running command is done (or none runs) and a prefetched command waits.
        Bool goAhead = command.prefetchHeld.and(ahead.not()).and(running.not()).and(discarding.not())
                .and(command.active.not().or(allLoaded)).and(command.accepted.not()).named("load_go_ahead");
        when(goAhead, () -> {
            ahead.set(true);
            tile.set(0);
            tokens.set(0);
            allLoaded.set(false);
            tileBase.set(command.prefetched.address());
        });
        // A discard of what was read ahead, once no load is in flight: nothing in the buffer is the running
        // command's (a drop comes with no command running, a command other than the prefetched one before any of
        // its loads), so both halves are emptied and the loader goes back to the sweep's half.
        Bool discardAsked = command.prefetchDropped.and(ahead).named("load_discard_asked");
        when(discardAsked, () -> discarding.set(true));
        Bool discardNow = discarding.or(discardAsked).and(running.not().or(complete)).named("load_discard");
        when(discardNow, () -> {
            discarding.set(false);
            ahead.set(false);
            aheadFailed.set(false);
            running.set(false);
            for (int h = 0; h < 2; h++) {
                busy.get(h).set(false);
                loaded.get(h).set(false);
            }
            half.set(sweepHalf);
            tile.set(0);
            tokens.set(0);
            allLoaded.set(false);
            tileBase.set(mux(command.accepted, command.offered.address(), command.cmd.address()));
        });
        arriving = running.and(ahead.not()).and(discarding.not()).named("load_arriving");
        loading = running.or(discarding).named("load_in_flight");
    }

    /** The least of the counts, as a balanced tree of comparisons (pairs, then pairs of pairs). */
    private static UInt least(List<UInt> counts) {
        if (counts.size() == 1) {
            return counts.getFirst();
        }
        UInt low = least(counts.subList(0, counts.size() / 2));
        UInt high = least(counts.subList(counts.size() / 2, counts.size()));
        return mux(high.lt(low), high, low);
    }
}
