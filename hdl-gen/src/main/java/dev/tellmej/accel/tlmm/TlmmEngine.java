package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.SInt;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.axi.Axi4;
import dev.tellmej.hdl.lib.axi.Axi4Config;
import java.util.ArrayList;
import java.util.List;

/**
 * The table-lookup ternary matrix engine (docs/tlmm.md): int8 activations in, int32 accumulators out,
 * ternary weights streamed from DDR over {@link TlmmConfig#ports()} AXI4 read ports.
 *
 * <p>A {@link #command} (the fields of {@link TlmmCommand}, computed by {@link TlmmLayout}) multiplies one
 * matrix by {@code tokens} activation vectors. The engine is seven processes ({@link dev.tellmej.hdl.Area}s),
 * each a class of this package that owns its registers and raises events for the others:
 * <ul>
 *   <li>the <b>command slot</b> ({@link CommandSlot}) holds the running command and a prefetched one;
 *   <li>the <b>activation loader</b> ({@link ActivationLoader}) stores up to {@link TlmmConfig#maxTokens()}
 *       tokens (a chunk) from {@link #activations}: per token {@code blocks x 3T / A} beats of A bytes, the bytes
 *       past the matrix's inputs don't-care (their weights are zero);
 *   <li>the <b>weight loader</b> ({@link WeightLoader}) streams each tile of the matrix into one half of the
 *       {@link WeightBuffer} while the other half is computed (once per chunk), and runs ahead into the
 *       {@link #prefetch}ed command's tiles once the running command's are all in;
 *   <li>the <b>table builder</b> ({@link TableBuilder}) writes, for each (token, block), the 27 entries of the
 *       T tables into every lane's table half, one entry per cycle, a block ahead of the sweep;
 *   <li>the <b>sweep</b> ({@link Sweep}) reads one (block, row group) of index words per cycle for all Q lanes;
 *   <li>the <b>lookup lanes</b> ({@link LookupArray}) add their T table lookups to the row group's accumulator,
 *       and on the last block the sums leave;
 *   <li>the <b>result queue</b> ({@link ResultQueue}) holds the sums for {@link #results}, with credits that
 *       keep the lanes from ever stalling.
 * </ul>
 * Compute on a tile starts as soon as its first block has arrived, so a matrix takes about
 * max(DDR time, compute time), not their sum.
 *
 * <p>The table builder and the sweep go through a tile block by block, and within a block token by token,
 * so every token of a chunk works on a block as soon as it has arrived. {@link #results} carries Q sums per
 * beat: for each chunk of tokens, for each tile, for each token of the chunk, for each row group g of the
 * tile, rows {@code (tile start + g) Q + 0 .. Q - 1} (rows past the
 * matrix are 0). {@link #done} pulses when the last beat of a command has been taken.
 */
public final class TlmmEngine extends Module {
    /** The command port's fields; see {@link TlmmCommand}. */
    public record Command(UInt address, UInt blocks, UInt lastClass, UInt tokens, UInt tiles, UInt tileGroups,
            UInt lastTileGroups, UInt regionStride, UInt beatsFull, UInt beatsLast, UInt wordsFull, UInt wordsLast) {
        /** The row groups of a tile: the last tile's ({@code lastTile}) or a full tile's, 16 bits. */
        public UInt groupsOfTile(Bool lastTile) {
            return mux(lastTile, lastTileGroups, tileGroups);
        }
    }

    public final Stream<Command> command;
    /**
     * The command the client means to run next, taken while the running one computes: the weight loader reads its
     * first tiles ahead once the running command's are all in. A later {@link #command} equal to it field for field
     * takes them over; any other command, or {@link #drop}, discards them. Ready while no prefetch is held.
     */
    public final Stream<Command> prefetch;
    /** Discards the prefetched command and what was read for it (only while no command runs). */
    public final Bool drop;
    /** The weight ports may still be reading DDR: a load is running, or one is ending to be discarded. */
    public final Bool loading;
    public final Bool done;
    public final Bool busy;
    /**
     * High from the moment a weight port ended a load of the running command with an inconsistent command (beats
     * that disagree with the words, an empty load, an unaligned region) until the next command is accepted; the
     * engine still finishes the command, with undefined results, and never lets the surplus into another load.
     */
    public final Bool error;
    public final Stream<Bits> activations;
    public final Stream<Vec<SInt>> results;
    public final List<Axi4> weightPorts = new ArrayList<>();
    private final TlmmConfig config;

    /** The command template: the width of every field. */
    public static Command commandShape() {
        return new Command(uint(64), uint(16), uint(2), uint(16), uint(16), uint(16), uint(16), uint(32), uint(32),
                uint(32), uint(32), uint(32));
    }

    public TlmmEngine(TlmmConfig config) {
        this.config = config;
        baseName("TlmmEngine_" + config.name().replace('-', '_'));
        command = in("command", Stream.of(commandShape()));
        prefetch = in("prefetch", Stream.of(commandShape()));
        drop = in("drop", bool());
        loading = out("loading", bool());
        done = out("done", bool());
        busy = out("busy", bool());
        error = out("error", bool());
        activations = in("activations", Stream.of(bits(8 * config.activationBytes())));
        results = out("results", Stream.of(vec(config.columns(), sint(TlmmConfig.ACCUMULATOR_BITS))));
        for (int p = 0; p < config.ports(); p++) {
            weightPorts.add(out("m_axi_w" + p, Axi4.master(Axi4Config.of(config.portDataBits()))));
        }

        CommandSlot slot = area(new CommandSlot(command, prefetch, drop));
        ActivationLoader activationLoader = area(new ActivationLoader(config, slot, activations));
        WeightLoader weightLoader = area(new WeightLoader(config, slot, weightPorts));
        TableBuilder tableBuilder = area(new TableBuilder(config, slot, activationLoader));
        ResultQueue resultQueue = area(new ResultQueue(config, results));
        Sweep sweep = area(new Sweep(config, slot, tableBuilder, weightLoader, resultQueue));
        area(new LookupArray(config, sweep, tableBuilder, weightLoader.buffer, resultQueue));

        // The command ends when every step has been issued and every result taken.
        slot.finished.set(slot.active.and(sweep.finished).and(resultQueue.drained));
        done.set(slot.finished);
        busy.set(slot.active);
        error.set(weightLoader.failed);
        loading.set(weightLoader.loading);
        assertAlways(drop.not().or(slot.active.not()), "TlmmEngine: a prefetch is dropped only while no command runs");
    }

    /** The configuration this engine was built for. */
    public TlmmConfig config() {
        return config;
    }
}
