package dev.tellmej.accel.sim;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.tellmej.accel.tlmm.TlmmCommand;
import dev.tellmej.accel.tlmm.TlmmConfig;
import dev.tellmej.accel.tlmm.TlmmEngine;
import dev.tellmej.accel.tlmm.TlmmLayout;
import dev.tellmej.accel.tlmm.WeightPacker;
import dev.tellmej.model.ternary.TernaryMatrix;
import dev.tellmej.sim.AxiMemory;
import dev.tellmej.sim.SimModel;
import dev.tellmej.sim.StreamDriver;
import dev.tellmej.sim.StreamMonitor;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;

/**
 * Runs matrix products on a simulated {@link TlmmEngine}: packs the matrix into the DDR model, sends the
 * command and the activations through stream drivers (with the given valid probability), collects the
 * results (with the given ready probability) and puts them back in row order. Used by the engine's tests
 * and by {@code tellme bench tlmm}.
 */
public final class TlmmRunner {
    /** Where the weight image goes in the DDR model. */
    static final long WEIGHT_ADDRESS = 0x1000;

    /**
     * A product's accumulators ([token][row]), the cycles from the command to the last result, and the
     * bytes the engine read from DDR.
     */
    public record Run(int[][] accumulators, long cycles, long bytesRead, boolean error) {}

    private final SimModel sim;
    private final TlmmEngine top;
    private final AxiMemory ddr;
    private final StreamDriver commands;
    private final StreamDriver prefetches;
    private final StreamDriver activations;
    private final StreamMonitor results;

    /**
     * Attaches the DDR model to the engine's read ports and drivers to its streams.
     *
     * @param activationValid probability that an activation beat is offered in a cycle
     * @param resultReady     probability that a result beat is taken in a cycle
     */
    public TlmmRunner(SimModel sim, TlmmEngine top, AxiMemory ddr, Random random, double activationValid, double resultReady) {
        this.sim = sim;
        this.top = top;
        this.ddr = ddr;
        for (int p = 0; p < top.config().ports(); p++) {
            ddr.attach(top.weightPorts.get(p));
        }
        this.commands = new StreamDriver(sim, top.command, new Random(random.nextLong()), 1.0);
        this.prefetches = new StreamDriver(sim, top.prefetch, new Random(random.nextLong()), 1.0);
        this.activations = new StreamDriver(sim, top.activations, new Random(random.nextLong()), activationValid);
        this.results = new StreamMonitor(sim, top.results, new Random(random.nextLong()), resultReady);
    }

    /** The engine this runner drives. */
    public TlmmEngine top() {
        return top;
    }

    /** Multiplies {@code matrix} by each row of {@code x} (int8 activations, at least cols long). */
    public Run run(TernaryMatrix matrix, byte[][] x) {
        return run(matrix, x, java.util.function.UnaryOperator.identity());
    }

    /**
     * Like {@link #run(TernaryMatrix, byte[][])}, with the command {@link TlmmLayout} computes changed by
     * {@code edit} first (to test how the engine meets a command that disagrees with its image); the run's
     * {@code error} is the engine's error output once it is done.
     */
    public Run run(TernaryMatrix matrix, byte[][] x, java.util.function.UnaryOperator<TlmmCommand> edit) {
        TlmmConfig config = top.config();
        TlmmLayout layout = new TlmmLayout(config, matrix.rows(), matrix.cols());
        byte[] image = WeightPacker.pack(layout, matrix);
        MemorySegment.copy(image, 0, ddr.bytes(), JAVA_BYTE, WEIGHT_ADDRESS, image.length);
        TlmmCommand command = edit.apply(layout.command(WEIGHT_ADDRESS, x.length));
        int received = results.count();
        long bytesBefore = ddr.counters().bytesRead();
        long start = sim.cycle();
        commands.push(command.payload());
        int bytesPerToken = layout.blocks() * config.blockInputs();
        for (byte[] token : x) {
            for (int offset = 0; offset < bytesPerToken; offset += config.activationBytes()) {
                BigInteger beat = BigInteger.ZERO;
                for (int i = config.activationBytes() - 1; i >= 0; i--) {
                    int col = offset + i;
                    int value = col < token.length ? token[col] & 0xff : 0;
                    beat = beat.shiftLeft(8).or(BigInteger.valueOf(value));
                }
                activations.push(beat);
            }
        }
        int groups = layout.groups();
        int expectedBeats = groups * x.length;
        long limit = 200L * (layout.blocks() + 4) * (groups + 32) * x.length + 100_000;
        sim.runUntil(() -> results.count() - received == expectedBeats && sim.peek(top.busy) == 0, limit);
        long cycles = sim.cycle() - start;
        return new Run(reorder(layout, results.received().subList(received, received + expectedBeats), x.length), cycles,
                ddr.counters().bytesRead() - bytesBefore, sim.peek(top.error) != 0);
    }

