package dev.tellmej.accel.attention;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.Vec;
import java.util.ArrayList;
import java.util.List;

/**
 * How far a pass's P {@link ChunkLoader}s have brought in the chunks of one job, in the pass's numbering: chunk k
 * of the job is loader {@code k mod P}'s chunk {@code k / P} of it. The job's chunks are in up to the first that
 * some loader still lacks, so the pass never steps past a chunk whose loader is behind.
 *
 * <p>With P loaders the figures are registered (for timing: the loaders' counts, their least and the landing
 * chunk's rows lay on the path into the pass's step and the buffers' enables): a cycle behind the loaders, which
 * only makes the pass wait a cycle longer, and zero in the cycle after a new job's bases are taken.
 */
final class ChunkProgress extends Area {
    /** Chunks 0 .. loaded - 1 of the job are whole in the buffers. */
    final UInt loaded;
    /** Whole rows of chunk {@link #loaded} (the one landing) already in its loader's buffer. */
    final UInt landingRows;
    /** Bit l: the half of loader l's buffer that its first chunk of the job is in. */
    final Bits firstHalves;

    /**
     * @param name    the pass's prefix for signal names
     * @param loaders the pass's loaders, loader l at index l
     * @param bases   each loader's number of its first chunk of the job ({@link ChunkLoader#jobBase} when the job
     *                started)
     * @param rebase  event: {@code bases} take a new job's values (they are registers set in this cycle)
     */
    ChunkProgress(String name, AttentionShape shape, List<ChunkLoader> loaders, List<UInt> bases, Bool rebase) {
        super(name + "_progress", "how many of the job's chunks the pass's loaders have brought in");
        int ports = loaders.size();
        int portBits = shape.portBits();
        List<Bool> halves = new ArrayList<>();
        for (int l = ports - 1; l >= 0; l--) {
            halves.add(bases.get(l).lsb());
        }
        firstHalves = cat(halves.toArray(new Bool[0])).named(name + "_first_halves");
        if (ports == 1) {
            loaded = loaders.getFirst().loadedSince(bases.getFirst()).named(name + "_loaded");
            landingRows = loaders.getFirst().landingRows;
            return;
        }
        // Loader l has its first n_l chunks of the job: chunks l, l + P, ..., so chunks 0 .. P x n_l + l - 1 are
        // all in as far as it is concerned; the job's are in up to the least of these.
        int bits = loaders.getFirst().countBits + portBits;
        UInt least = null;
        for (int l = 0; l < ports; l++) {
            UInt own = loaders.get(l).loadedSince(bases.get(l));
            UInt reach = cat(own, U(l, portBits)).asUInt().resize(bits).named(name + "_reach_" + l);
            least = least == null ? reach : mux(reach.lt(least), reach, least).named(name + "_least_" + l);
        }
        List<UInt> rows = new ArrayList<>();
        for (ChunkLoader loader : loaders) {
            rows.add(loader.landingRows);
        }
        UInt landing = new Vec<>(rows).get(name + "_landing_rows_now", least.resize(portBits));
        loaded = regNext(name + "_loaded", mux(rebase, U(0, bits), least), 0);
        landingRows = regNext(name + "_landing_rows", mux(rebase, U(0, landing.width()), landing), 0);
    }
}
