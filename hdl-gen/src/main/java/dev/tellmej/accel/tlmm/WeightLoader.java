package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.axi.Axi4;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams the matrix's tiles into the weight buffer: starts every port on a tile at once, into a free buffer
 * half, while the sweep computes the other half; tracks how many of the tile's blocks have arrived, so the
 * sweep may start on a tile before all of it is there. Once per chunk of tokens it goes through all tiles.
 *
 * <p>A buffer half is <em>busy</em> from the start of its load until the sweep's last reads of it have passed
 * ({@link #halfReleased}), and <em>loaded</em> from the end of its load until the sweep has issued its last
 * read ({@link #halfSwept}).
 */
final class WeightLoader extends Area {
    /** The weight buffer the ports write and the sweep reads. */
    final WeightBuffer buffer;
    /** A load is running. */
    final Bool running;
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
    /** Events, raised by the sweep per half: it issued the last read of the half's tile. */
    final Vec<Bool> halfSwept;
    /** Events, raised by the sweep per half: the last reads of the half's tile have left the buffer. */
    final Vec<Bool> halfReleased;

    WeightLoader(TlmmConfig config, CommandSlot command, List<Axi4> axiPorts) {
        super("weight_loader", "streams each tile of the matrix into a free half of the weight buffer over every"
                + " AXI port, once per chunk of tokens, and counts the blocks that have arrived");
        TlmmEngine.Command cmd = command.cmd;
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
        running = reg("load_running", bool(), 0);
        half = reg("load_half", bool(), 0);
        UInt tile = reg("load_tile", uint(16), 0);
        UInt tokens = reg("load_tokens", uint(16), 0);             // tokens before the chunk being loaded
        UInt tileBase = reg("load_tile_base", uint(64), 0);
        Bool allLoaded = reg("loads_finished", bool(), 0);
        Vec<Bool> busy = reg("half_busy", vec(2, bool()), 0);
        loaded = reg("half_loaded", vec(2, bool()), 0);
        Vec<Bool> portFinished = reg("port_finished", vec(config.ports(), bool()), 0);

        Bool lastTile = tile.eq(command.lastTile).named("load_last_tile");
        Bool freeHalf = mux(half, busy.get(1), busy.get(0)).not().named("free_half");
        // A port is started only when idle, with no burst of its previous load in flight (AXI masters never
        // reuse a port with requests outstanding; the port's done already waits for that).
        Bool portsIdle = TRUE;
        for (WeightPort port : ports) {
            portsIdle = portsIdle.and(port.idle);
        }
        Bool start = command.active.and(running.not()).and(allLoaded.not()).and(freeHalf).and(portsIdle)
                .named("start_load");
        UInt tileStride = cmd.regionStride().zext(64).mul(U(config.ports())).trunc(64).named("tile_stride");
        for (int p = 0; p < config.ports(); p++) {
            WeightPort port = ports.get(p);
            int index = p;
            port.start.valid.set(start);
            port.start.payload.address().set(tileBase.add(cmd.regionStride().zext(64).mul(U(index, 8)).trunc(64)));
            port.start.payload.beats().set(mux(lastTile, cmd.beatsLast(), cmd.beatsFull()));
            port.start.payload.words().set(mux(lastTile, cmd.wordsLast(), cmd.wordsFull()));
            port.start.payload.groups().set(mux(lastTile, cmd.lastTileGroups(), cmd.tileGroups()));
            port.start.payload.blocks().set(cmd.blocks());
            port.start.payload.lastClass().set(cmd.lastClass());
            port.start.payload.half().set(half);
            when(port.done, () -> portFinished.get(index).set(true));
        }
        failed = reg("load_error", bool(), 0);
        for (WeightPort port : ports) {
            when(port.done.and(port.error), () -> failed.set(true));
        }
        Bool allPortsDone = TRUE;
        for (int p = 0; p < config.ports(); p++) {
            allPortsDone = allPortsDone.and(portFinished.get(p).or(ports.get(p).done));
        }
        Bool complete = running.and(allPortsDone).named("load_complete");
        UInt arrived = ports.getFirst().blocksDone;
        for (int p = 1; p < config.ports(); p++) {
            UInt other = ports.get(p).blocksDone;
            arrived = mux(other.lt(arrived), other, arrived);
        }
        // The ports' least count, registered (the chain of comparisons ends here, not in the sweep's issue): a
        // cycle late, so never more than has arrived, and cleared with the ports' counts when a load starts.
        UInt arrivedQ = reg("blocks_arrived", uint(16), 0);
        arrivedQ.set(mux(start, U(0, 16), arrived));
        blocksArrived = arrivedQ;

        when(start, () -> {
            running.set(true);
            busy.get(0).set(mux(half, busy.get(0), TRUE));
            busy.get(1).set(mux(half, TRUE, busy.get(1)));
        });
        when(complete, () -> {
            running.set(false);
            for (int p = 0; p < config.ports(); p++) {
                portFinished.get(p).set(false);
            }
            when(half, () -> loaded.get(1).set(true)).otherwise(() -> loaded.get(0).set(true));
            half.set(half.not());
            when(lastTile, () -> {
                tile.set(0);
                tileBase.set(cmd.address());
                UInt remaining = cmd.tokens().sub(tokens);
                UInt tokensAfter = tokens.add(mux(remaining.gt(config.maxTokens()), U(config.maxTokens(), 16),
                        remaining)).named("load_tokens_after");
                tokens.set(tokensAfter);
                when(tokensAfter.eq(cmd.tokens()), () -> allLoaded.set(true));
            }).otherwise(() -> {
                tile.set(tile.add(1));
                tileBase.set(tileBase.add(tileStride));
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
        when(command.finished, () -> {
            allLoaded.set(false);
            tokens.set(0);
            tileBase.set(cmd.address());
        });
        when(command.accepted, () -> {
            tileBase.set(command.offered.address());
            failed.set(false);
        });
    }
}