    /**
     * Products run back to back: matrix i's image at its own 4 KB-aligned address, every command and every
     * activation queued at once, so each command follows the one before as soon as it is done. While command i
     * runs, the command of product {@code prefetchDuring[i]} (if not -1; any index, so a prefetch may be one the
     * next command is not) is offered on the prefetch port. With {@code dropAtEnd}, a drop is pulsed once the last
     * product is done, and the run waits until the weight ports are idle.
     *
     * @return each product's accumulators; {@code cycles} is the whole sequence's, from the first command to the
     *         last result, the same in every run
     */
    public List<Run> runSequence(List<TernaryMatrix> matrices, List<byte[][]> xs, int[] prefetchDuring,
                                 boolean dropAtEnd) {
        TlmmConfig config = top.config();
        int n = matrices.size();
        List<TlmmLayout> layouts = new java.util.ArrayList<>();
        List<TlmmCommand> list = new java.util.ArrayList<>();
        long address = WEIGHT_ADDRESS;
        for (int i = 0; i < n; i++) {
            TernaryMatrix matrix = matrices.get(i);
            TlmmLayout layout = new TlmmLayout(config, matrix.rows(), matrix.cols());
            byte[] image = WeightPacker.pack(layout, matrix);
            MemorySegment.copy(image, 0, ddr.bytes(), JAVA_BYTE, address, image.length);
            layouts.add(layout);
            list.add(layout.command(address, xs.get(i).length));
            address = (address + image.length + 4095) / 4096 * 4096;
        }
        int received = results.count();
        long bytesBefore = ddr.counters().bytesRead();
        long start = sim.cycle();
        int expectedBeats = 0;
        long limit = 100_000;
        for (int i = 0; i < n; i++) {
            commands.push(list.get(i).payload());
            pushActivations(config, layouts.get(i), xs.get(i));
            expectedBeats += layouts.get(i).groups() * xs.get(i).length;
            limit += 200L * (layouts.get(i).blocks() + 4) * (layouts.get(i).groups() + 32) * xs.get(i).length;
        }
        int expected = expectedBeats;
        int[] offered = {0};
        sim.runUntil(() -> {
            // Command i has been taken and the next not yet: offer product i's prefetch once.
            long taken = commands.sent();
            if (taken >= 1 && offered[0] < taken && taken <= n && sim.peek(top.busy) != 0) {
                int i = (int) taken - 1;
                if (offered[0] == i) {
                    if (prefetchDuring[i] >= 0) {
                        prefetches.push(list.get(prefetchDuring[i]).payload());
                    }
                    offered[0]++;
                }
            }
            return results.count() - received == expected && sim.peek(top.busy) == 0;
        }, limit);
        if (dropAtEnd) {
            sim.poke(top.drop, true);
            sim.step();
            sim.poke(top.drop, false);
            sim.runUntil(() -> sim.peek(top.loading) == 0, limit);
        }
        long cycles = sim.cycle() - start;
        long bytes = ddr.counters().bytesRead() - bytesBefore;
        List<Run> runs = new java.util.ArrayList<>();
        int next = received;
        for (int i = 0; i < n; i++) {
            int beats = layouts.get(i).groups() * xs.get(i).length;
            runs.add(new Run(reorder(layouts.get(i), results.received().subList(next, next + beats), xs.get(i).length),
                    cycles, bytes, sim.peek(top.error) != 0));
            next += beats;
        }
        return runs;
    }

    private void pushActivations(TlmmConfig config, TlmmLayout layout, byte[][] x) {
        int bytesPerToken = layout.blocks() * config.blockInputs();
        for (byte[] token : x) {
            for (int offset = 0; offset < bytesPerToken; offset += config.activationBytes()) {
                BigInteger beat = BigInteger.ZERO;
                for (int i = config.activationBytes() - 1; i >= 0; i--) {
                    int col = offset + i;
                    int value = col < token.length ? token[col] & 0xff : 0;
                    beat = beat.shiftLeft(8).or(BigInteger.valueOf(value));
                }
                activations.push(beat);
            }
        }
    }

    /** Results arrive per chunk, tile, token, row group; this puts them back as [token][row]. */
    private static int[][] reorder(TlmmLayout layout, List<BigInteger> beats, int tokens) {
        TlmmConfig config = layout.config();
        int[][] out = new int[tokens][layout.rows()];
        int next = 0;
        for (int chunkStart = 0; chunkStart < tokens; chunkStart += config.maxTokens()) {
            int chunk = Math.min(config.maxTokens(), tokens - chunkStart);
            for (int k = 0; k < layout.tiles(); k++) {
                for (int s = 0; s < chunk; s++) {
                    for (int g = 0; g < layout.groupsOfTile(k); g++) {
                        BigInteger beat = beats.get(next++);
                        for (int q = 0; q < config.columns(); q++) {
                            int row = (k * layout.tileGroups() + g) * config.columns() + q;
                            int value = beat.shiftRight(TlmmConfig.ACCUMULATOR_BITS * q).intValue();
                            if (row < layout.rows()) {
                                out[chunkStart + s][row] = value;
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
